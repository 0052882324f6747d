#include "ml/gbdt_model.h"

#include <algorithm>

#include "ml/hyperparameters.h"

namespace diamond::ml {

GbdtModel::GbdtModel(GbdtSpec spec, FeatureTransform transform,
                     nlohmann::ordered_json xgboost_model, TreeEnsemble ensemble)
    : spec_(std::move(spec)),
      transform_(transform),
      xgboost_model_(std::move(xgboost_model)),
      ensemble_(std::move(ensemble)) {}

Result<GbdtModel> GbdtModel::FromXgboost(GbdtSpec spec, FeatureTransform transform,
                                         nlohmann::ordered_json xgboost_model) {
  auto ensemble = TreeEnsemble::FromXgboostJson(xgboost_model, spec.selector.size());
  if (!ensemble.ok()) return ensemble.status();
  return GbdtModel(std::move(spec), transform, std::move(xgboost_model),
                   std::move(ensemble).value());
}

std::array<double, kNumFeatures> GbdtModel::Row(const Diamond& stone) const {
  std::array<double, kNumFeatures> row{};
  for (size_t c = 0; c < spec_.selector.size(); ++c) {
    row[c] = UnscaledFeature(spec_.selector[c], stone, transform_);
  }
  return row;
}

double GbdtModel::PredictLogPrice(const Diamond& stone) const {
  const auto row = Row(stone);
  return ensemble_.Predict(std::span<const double>(row.data(), spec_.selector.size()));
}

void GbdtModel::Explain(const Diamond& stone, Explanation* out) const {
  const auto row = Row(stone);
  out->effects.assign(spec_.selector.size(), 0.0);
  out->base = ensemble_.Shap(std::span<const double>(row.data(), spec_.selector.size()),
                             out->effects, &out->log_price);
}

namespace {

// The nodes, strings and containers of a JSON document, roughly as the library lays them
// out: enough to bound a cache by, not an allocator's exact count.
size_t JsonBytes(const nlohmann::ordered_json& value) {
  size_t bytes = sizeof(value);
  if (value.is_string()) {
    bytes += value.get_ref<const std::string&>().capacity();
  } else if (value.is_array()) {
    for (const auto& item : value) bytes += JsonBytes(item);
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items())
      bytes += sizeof(std::string) + key.capacity() + JsonBytes(item);
  }
  return bytes;
}

}  // namespace

size_t GbdtModel::MemoryBytes() const {
  return sizeof(*this) + spec_.selector.capacity() * sizeof(Feature) + ensemble_.MemoryBytes() +
         JsonBytes(xgboost_model_);
}

std::vector<double> GbdtModel::Importances() const {
  std::vector<double> gain = ensemble_.TotalGain();
  for (double& g : gain) g = std::max(g, 0.0);
  return Shares(std::move(gain));
}

std::vector<float> GbdtFeatureMatrix(std::span<const Diamond> rows,
                                     const std::vector<Feature>& selector,
                                     const FeatureTransform& transform) {
  std::vector<float> matrix;
  matrix.reserve(rows.size() * selector.size());
  for (const Diamond& stone : rows) {
    for (Feature f : selector)
      matrix.push_back(static_cast<float>(UnscaledFeature(f, stone, transform)));
  }
  return matrix;
}

nlohmann::ordered_json GbdtModel::FileSection() const {
  return {{"hyperparameters", HyperparametersToJson(ModelSpec(spec_))},
          {"monotone_constraints", MonotoneConstraintsJson(spec_)},
          {"rounds", rounds()},
          {"xgboost", xgboost_model_}};
}

nlohmann::ordered_json GbdtModel::Summary() const {
  return {{"rounds", rounds()}, {"monotone_constraints", MonotoneConstraintsJson(spec_)}};
}

std::string GbdtModel::Detail() const { return ", " + std::to_string(rounds()) + " rounds"; }

nlohmann::ordered_json MonotoneConstraintsJson(const GbdtSpec& spec) {
  nlohmann::ordered_json constraints = nlohmann::ordered_json::object();
  const std::vector<int> monotone = MonotoneConstraints(spec);
  for (size_t i = 0; i < monotone.size(); ++i) {
    if (monotone[i] != 0) constraints[std::string(FeatureName(spec.selector[i]))] = monotone[i];
  }
  return constraints;
}

}  // namespace diamond::ml
