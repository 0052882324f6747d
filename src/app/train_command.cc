// diamond train: fit the seed's pipeline on a CSV and write a model file.
#include <chrono>
#include <ctime>
#include <iostream>

#include "app/cli_support.h"
#include "app/commands.h"
#include "app/output_file.h"
#include "ml/model_file.h"
#include "ml/trainer.h"

namespace diamond::app {
namespace {

std::string NowRfc3339() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace

int RunTrain(const TrainArgs& args) {
  constexpr std::string_view kCommand = "train";
  ml::LinearSpec spec;
  spec.positive = args.positive;
  if (!args.features.empty()) {
    auto selector = ml::ParseSelector(args.features);
    if (!selector.ok()) {
      PrintError(kCommand, "--features: " + selector.status().message());
      return kExitBadInput;
    }
    spec.selector = *selector;
  }
  ml::Validation validation;
  if (!args.eval.empty()) {
    validation.kind = ml::Validation::Kind::kSeparateSet;
  } else if (args.holdout == 0) {
    validation.kind = ml::Validation::Kind::kNone;
  } else if (!(args.holdout > 0 && args.holdout < 1)) {
    PrintError(kCommand, "--holdout must be 0 (no holdout) or a fraction between 0 and 1");
    return kExitBadInput;
  } else {
    validation.holdout = args.holdout;
    validation.seed = args.seed;
  }

  auto data = LoadCsv(args.data, /*require_price=*/true, args.skip_invalid);
  if (!data.ok()) {
    PrintError(kCommand, data.status().message());
    return ExitCodeFor(data.status());
  }
  std::optional<LoadedData> eval;
  if (!args.eval.empty()) {
    auto loaded = LoadCsv(args.eval, /*require_price=*/true, args.skip_invalid);
    if (!loaded.ok()) {
      PrintError(kCommand, loaded.status().message());
      return ExitCodeFor(loaded.status());
    }
    eval = std::move(loaded).value();
  }
  // Open the output before the work, so a bad path fails fast.
  auto output = OutputFile::Open(args.output);
  if (!output.ok()) {
    PrintError(kCommand, output.status().message());
    return ExitCodeFor(output.status());
  }

  const auto started = std::chrono::steady_clock::now();
  auto outcome = ml::TrainLinear(data->table.stones, spec, validation,
                                 eval ? std::span<const Diamond>(eval->table.stones)
                                      : std::span<const Diamond>());
  const double train_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
          .count();
  if (!outcome.ok()) {
    PrintError(kCommand, outcome.status().message());
    return kExitBadInput;
  }

  nlohmann::ordered_json document =
      ml::ModelToJson(*outcome, data->lineage,
                      eval ? std::optional<ml::DataLineage>(eval->lineage) : std::nullopt,
                      NowRfc3339());
  output->Write(document.dump(2));
  output->Write("\n");
  if (Status s = output->Commit(); !s.ok()) {
    PrintError(kCommand, s.message());
    return kExitFailure;
  }

  // The report goes to stderr when the model itself went to stdout.
  std::ostream& report = output->is_stdout() ? std::cerr : std::cout;
  report << "data: " << data->lineage.name << " (sha256 " << data->lineage.sha256 << ")\n"
         << "  " << CleaningSummary(outcome->cleaning);
  if (data->table.rows_invalid > 0) {
    report << "; " << data->table.rows_invalid << " invalid rows skipped";
  }
  report << "\nmodel: linear on log(price), features "
         << ml::JoinFeatureNames(outcome->model.spec().selector)
         << (spec.positive ? ", positive coefficients" : "") << ", fitted on " << outcome->rows_fit
         << " rows in " << train_ms << " ms\n"
         << MetricsHeader() << "\n"
         << MetricsLine("train", outcome->train_metrics) << "\n";
  if (outcome->validation_result) {
    const char* label = validation.kind == ml::Validation::Kind::kHoldout ? "holdout" : "eval";
    report << MetricsLine(label, outcome->validation_result->metrics) << "\n";
    if (eval) report << "  eval data: " << CleaningSummary(outcome->validation_result->cleaning) << "\n";
  }
  if (!output->is_stdout()) report << "model written to " << args.output << "\n";
  return kExitOk;
}

}  // namespace diamond::app
