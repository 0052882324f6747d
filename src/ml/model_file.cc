#include "ml/model_file.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/diamond.h"
#include "core/grades.h"
#include "ml/algorithm.h"
#include "ml/hyperparameters.h"
#include "ml/model_file_checks.h"

namespace diamond::ml {
namespace {

using json = nlohmann::ordered_json;

json Encodings() {
  json out = json::object();
  for (GradeScale scale : {GradeScale::kCut, GradeScale::kColor, GradeScale::kClarity}) {
    json names = json::array();
    for (auto name : GradeNames(scale)) names.push_back(name);
    out[std::string(GradeColumn(scale))] = names;
  }
  return out;
}

json Inputs() {
  json out = json::array();
  for (InputField f : AllInputFields()) {
    if (f != InputField::kPrice) out.push_back(FieldName(f));
  }
  return out;
}

// The pipeline's features, or the first `count` of them (the list older files carry).
json FeatureNames(size_t count = kNumFeatures) {
  json out = json::array();
  for (size_t i = 0; i < count; ++i) out.push_back(FeatureName(AllFeatures()[i]));
  return out;
}

json LogFeatureNames(size_t count = kNumFeatures) {
  json out = json::array();
  for (size_t i = 0; i < count; ++i) {
    if (IsLogFeature(AllFeatures()[i])) out.push_back(FeatureName(AllFeatures()[i]));
  }
  return out;
}

json LineageToJson(const DataLineage& lineage) {
  return {{"name", lineage.name}, {"sha256", lineage.sha256}, {"rows", lineage.rows}};
}

}  // namespace

json MetricsToJson(const Metrics& m) {
  return {{"rows", m.rows}, {"mae", m.mae}, {"rmse", m.rmse}, {"r2", m.r2}, {"mape", m.mape}};
}

json CleaningToJson(const CleaningReport& report) {
  json rules = json::object();
  for (const auto& [rule, count] : report.dropped_by_rule) rules[rule] = count;
  return {{"rows_in", report.rows_in},
          {"rows_kept", report.rows_kept},
          {"rows_dropped", report.rows_dropped},
          {"dropped_by_rule", rules}};
}

json ImportancesToJson(const Model& model) {
  std::vector<double> shares = model.Importances();
  std::vector<size_t> order(shares.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return shares[a] > shares[b]; });
  json out = json::array();
  for (size_t i : order) {
    out.push_back({{"feature", FeatureName(model.features()[i])}, {"importance", shares[i]}});
  }
  return out;
}

json SearchToJson(const SearchResult& search) {
  json candidates = json::array();
  for (const CandidateResult& c : search.candidates) {
    auto summary = [](const MetricSummary& m) { return json{{"mean", m.mean}, {"std", m.std}}; };
    candidates.push_back({{"hyperparameters", HyperparametersToJson(c.spec)},
                          {"mae", summary(c.mae)},
                          {"rmse", summary(c.rmse)},
                          {"r2", summary(c.r2)},
                          {"mape", summary(c.mape)},
                          {"rank", c.rank}});
  }
  return {{"folds", search.spec.folds},
          {"metric", search.spec.metric},
          {"seed", search.spec.seed},
          {"best", search.best},
          {"candidates", candidates}};
}

json MonotonicityToJson(const MonotonicityReport& report) {
  json checks = json::object();
  for (const MonotonicityCheck& check : report.checks) {
    checks[check.name] = {
        {"steps", check.steps}, {"inversions", check.inversions}, {"worst_drop", check.worst_drop}};
  }
  return {{"stones", report.stones}, {"inversions", report.inversions()}, {"checks", checks}};
}

json CalibrationSummaryJson(const Calibration& calibration) {
  json levels = json::object();
  for (double level : {0.5, 0.8, 0.9, 0.95}) {
    auto width = calibration.HalfWidth(level);
    if (!width.ok()) continue;
    // As price factors: the interval is [price / factor, price × factor].
    char name[8];
    std::snprintf(name, sizeof name, "%.2f", level);
    levels[name] = std::exp(*width);
  }
  return {{"method", "split-conformal"},
          {"rows", calibration.residuals.size()},
          {"max_level", calibration.MaxLevel()},
          {"factor_by_level", levels}};
}

json ModelToJson(const TrainingOutcome& outcome, const DataLineage& training_data,
                 const std::optional<DataLineage>& validation_data, std::string_view created_at) {
  const Model& model = *outcome.model;
  const FeatureTransform& t = model.transform();
  json selector = json::array();
  for (Feature f : model.features()) selector.push_back(FeatureName(f));
  json validation;
  switch (outcome.validation.kind) {
    case Validation::Kind::kNone:
      validation = {{"method", "none"}};
      break;
    case Validation::Kind::kHoldout:
      validation = {{"method", "holdout"},
                    {"fraction", outcome.validation.holdout},
                    {"seed", outcome.validation.seed}};
      break;
    case Validation::Kind::kSeparateSet:
      validation = {{"method", "separate_data"}};
      if (validation_data) validation["data"] = LineageToJson(*validation_data);
      break;
  }
  json metrics = {{"train", MetricsToJson(outcome.train_metrics)}};
  if (outcome.validation_result) {
    metrics["validation"] = MetricsToJson(outcome.validation_result->metrics);
    if (outcome.validation.kind == Validation::Kind::kSeparateSet) {
      validation["cleaning"] = CleaningToJson(outcome.validation_result->cleaning);
    }
  }
  json doc = {
      {"format", kModelFormat},
      {"format_version", kModelFormatVersion},
      {"algorithm", model.algorithm()},
      {"target", {{"name", "price"}, {"transform", "log"}}},
      {"inputs", Inputs()},
      {"encodings", Encodings()},
      {"pipeline",
       {{"table_mean", t.table_mean},
        {"depth_mean", t.depth_mean},
        {"log_features", LogFeatureNames()},
        {"features", FeatureNames()},
        {"scaler_mean", t.mean},
        {"scaler_scale", t.scale},
        {"selector", selector}}},
  };
  doc[std::string(model.algorithm())] = model.FileSection();
  if (outcome.calibration) {
    doc["calibration"] = {{"method", "split-conformal"},
                          {"space", "log"},
                          {"abs_log_residuals", outcome.calibration->residuals}};
  }
  doc["training"] = {{"created_at", created_at},
                     {"data", LineageToJson(training_data)},
                     {"cleaning", CleaningToJson(outcome.cleaning)},
                     {"rows_fit", outcome.rows_fit},
                     {"validation", validation},
                     {"metrics", metrics},
                     {"importances", ImportancesToJson(model)},
                     {"monotonicity", MonotonicityToJson(outcome.monotonicity)}};
  if (outcome.search) doc["training"]["search"] = SearchToJson(*outcome.search);
  return doc;
}

Result<ModelDocument> ModelFromJson(const json& doc) {
  if (!doc.is_object()) return Corrupt("not a JSON object");
  if (Member(doc, "format") != json(std::string(kModelFormat))) {
    return Corrupt("'format' is not \"" + std::string(kModelFormat) + "\"");
  }
  const json& version_json = Member(doc, "format_version");
  if (!version_json.is_number_integer()) return Corrupt("no format_version");
  const int64_t version = version_json.get<int64_t>();
  if (version != 1 && version != kModelFormatVersion) {
    return Status::Corruption("unsupported model format_version " + std::to_string(version) +
                              " (this build reads 1 and " + std::to_string(kModelFormatVersion) +
                              ")");
  }
  const json& algorithm_name = Member(doc, "algorithm");
  const Algorithm* algorithm =
      algorithm_name.is_string() ? FindAlgorithm(algorithm_name.get<std::string>()) : nullptr;
  if (algorithm == nullptr || version < algorithm->since_format_version()) {
    return Corrupt("unknown 'algorithm'");
  }
  // Codes are positions in these lists: a file made with other scales would price wrongly.
  if (Member(doc, "encodings") != Encodings()) return Corrupt("unexpected grade encodings");
  if (Member(doc, "inputs") != Inputs()) return Corrupt("unexpected inputs");

  const json& pipeline = Member(doc, "pipeline");
  // Files written before volume_per_carat was added list 13 features; the one they lack
  // gets a neutral scaler and no selector of theirs names it.
  size_t feature_count = kNumFeatures;
  if (Member(pipeline, "features") == FeatureNames(kLegacyNumFeatures)) {
    feature_count = kLegacyNumFeatures;
  }
  if (Member(pipeline, "features") != FeatureNames(feature_count) ||
      Member(pipeline, "log_features") != LogFeatureNames(feature_count)) {
    return Corrupt("unexpected pipeline features");
  }
  std::string error;
  FeatureTransform transform;
  transform.table_mean = FiniteAt(pipeline, "table_mean", &error);
  transform.depth_mean = FiniteAt(pipeline, "depth_mean", &error);
  if (!error.empty()) return Corrupt("pipeline: " + error);
  std::vector<double> mean, scale;
  if (!FiniteArray(Member(pipeline, "scaler_mean"), feature_count, &mean) ||
      !FiniteArray(Member(pipeline, "scaler_scale"), feature_count, &scale)) {
    return Corrupt("pipeline: scaler_mean and scaler_scale need " + std::to_string(feature_count) +
                   " finite numbers each");
  }
  transform.scale.fill(1.0);
  for (size_t i = 0; i < feature_count; ++i) {
    if (!(scale[i] > 0)) return Corrupt("pipeline: scaler_scale must be positive");
    transform.mean[i] = mean[i];
    transform.scale[i] = scale[i];
  }
  const json& selector_json = Member(pipeline, "selector");
  if (!selector_json.is_array()) return Corrupt("pipeline: no selector");
  std::vector<std::string> names;
  for (const auto& name : selector_json) {
    if (!name.is_string()) return Corrupt("pipeline: selector names must be strings");
    names.push_back(name.get<std::string>());
  }
  auto selector = ParseSelector(names);
  if (!selector.ok()) return Corrupt("pipeline: " + selector.status().message());
  for (Feature f : *selector) {
    if (static_cast<size_t>(f) >= feature_count)
      return Corrupt("pipeline: selector names a feature the pipeline lacks");
  }

  auto loaded =
      algorithm->Load(Member(doc, std::string(algorithm->name()).c_str()), *selector, transform);
  if (!loaded.ok()) return loaded.status();
  ModelDocument document;
  document.training = Member(doc, "training");
  document.model = std::move(loaded->model);
  document.spec = std::move(loaded->spec);
  const json& calibration = Member(doc, "calibration");
  if (!calibration.is_null()) {
    Calibration c;
    const json& residuals = Member(calibration, "abs_log_residuals");
    if (Member(calibration, "method") != json("split-conformal") ||
        !FiniteArray(residuals, residuals.size(), &c.residuals) ||
        !std::is_sorted(c.residuals.begin(), c.residuals.end()) ||
        (!c.residuals.empty() && c.residuals.front() < 0)) {
      return Corrupt("calibration: abs_log_residuals must be ascending non-negative numbers");
    }
    document.calibration = std::move(c);
  }
  return document;
}

Result<ModelDocument> ParseModelFile(std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Corrupt("not valid JSON");
  return ModelFromJson(doc);
}

}  // namespace diamond::ml
