#include "ml/model.h"

#include <numeric>

namespace diamond::ml {

double FeatureValue(Feature feature, const Diamond& s, const FeatureTransform& t) {
  switch (feature) {
    case Feature::kCarat:
      return s.carat;
    case Feature::kX:
      return s.x;
    case Feature::kY:
      return s.y;
    case Feature::kZ:
      return s.z;
    case Feature::kVolume:
      return s.x * s.y * s.z;
    case Feature::kVolumePerCarat:
      return s.x * s.y * s.z / s.carat;  // mm³ per carat
    default:
      return UnscaledFeature(feature, s, t);  // not logged: the pipeline's own value
  }
}

std::vector<double> Shares(std::vector<double> weights) {
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  if (total > 0) {
    for (double& w : weights) w /= total;
  }
  return weights;
}

}  // namespace diamond::ml
