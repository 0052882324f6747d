#include "ml/conformal.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace diamond::ml {

double Calibration::MaxLevel() const {
  const auto n = static_cast<double>(residuals.size());
  return n / (n + 1);
}

Result<double> Calibration::HalfWidth(double level) const {
  if (!(level > 0 && level < 1)) {
    return Status::InvalidArgument("interval must be a level between 0 and 1, e.g. 0.9");
  }
  if (residuals.empty()) {
    return Status::InvalidArgument(
        "the model has no interval calibration: it was trained without held-out rows");
  }
  const auto n = static_cast<double>(residuals.size());
  const double rank = std::ceil((n + 1) * level);  // 1-based
  if (rank > n) {
    return Status::InvalidArgument(
        "interval " + std::to_string(level) + " is above what " + std::to_string(residuals.size()) +
        " calibration rows support (at most " + std::to_string(MaxLevel()) + ")");
  }
  return residuals[static_cast<size_t>(rank) - 1];
}

Calibration Calibrate(const Model& model, std::span<const Diamond> rows) {
  Calibration calibration;
  calibration.residuals.reserve(rows.size());
  for (const Diamond& stone : rows) {
    calibration.residuals.push_back(
        std::abs(std::log(*stone.price) - model.PredictLogPrice(stone)));
  }
  std::sort(calibration.residuals.begin(), calibration.residuals.end());
  return calibration;
}

}  // namespace diamond::ml
