// The seed's model: the feature pipeline followed by a linear regressor on log(price).
// A fitted LinearModel is immutable and safe to share between threads.
#pragma once

#include <span>
#include <vector>

#include "core/diamond.h"
#include "core/status.h"
#include "ml/features.h"
#include "ml/model.h"

namespace diamond::ml {

struct LinearSpec {
  std::vector<Feature> selector = DefaultSelector();
  bool positive = false;  // non-negative coefficients (the seed's linear__regressor__positive)
};
// The linear algorithm (linear_algorithm.cc), for ModelSpec(LinearSpec{...}).
class Algorithm;
const Algorithm& AlgorithmOf(const LinearSpec&);

class LinearModel final : public Model {
 public:
  LinearModel(LinearSpec spec, FeatureTransform transform, double intercept,
              std::vector<double> coefficients);

  // Fits on cleaned rows (see cleaning.h); every row must have a price > 0.
  static Result<LinearModel> Fit(std::span<const Diamond> rows, const LinearSpec& spec);

  std::string_view algorithm() const override { return "linear"; }
  const std::vector<Feature>& features() const override { return spec_.selector; }
  const FeatureTransform& transform() const override { return transform_; }
  double PredictLogPrice(const Diamond& stone) const override;
  // Exact: base = intercept, effect = coefficient × scaled feature value.
  void Explain(const Diamond& stone, Explanation* out) const override;
  // |coefficient| shares: the coefficients are on standard-scaled features, so comparable.
  std::vector<double> Importances() const override;
  size_t MemoryBytes() const override;
  int64_t ExplanationCost() const override {
    return static_cast<int64_t>(coefficients_.size()) + 1;
  }
  nlohmann::ordered_json FileSection() const override;
  nlohmann::ordered_json Summary() const override;
  std::string Detail() const override;

  const LinearSpec& spec() const { return spec_; }
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
