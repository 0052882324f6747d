// diamond train: fit the seed's pipeline on a CSV and write a model file.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <sstream>

#include "app/cli_support.h"
#include "app/commands.h"
#include "app/output_file.h"
#include "ml/algorithm.h"
#include "ml/hyperparameters.h"
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

// "4" → 4, "true" → true, "0.05" → 0.05; anything else is taken as a string (and then
// refused by the hyperparameter's own check, with the allowed values).
nlohmann::json ParseValue(const std::string& text) {
  auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_discarded() ? nlohmann::json(text) : value;
}

// NAME=VALUE → {"NAME": VALUE}; a malformed entry is reported and false returned.
bool SplitAssignment(const std::string& entry, std::string* name, std::string* value) {
  const auto eq = entry.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  *name = entry.substr(0, eq);
  *value = entry.substr(eq + 1);
  return true;
}

// The model spec and optional search from --algorithm, --features, --positive, --param and
// --grid, validated by the same code as the API's training request.
bool BuildSpec(const TrainArgs& args, ml::ModelSpec* spec, std::optional<ml::SearchSpec>* search) {
  constexpr std::string_view kCommand = "train";
  const ml::Algorithm* algorithm = ml::FindAlgorithm(args.algorithm);
  if (algorithm == nullptr) {
    PrintError(kCommand, "--algorithm must be one of " + ml::AlgorithmNames());
    return false;
  }
  const auto& names = algorithm->hyperparameter_names();
  if (args.positive && std::find(names.begin(), names.end(), "positive") == names.end()) {
    PrintError(kCommand, "--positive applies to linear models only");
    return false;
  }
  nlohmann::json params = nlohmann::json::object();
  if (!args.features.empty()) params["selector"] = args.features;
  if (args.positive) params["positive"] = true;
  std::string name, value;
  for (const std::string& entry : args.params) {
    if (!SplitAssignment(entry, &name, &value)) {
      PrintError(kCommand, "--param takes NAME=VALUE, got '" + entry + "'");
      return false;
    }
    params[name] = ParseValue(value);
  }
  std::vector<ml::SpecProblem> problems;
  *spec = ml::ParseHyperparameters(*algorithm, params, *spec, &problems);
  if (!problems.empty()) {
    PrintError(kCommand,
               "hyperparameter " + problems.front().field + " " + problems.front().message);
    return false;
  }
  if (args.grid.empty()) return true;
  nlohmann::json grid = nlohmann::json::object();
  for (const std::string& entry : args.grid) {
    if (!SplitAssignment(entry, &name, &value)) {
      PrintError(kCommand, "--grid takes NAME=V1,V2,..., got '" + entry + "'");
      return false;
    }
    nlohmann::json values = nlohmann::json::array();
    std::stringstream list(value);
    for (std::string item; std::getline(list, item, ',');) {
      if (name == "selector") {  // one selector per item, its features joined by '+'
        nlohmann::json features = nlohmann::json::array();
        std::stringstream feature_list(item);
        for (std::string feature; std::getline(feature_list, feature, '+');)
          features.push_back(feature);
        values.push_back(features);
      } else {
        values.push_back(ParseValue(item));
      }
    }
    grid[name] = values;
  }
  ml::SearchSpec searched;
  searched.folds = args.folds;
  searched.metric = args.metric;
  searched.candidates = ml::ExpandGrid(*spec, params, grid, &problems);
  if (!problems.empty()) {
    PrintError(kCommand, "--grid " + problems.front().field + ": " + problems.front().message);
    return false;
  }
  if (args.metric != "mae" && args.metric != "rmse" && args.metric != "r2" &&
      args.metric != "mape") {
    PrintError(kCommand, "--metric must be mae, rmse, mape or r2");
    return false;
  }
  *search = std::move(searched);
  return true;
}

// "training: fit 3 of 13, round 140 of 1000" on stderr, redrawn at most five times a
// second and only on a terminal.
class TrainingProgressLine {
 public:
  TrainingProgressLine() : enabled_(isatty(STDERR_FILENO) != 0) {}
  ~TrainingProgressLine() {
    if (drawn_) std::cerr << "\r\033[K" << std::flush;
  }
  bool Update(const ml::Progress& progress) {
    const auto now = std::chrono::steady_clock::now();
    if (!enabled_ || now - last_ < std::chrono::milliseconds(200)) return true;
    last_ = now;
    drawn_ = true;
    std::cerr << "\r\033[Ktraining: " << progress.Describe() << std::flush;
    return true;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

// The cross-validation table, best first, showing the hyperparameters the grid varies.
std::string SearchTable(const ml::SearchResult& search) {
  std::vector<nlohmann::ordered_json> params;
  for (const auto& c : search.candidates) params.push_back(ml::HyperparametersToJson(c.spec));
  std::vector<std::string> varied;
  for (const auto& [name, value] : params.front().items()) {
    for (const auto& p : params) {
      if (p[name] != value) {
        varied.push_back(name);
        break;
      }
    }
  }
  std::ostringstream out;
  out << "search: " << search.candidates.size() << " candidates x " << search.spec.folds
      << " folds, best by " << search.spec.metric << " (mean over the folds, +- its std)\n";
  std::vector<size_t> ranked(search.candidates.size());
  for (size_t i = 0; i < ranked.size(); ++i) ranked[i] = i;
  std::sort(ranked.begin(), ranked.end(), [&](size_t a, size_t b) {
    return search.candidates[a].rank < search.candidates[b].rank;
  });
  char line[160];
  std::snprintf(line, sizeof line, "  %4s %10s %8s %10s %8s %8s  %s\n", "rank", "MAE", "+-", "RMSE",
                "R2", "MAPE", "hyperparameters");
  out << line;
  for (size_t i : ranked) {
    const ml::CandidateResult& c = search.candidates[i];
    std::snprintf(line, sizeof line, "  %4d %10.2f %8.2f %10.2f %8.4f %7.2f%%  ", c.rank,
                  c.mae.mean, c.mae.std, c.rmse.mean, c.r2.mean, 100 * c.mape.mean);
    nlohmann::ordered_json shown = nlohmann::ordered_json::object();
    for (const auto& name : varied) shown[name] = params[i][name];
    out << line << shown.dump() << "\n";
  }
  return out.str();
}

}  // namespace

int RunTrain(const TrainArgs& args) {
  constexpr std::string_view kCommand = "train";
  ml::ModelSpec spec;
  std::optional<ml::SearchSpec> search;
  if (!BuildSpec(args, &spec, &search)) return kExitBadInput;
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
  Result<ml::TrainingOutcome> outcome = Status::Internal("not trained");
  {
    TrainingProgressLine line;
    outcome =
        ml::Train(data->table.stones, spec, validation,
                  eval ? std::span<const Diamond>(eval->table.stones) : std::span<const Diamond>(),
                  search ? &*search : nullptr,
                  [&line](const ml::Progress& progress) { return line.Update(progress); });
  }
  const double train_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!outcome.ok()) {
    PrintError(kCommand, outcome.status().message());
    return kExitBadInput;
  }

  nlohmann::ordered_json document = ml::ModelToJson(
      *outcome, data->lineage, eval ? std::optional<ml::DataLineage>(eval->lineage) : std::nullopt,
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
  report << "\nmodel: " << outcome->model->algorithm() << " on log(price), features "
         << ml::JoinFeatureNames(outcome->model->features()) << outcome->model->Detail()
         << ", fitted on " << outcome->rows_fit << " rows in " << train_ms << " ms\n";
  if (outcome->search) report << SearchTable(*outcome->search);
  report << MetricsHeader() << "\n" << MetricsLine("train", outcome->train_metrics) << "\n";
  if (outcome->validation_result) {
    const char* label = validation.kind == ml::Validation::Kind::kHoldout ? "holdout" : "eval";
    report << MetricsLine(label, outcome->validation_result->metrics) << "\n";
    if (eval)
      report << "  eval data: " << CleaningSummary(outcome->validation_result->cleaning) << "\n";
  }
  report << "monotonicity: " << MonotonicitySummary(outcome->monotonicity) << "\n";
  if (outcome->calibration && !outcome->calibration->residuals.empty()) {
    auto width = outcome->calibration->HalfWidth(0.9);
    if (width.ok()) {
      report << "interval: 90% of unseen stones within ×/÷ " << std::exp(*width)
             << " of the price (" << outcome->calibration->residuals.size()
             << " calibration rows)\n";
    }
  }
  if (!output->is_stdout()) report << "model written to " << args.output << "\n";
  return kExitOk;
}

}  // namespace diamond::app
