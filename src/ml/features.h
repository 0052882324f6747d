// The seed's feature pipeline, stage by stage (DESIGN.md, "The model"):
//   ordinal codes → derived features (volume, eccentricity, table/depth distance)
//   → log of x, y, z, volume, carat, volume per carat → standard scaling → selector.
// Pure functions of a Diamond and fitted statistics; no I/O, no globals.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/diamond.h"
#include "core/status.h"

namespace diamond::ml {

// Every feature the pipeline produces, in the order the scaler sees them.
enum class Feature {
  kCarat,
  kCut,
  kColor,
  kClarity,
  kDepth,
  kTable,
  kX,
  kY,
  kZ,
  kVolume,
  kEccentricity,
  kTableDistance,
  kDepthDistance,
  // log(x·y·z / carat): how much outline a carat buys, whatever the stone's size. With
  // eccentricity and depth it describes the shape without the size, so trees can be made
  // monotone in carat without being handed x, y, z (see DefaultGbdtSelector).
  kVolumePerCarat,
};
inline constexpr size_t kNumFeatures = 14;
// Model files written before volume_per_carat existed list the first 13 features.
inline constexpr size_t kLegacyNumFeatures = 13;
using FeatureRow = std::array<double, kNumFeatures>;

std::string_view FeatureName(Feature feature);
std::optional<Feature> FeatureFromName(std::string_view name);
const std::array<Feature, kNumFeatures>& AllFeatures();
// Whether the pipeline takes the log of this feature (x, y, z, volume, carat, volume per carat).
bool IsLogFeature(Feature feature);

// The seed's chosen selector: carat, cut, color, clarity.
std::vector<Feature> DefaultSelector();

// The trees' default: every feature that does not grow with the stone's size besides carat
// (carat, the grades, depth, table, eccentricity, the distances, volume per carat), so a
// bigger stone of the same shape differs from a smaller one in carat alone.
std::vector<Feature> DefaultGbdtSelector();

// Whether more of this feature is never worth less: carat, the grades (a higher code is a
// better grade) and the size measures x, y, z, volume. Monotone trees constrain these.
bool IsIncreasingFeature(Feature feature);

// Parses feature names; unknown, repeated or no names are an InvalidArgument that lists
// the allowed names.
Result<std::vector<Feature>> ParseSelector(std::span<const std::string> names);
std::string JoinFeatureNames(std::span<const Feature> features);

// Everything the pipeline learns from training rows.
struct FeatureTransform {
  double table_mean = 0;  // for table_distance
  double depth_mean = 0;  // for depth_distance
  FeatureRow mean{};      // per feature, after log, before scaling
  FeatureRow scale{};     // population standard deviation; 1 where it is 0 (as sklearn)
};

// One feature's value after derivation and log, before scaling.
double UnscaledFeature(Feature feature, const Diamond& stone, const FeatureTransform& transform);

// All features after derivation and log, before scaling.
FeatureRow UnscaledFeatures(const Diamond& stone, const FeatureTransform& transform);

// Fits the means used by the distances, then the scaler, on `rows` (cleaned, non-empty).
FeatureTransform FitFeatureTransform(std::span<const Diamond> rows);

}  // namespace diamond::ml
