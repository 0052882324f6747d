#include "ml/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace diamond::ml {
namespace {

TEST(Metrics, KnownValues) {
  std::vector<double> actual = {100, 200, 300, 400};
  std::vector<double> predicted = {110, 190, 330, 400};
  Metrics m = ComputeMetrics(actual, predicted);
  EXPECT_EQ(m.rows, 4);
  EXPECT_DOUBLE_EQ(m.mae, (10 + 10 + 30 + 0) / 4.0);
  EXPECT_DOUBLE_EQ(m.rmse, std::sqrt((100 + 100 + 900 + 0) / 4.0));
  EXPECT_DOUBLE_EQ(m.r2, 1 - 1100.0 / 50000.0);
  EXPECT_DOUBLE_EQ(m.mape, (0.1 + 0.05 + 0.1 + 0) / 4);
}

TEST(Metrics, PerfectPrediction) {
  std::vector<double> actual = {1, 2, 3};
  Metrics m = ComputeMetrics(actual, actual);
  EXPECT_EQ(m.mae, 0);
  EXPECT_EQ(m.r2, 1);
}

}  // namespace
}  // namespace diamond::ml
