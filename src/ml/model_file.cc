#include "ml/model_file.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/diamond.h"
#include "core/grades.h"
#include "ml/gbdt_model.h"
#include "ml/hyperparameters.h"
#include "ml/linear_model.h"

namespace diamond::ml {
namespace {

using json = nlohmann::ordered_json;

// The member `key` of `object`, or null if `object` is not an object or lacks it.
// (json::value() throws on a type mismatch, and a model file may be hostile.)
const json& Member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}


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

// Reads a finite number at `key` of `object`; records the first problem in *error.
double FiniteAt(const json& object, const char* key, std::string* error) {
  const json& member = Member(object, key);
  if (!member.is_number()) {
    if (error->empty()) *error = std::string("'") + key + "' is missing or not a number";
    return 0;
  }
  double value = member.get<double>();
  if (!std::isfinite(value) && error->empty()) *error = std::string("'") + key + "' is not finite";
  return value;
}

bool FiniteArray(const json& value, size_t size, std::vector<double>* out) {
  if (!value.is_array() || value.size() != size) return false;
  out->clear();
  for (const auto& v : value) {
    if (!v.is_number()) return false;
    out->push_back(v.get<double>());
    if (!std::isfinite(out->back())) return false;
  }
  return true;
}

Status Corrupt(const std::string& why) { return Status::Corruption("invalid model file: " + why); }

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
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return shares[a] > shares[b]; });
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

json MonotoneConstraintsJson(const GbdtSpec& spec) {
  json constraints = json::object();
  const std::vector<int> monotone = MonotoneConstraints(spec);
  for (size_t i = 0; i < monotone.size(); ++i) {
    if (monotone[i] != 0) constraints[std::string(FeatureName(spec.selector[i]))] = monotone[i];
  }
  return constraints;
}

json MonotonicityToJson(const MonotonicityReport& report) {
  json checks = json::object();
  for (const MonotonicityCheck& check : report.checks) {
    checks[check.name] = {{"steps", check.steps},
                          {"inversions", check.inversions},
                          {"worst_drop", check.worst_drop}};
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
  if (const auto* linear = dynamic_cast<const LinearModel*>(&model)) {
    doc["linear"] = {{"positive", linear->spec().positive},
                     {"intercept", linear->intercept()},
                     {"coefficients", linear->coefficients()}};
  } else if (const auto* gbdt = dynamic_cast<const GbdtModel*>(&model)) {
    ModelSpec spec;
    spec.algorithm = ModelSpec::Algorithm::kGbdt;
    spec.gbdt = gbdt->spec();
    doc["gbdt"] = {{"hyperparameters", HyperparametersToJson(spec)},
                   {"monotone_constraints", MonotoneConstraintsJson(spec.gbdt)},
                   {"rounds", gbdt->rounds()},
                   {"xgboost", gbdt->xgboost_model()}};
  }
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
                              " (this build reads 1 and " + std::to_string(kModelFormatVersion) + ")");
  }
  const json& algorithm = Member(doc, "algorithm");
  const bool is_gbdt = version >= 2 && algorithm == json("gbdt");
  if (algorithm != json("linear") && !is_gbdt) return Corrupt("unknown 'algorithm'");
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
    if (static_cast<size_t>(f) >= feature_count) return Corrupt("pipeline: selector names a feature the pipeline lacks");
  }

  ModelDocument document;
  document.training = Member(doc, "training");
  if (is_gbdt) {
    const json& gbdt = Member(doc, "gbdt");
    std::vector<SpecProblem> problems;
    // Trees written before "monotone" existed were not constrained.
    ModelSpec base;
    base.gbdt.monotone = false;
    document.spec = ParseHyperparameters(ModelSpec::Algorithm::kGbdt,
                                         Member(gbdt, "hyperparameters"), base, &problems);
    if (!problems.empty()) {
      return Corrupt("gbdt hyperparameters: " + problems.front().field + " " + problems.front().message);
    }
    if (document.spec.gbdt.selector != *selector) return Corrupt("gbdt: selector differs from the pipeline's");
    auto model = GbdtModel::FromXgboost(document.spec.gbdt, transform, Member(gbdt, "xgboost"));
    if (!model.ok()) return model.status();
    document.model = std::make_shared<GbdtModel>(std::move(model).value());
  } else {
    const json& linear = Member(doc, "linear");
    const json& positive = Member(linear, "positive");
    if (!positive.is_boolean()) return Corrupt("linear: no 'positive'");
    double intercept = FiniteAt(linear, "intercept", &error);
    if (!error.empty()) return Corrupt("linear: " + error);
    std::vector<double> coefficients;
    if (!FiniteArray(Member(linear, "coefficients"), selector->size(), &coefficients)) {
      return Corrupt("linear: coefficients need one finite number per selected feature");
    }
    document.spec.linear = LinearSpec{*selector, positive.get<bool>()};
    document.model = std::make_shared<LinearModel>(document.spec.linear, transform, intercept,
                                                   std::move(coefficients));
  }
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
