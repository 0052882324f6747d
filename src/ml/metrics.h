// Regression metrics on prices (not log prices), as scikit-learn defines them.
#pragma once

#include <cstdint>
#include <span>

namespace diamond::ml {

struct Metrics {
  int64_t rows = 0;
  double mae = 0;   // mean absolute error, in price units
  double rmse = 0;  // root mean squared error, in price units
  double r2 = 0;    // coefficient of determination (1 is perfect)
  double mape = 0;  // mean absolute percentage error, as a fraction (0.1 = 10 %)
};

// `actual` and `predicted` have the same, non-zero length; actual prices are > 0.
Metrics ComputeMetrics(std::span<const double> actual, std::span<const double> predicted);

}  // namespace diamond::ml
