#include "ml/linear_model.h"

#include <cmath>

#include "ml/linear_regression.h"

namespace diamond::ml {

LinearModel::LinearModel(LinearSpec spec, FeatureTransform transform, double intercept,
                         std::vector<double> coefficients)
    : spec_(std::move(spec)),
      transform_(transform),
      intercept_(intercept),
      coefficients_(std::move(coefficients)) {}

Result<LinearModel> LinearModel::Fit(std::span<const Diamond> rows, const LinearSpec& spec) {
  if (rows.empty()) return Status::InvalidArgument("no training rows left after cleaning");
  if (spec.selector.empty()) return Status::InvalidArgument("the selector names no feature");
  FeatureTransform transform = FitFeatureTransform(rows);

  const auto n = static_cast<Eigen::Index>(rows.size());
  const auto k = static_cast<Eigen::Index>(spec.selector.size());
  Eigen::MatrixXd x(n, k);
  Eigen::VectorXd y(n);
  for (Eigen::Index r = 0; r < n; ++r) {
    const Diamond& stone = rows[static_cast<size_t>(r)];
    for (Eigen::Index c = 0; c < k; ++c) {
      const auto f = static_cast<size_t>(spec.selector[static_cast<size_t>(c)]);
      x(r, c) = (UnscaledFeature(spec.selector[static_cast<size_t>(c)], stone, transform) -
                 transform.mean[f]) /
                transform.scale[f];
    }
    y(r) = std::log(*stone.price);
  }
  LinearFit fit = FitLinear(x, y, spec.positive);
  if (!std::isfinite(fit.intercept) || !fit.coefficients.allFinite()) {
    return Status::InvalidArgument("the fit did not produce finite coefficients");
  }
  return LinearModel(spec, transform, fit.intercept,
                     std::vector<double>(fit.coefficients.begin(), fit.coefficients.end()));
}

double LinearModel::PredictLogPrice(const Diamond& stone) const {
  double log_price = intercept_;
  for (size_t c = 0; c < coefficients_.size(); ++c) {
    const Feature feature = spec_.selector[c];
    const auto f = static_cast<size_t>(feature);
    log_price +=
        coefficients_[c] *
        ((UnscaledFeature(feature, stone, transform_) - transform_.mean[f]) / transform_.scale[f]);
  }
  return log_price;
}

void LinearModel::Explain(const Diamond& stone, Explanation* out) const {
  out->base = intercept_;
  out->effects.resize(coefficients_.size());
  out->log_price = intercept_;  // summed as PredictLogPrice sums
  for (size_t c = 0; c < coefficients_.size(); ++c) {
    const Feature feature = spec_.selector[c];
    const auto f = static_cast<size_t>(feature);
    out->effects[c] =
        coefficients_[c] *
        ((UnscaledFeature(feature, stone, transform_) - transform_.mean[f]) / transform_.scale[f]);
    out->log_price += out->effects[c];
  }
}

size_t LinearModel::MemoryBytes() const {
  return sizeof(*this) + spec_.selector.capacity() * sizeof(Feature) +
         coefficients_.capacity() * sizeof(double);
}

std::vector<double> LinearModel::Importances() const {
  std::vector<double> weights;
  for (double c : coefficients_) weights.push_back(std::abs(c));
  return Shares(std::move(weights));
}

nlohmann::ordered_json LinearModel::FileSection() const {
  return {{"positive", spec_.positive}, {"intercept", intercept_}, {"coefficients", coefficients_}};
}

nlohmann::ordered_json LinearModel::Summary() const {
  nlohmann::ordered_json coefficients = {{"intercept", intercept_}};
  for (size_t i = 0; i < spec_.selector.size(); ++i) {
    coefficients[std::string(FeatureName(spec_.selector[i]))] = coefficients_[i];
  }
  return {{"coefficients", coefficients}};
}

std::string LinearModel::Detail() const { return spec_.positive ? ", positive coefficients" : ""; }

}  // namespace diamond::ml
