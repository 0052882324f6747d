// The seed's model: the feature pipeline followed by a linear regressor on log(price).
// A fitted LinearModel is immutable and safe to share between threads.
#pragma once

#include <span>
#include <vector>

#include "core/diamond.h"
#include "core/status.h"
#include "ml/features.h"

namespace diamond::ml {

struct LinearSpec {
  std::vector<Feature> selector = DefaultSelector();
  bool positive = false;  // non-negative coefficients (the seed's linear__regressor__positive)
};

class LinearModel {
 public:
  LinearModel(LinearSpec spec, FeatureTransform transform, double intercept,
              std::vector<double> coefficients);

  // Fits on cleaned rows (see cleaning.h); every row must have a price > 0.
  static Result<LinearModel> Fit(std::span<const Diamond> rows, const LinearSpec& spec);

  // log(price) and price of a stone that passed CheckPriceable().
  double PredictLogPrice(const Diamond& stone) const;
  double PredictPrice(const Diamond& stone) const;

  const LinearSpec& spec() const { return spec_; }
  const FeatureTransform& transform() const { return transform_; }
  double intercept() const { return intercept_; }
  // One per selected feature, in selector order, on the standard-scaled feature.
  const std::vector<double>& coefficients() const { return coefficients_; }

 private:
  LinearSpec spec_;
  FeatureTransform transform_;
  double intercept_;
  std::vector<double> coefficients_;
};

}  // namespace diamond::ml
