#include "ml/metrics.h"

#include <cmath>

namespace diamond::ml {

Metrics ComputeMetrics(std::span<const double> actual, std::span<const double> predicted) {
  Metrics m;
  m.rows = static_cast<int64_t>(actual.size());
  if (actual.empty()) return m;
  const double n = static_cast<double>(actual.size());
  double mean = 0;
  for (double a : actual) mean += a;
  mean /= n;
  double abs_sum = 0, sq_sum = 0, tot_sum = 0, pct_sum = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double err = predicted[i] - actual[i];
    abs_sum += std::abs(err);
    sq_sum += err * err;
    tot_sum += (actual[i] - mean) * (actual[i] - mean);
    pct_sum += std::abs(err) / std::abs(actual[i]);
  }
  m.mae = abs_sum / n;
  m.rmse = std::sqrt(sq_sum / n);
  m.r2 = tot_sum > 0 ? 1.0 - sq_sum / tot_sum : 0.0;
  m.mape = pct_sum / n;
  return m;
}

}  // namespace diamond::ml
