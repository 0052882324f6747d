// diamond evaluate: score model files on a CSV with prices; optionally probe them for
// prices that drop when the stone gets better (--monotone-check), or judge their
// hyperparameters by repeated k-fold cross-validation on the CSV (--cv, --repeats).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/cli_support.h"
#include "app/commands.h"
#include "ml/cleaning.h"
#include "ml/monotonicity.h"
#include "ml/trainer.h"

namespace diamond::app {
namespace {

constexpr std::string_view kCommand = "evaluate";

std::string Summary(const ml::MetricSummary& s, const char* format) {
  char text[64];
  std::snprintf(text, sizeof text, format, s.mean, s.std);
  return text;
}

// One line per model: each metric's mean ± standard error over the folds, and its MAE
// divided by the first model's, fold by fold (paired: the same rows in each fold).
int ReportCrossValidation(const EvaluateArgs& args, const ml::CrossValidationResult& result) {
  const size_t fits = result.scores.front().size();
  std::cout << "cross-validation: " << args.repeats << " x " << args.cv << " folds on "
            << result.cleaning.rows_kept << " rows (seed " << args.seed
            << "); mean ± standard error over " << fits << " folds\n";
  // Models by file name, in a column as wide as the longest.
  std::vector<std::string> names;
  int width = 5;
  for (const std::string& path : args.models) {
    names.push_back(std::filesystem::path(path).filename().string());
    width = std::max(width, static_cast<int>(names.back().size()));
  }
  char header[256];
  // Each value below holds one "±" (two bytes, one column): the header is one narrower.
  std::snprintf(header, sizeof header, "%-*s %17s %17s %17s %15s %15s", width, "model", "MAE",
                "RMSE", "R2", "MAPE %", "MAE / first");
  std::cout << header << "\n";
  for (size_t s = 0; s < result.scores.size(); ++s) {
    std::vector<double> mae, rmse, r2, mape, ratio;
    for (size_t f = 0; f < fits; ++f) {
      const ml::Metrics& m = result.scores[s][f];
      mae.push_back(m.mae);
      rmse.push_back(m.rmse);
      r2.push_back(m.r2);
      mape.push_back(100 * m.mape);
      ratio.push_back(m.mae / result.scores.front()[f].mae);
    }
    char line[512];
    std::snprintf(line, sizeof line, "%-*s %18s %18s %18s %16s %16s", width, names[s].c_str(),
                  Summary(ml::MeanAndStandardError(mae), "%.2f ± %.2f").c_str(),
                  Summary(ml::MeanAndStandardError(rmse), "%.2f ± %.2f").c_str(),
                  Summary(ml::MeanAndStandardError(r2), "%.4f ± %.4f").c_str(),
                  Summary(ml::MeanAndStandardError(mape), "%.2f ± %.2f").c_str(),
                  Summary(ml::MeanAndStandardError(ratio), "%.3f ± %.3f").c_str());
    std::cout << line << "\n";
  }
  return kExitOk;
}

}  // namespace

int RunEvaluate(const EvaluateArgs& args) {
  std::vector<ml::ModelDocument> models;
  for (const std::string& path : args.models) {
    auto model = LoadModel(path);
    if (!model.ok()) {
      PrintError(kCommand, model.status().message());
      return ExitCodeFor(model.status());
    }
    models.push_back(std::move(model).value());
  }
  auto data = LoadCsv(args.data, /*require_price=*/true, args.skip_invalid);
  if (!data.ok()) {
    PrintError(kCommand, data.status().message());
    return ExitCodeFor(data.status());
  }
  std::cout << "data: " << data->lineage.name << " (sha256 " << data->lineage.sha256 << ")\n";

  if (args.cv > 0) {
    std::vector<ml::ModelSpec> specs;
    for (const ml::ModelDocument& model : models) specs.push_back(model.spec);
    auto result = ml::CrossValidateSpecs(data->table.stones, specs,
                                         ml::CrossValidationSpec{args.cv, args.repeats, args.seed});
    if (!result.ok()) {
      PrintError(kCommand, data->lineage.name + ": " + result.status().message());
      return kExitBadInput;
    }
    std::cout << "  " << CleaningSummary(result->cleaning) << "\n";
    return ReportCrossValidation(args, *result);
  }

  int exit_code = kExitOk;
  for (size_t i = 0; i < models.size(); ++i) {
    const ml::Model& model = *models[i].model;
    auto evaluation = ml::Evaluate(model, data->table.stones);
    if (!evaluation.ok()) {
      PrintError(kCommand, data->lineage.name + ": " + evaluation.status().message());
      return kExitBadInput;
    }
    if (i == 0)
      std::cout << "  " << CleaningSummary(evaluation->cleaning) << "\n" << MetricsHeader() << "\n";
    std::cout << MetricsLine(models.size() == 1 ? "evaluation" : args.models[i],
                             evaluation->metrics)
              << "\n";
    if (!args.monotone_check) continue;
    ml::CleaningReport ignored;
    const std::vector<Diamond> stones = ml::CleanForTraining(data->table.stones, &ignored);
    const ml::MonotonicityReport report = ml::CheckMonotonicity(model, stones);
    std::cout << "monotonicity: " << MonotonicitySummary(report) << "\n";
    if (report.inversions() > 0) exit_code = kExitCheckFailed;
  }
  return exit_code;
}

}  // namespace diamond::app
