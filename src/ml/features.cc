#include "ml/features.h"

#include <algorithm>
#include <cmath>

namespace diamond::ml {
namespace {

constexpr std::array<std::string_view, kNumFeatures> kNames = {"carat",
                                                               "cut",
                                                               "color",
                                                               "clarity",
                                                               "depth",
                                                               "table",
                                                               "x",
                                                               "y",
                                                               "z",
                                                               "volume",
                                                               "eccentricity",
                                                               "table_distance",
                                                               "depth_distance",
                                                               "volume_per_carat"};

}  // namespace

std::string_view FeatureName(Feature feature) { return kNames[static_cast<size_t>(feature)]; }

std::optional<Feature> FeatureFromName(std::string_view name) {
  for (size_t i = 0; i < kNumFeatures; ++i) {
    if (kNames[i] == name) return static_cast<Feature>(i);
  }
  return std::nullopt;
}

const std::array<Feature, kNumFeatures>& AllFeatures() {
  static const std::array<Feature, kNumFeatures> kAll = [] {
    std::array<Feature, kNumFeatures> all{};
    for (size_t i = 0; i < kNumFeatures; ++i) all[i] = static_cast<Feature>(i);
    return all;
  }();
  return kAll;
}

bool IsLogFeature(Feature feature) {
  return feature == Feature::kCarat || feature == Feature::kX || feature == Feature::kY ||
         feature == Feature::kZ || feature == Feature::kVolume ||
         feature == Feature::kVolumePerCarat;
}

bool IsIncreasingFeature(Feature feature) {
  switch (feature) {
    case Feature::kCarat:
    case Feature::kCut:
    case Feature::kColor:
    case Feature::kClarity:
    case Feature::kX:
    case Feature::kY:
    case Feature::kZ:
    case Feature::kVolume:
      return true;
    default:
      return false;
  }
}

std::vector<Feature> DefaultSelector() {
  return {Feature::kCarat, Feature::kCut, Feature::kColor, Feature::kClarity};
}

std::vector<Feature> DefaultGbdtSelector() {
  return {Feature::kCarat,         Feature::kCut,           Feature::kColor,
          Feature::kClarity,       Feature::kDepth,         Feature::kTable,
          Feature::kEccentricity,  Feature::kTableDistance, Feature::kDepthDistance,
          Feature::kVolumePerCarat};
}

std::string JoinFeatureNames(std::span<const Feature> features) {
  std::string out;
  for (Feature f : features) {
    if (!out.empty()) out += ',';
    out += FeatureName(f);
  }
  return out;
}

Result<std::vector<Feature>> ParseSelector(std::span<const std::string> names) {
  const std::string allowed = JoinFeatureNames(AllFeatures());
  if (names.empty())
    return Status::InvalidArgument("the selector names no feature (allowed: " + allowed + ")");
  std::vector<Feature> selected;
  for (const auto& name : names) {
    auto feature = FeatureFromName(name);
    if (!feature) {
      return Status::InvalidArgument("unknown feature '" + name + "' (allowed: " + allowed + ")");
    }
    if (std::find(selected.begin(), selected.end(), *feature) != selected.end()) {
      return Status::InvalidArgument("feature '" + name + "' is selected twice");
    }
    selected.push_back(*feature);
  }
  return selected;
}

double UnscaledFeature(Feature feature, const Diamond& s, const FeatureTransform& t) {
  switch (feature) {
    case Feature::kCarat:
      return std::log(s.carat);
    case Feature::kCut:
      return s.cut;
    case Feature::kColor:
      return s.color;
    case Feature::kClarity:
      return s.clarity;
    case Feature::kDepth:
      return s.depth;
    case Feature::kTable:
      return s.table;
    case Feature::kX:
      return std::log(s.x);
    case Feature::kY:
      return std::log(s.y);
    case Feature::kZ:
      return std::log(s.z);
    case Feature::kVolume:
      return std::log(s.x * s.y * s.z);
    case Feature::kEccentricity:
      return std::sqrt(1.0 - std::min(s.x, s.y) / std::max(s.x, s.y));
    case Feature::kTableDistance:
      return std::abs(s.table - t.table_mean);
    case Feature::kDepthDistance:
      return std::abs(s.depth - t.depth_mean);
    case Feature::kVolumePerCarat:
      return std::log(s.x * s.y * s.z / s.carat);
  }
  return 0;
}

FeatureRow UnscaledFeatures(const Diamond& stone, const FeatureTransform& transform) {
  FeatureRow row{};
  for (Feature f : AllFeatures())
    row[static_cast<size_t>(f)] = UnscaledFeature(f, stone, transform);
  return row;
}

FeatureTransform FitFeatureTransform(std::span<const Diamond> rows) {
  FeatureTransform t;
  const double n = static_cast<double>(rows.size());
  for (const auto& s : rows) {
    t.table_mean += s.table;
    t.depth_mean += s.depth;
  }
  t.table_mean /= n;
  t.depth_mean /= n;

  // Two passes (mean, then squared deviations) for a numerically stable variance.
  FeatureRow sum{};
  for (const auto& s : rows) {
    FeatureRow f = UnscaledFeatures(s, t);
    for (size_t i = 0; i < kNumFeatures; ++i) sum[i] += f[i];
  }
  for (size_t i = 0; i < kNumFeatures; ++i) t.mean[i] = sum[i] / n;
  FeatureRow sq{};
  for (const auto& s : rows) {
    FeatureRow f = UnscaledFeatures(s, t);
    for (size_t i = 0; i < kNumFeatures; ++i) sq[i] += (f[i] - t.mean[i]) * (f[i] - t.mean[i]);
  }
  for (size_t i = 0; i < kNumFeatures; ++i) {
    double sd = std::sqrt(sq[i] / n);
    // A constant feature is left unscaled, as sklearn's StandardScaler does.
    t.scale[i] = sd > 0 ? sd : 1.0;
  }
  return t;
}

}  // namespace diamond::ml
