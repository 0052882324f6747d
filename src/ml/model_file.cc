#include "ml/model_file.h"

#include <cmath>

#include "core/diamond.h"
#include "core/grades.h"

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

json FeatureNames() {
  json out = json::array();
  for (Feature f : AllFeatures()) out.push_back(FeatureName(f));
  return out;
}

json LogFeatureNames() {
  json out = json::array();
  for (Feature f : AllFeatures()) {
    if (IsLogFeature(f)) out.push_back(FeatureName(f));
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

json ModelToJson(const TrainingOutcome& outcome, const DataLineage& training_data,
                 const std::optional<DataLineage>& validation_data, std::string_view created_at) {
  const LinearModel& model = outcome.model;
  const FeatureTransform& t = model.transform();
  json selector = json::array();
  json coefficients = json::object();
  for (size_t i = 0; i < model.spec().selector.size(); ++i) {
    selector.push_back(FeatureName(model.spec().selector[i]));
  }
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
  return {
      {"format", kModelFormat},
      {"format_version", kModelFormatVersion},
      {"algorithm", "linear"},
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
      {"linear",
       {{"positive", model.spec().positive},
        {"intercept", model.intercept()},
        {"coefficients", model.coefficients()}}},
      {"training",
       {{"created_at", created_at},
        {"data", LineageToJson(training_data)},
        {"cleaning", CleaningToJson(outcome.cleaning)},
        {"rows_fit", outcome.rows_fit},
        {"validation", validation},
        {"metrics", metrics}}},
  };
}

Result<ModelDocument> ModelFromJson(const json& doc) {
  if (!doc.is_object()) return Corrupt("not a JSON object");
  if (Member(doc, "format") != json(std::string(kModelFormat))) {
    return Corrupt("'format' is not \"" + std::string(kModelFormat) + "\"");
  }
  const json& version = Member(doc, "format_version");
  if (!version.is_number_integer()) return Corrupt("no format_version");
  if (version.get<int64_t>() != kModelFormatVersion) {
    return Status::Corruption("unsupported model format_version " +
                              std::to_string(version.get<int64_t>()) + " (this build reads " +
                              std::to_string(kModelFormatVersion) + ")");
  }
  if (Member(doc, "algorithm") != json("linear")) return Corrupt("unknown 'algorithm'");
  // Codes are positions in these lists: a file made with other scales would price wrongly.
  if (Member(doc, "encodings") != Encodings()) return Corrupt("unexpected grade encodings");
  if (Member(doc, "inputs") != Inputs()) return Corrupt("unexpected inputs");

  const json& pipeline = Member(doc, "pipeline");
  if (Member(pipeline, "features") != FeatureNames() ||
      Member(pipeline, "log_features") != LogFeatureNames()) {
    return Corrupt("unexpected pipeline features");
  }
  std::string error;
  FeatureTransform transform;
  transform.table_mean = FiniteAt(pipeline, "table_mean", &error);
  transform.depth_mean = FiniteAt(pipeline, "depth_mean", &error);
  if (!error.empty()) return Corrupt("pipeline: " + error);
  std::vector<double> mean, scale;
  if (!FiniteArray(Member(pipeline, "scaler_mean"), kNumFeatures, &mean) ||
      !FiniteArray(Member(pipeline, "scaler_scale"), kNumFeatures, &scale)) {
    return Corrupt("pipeline: scaler_mean and scaler_scale need 13 finite numbers each");
  }
  for (size_t i = 0; i < kNumFeatures; ++i) {
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

  const json& linear = Member(doc, "linear");
  const json& positive = Member(linear, "positive");
  if (!positive.is_boolean()) return Corrupt("linear: no 'positive'");
  double intercept = FiniteAt(linear, "intercept", &error);
  if (!error.empty()) return Corrupt("linear: " + error);
  std::vector<double> coefficients;
  if (!FiniteArray(Member(linear, "coefficients"), selector->size(), &coefficients)) {
    return Corrupt("linear: coefficients need one finite number per selected feature");
  }
  LinearSpec spec{*selector, positive.get<bool>()};
  return ModelDocument{LinearModel(spec, transform, intercept, std::move(coefficients)),
                       Member(doc, "training")};
}

Result<ModelDocument> ParseModelFile(std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Corrupt("not valid JSON");
  return ModelFromJson(doc);
}

}  // namespace diamond::ml
