#include "ml/conformal.h"

#include <gtest/gtest.h>

namespace diamond::ml {
namespace {

Calibration OfResiduals(int n) {
  Calibration c;
  for (int i = 1; i <= n; ++i) c.residuals.push_back(0.01 * i);
  return c;
}

TEST(Conformal, HalfWidthIsTheCeilNPlusOneAlphaThResidual) {
  const Calibration c = OfResiduals(99);      // residuals 0.01 .. 0.99
  EXPECT_DOUBLE_EQ(*c.HalfWidth(0.9), 0.90);  // ceil(100 × 0.9) = 90th
  EXPECT_DOUBLE_EQ(*c.HalfWidth(0.5), 0.50);
  EXPECT_DOUBLE_EQ(*c.HalfWidth(0.901), 0.91);  // rounds up, never down
  EXPECT_DOUBLE_EQ(*c.HalfWidth(0.99), 0.99);
  EXPECT_DOUBLE_EQ(c.MaxLevel(), 0.99);
}

TEST(Conformal, RefusesLevelsItCannotPromise) {
  const Calibration c = OfResiduals(9);
  EXPECT_FALSE(c.HalfWidth(0.95).ok());  // ceil(10 × 0.95) = 10 > 9 residuals
  EXPECT_TRUE(c.HalfWidth(0.9).ok());
  EXPECT_FALSE(c.HalfWidth(0).ok());
  EXPECT_FALSE(c.HalfWidth(1).ok());
  EXPECT_FALSE(c.HalfWidth(-0.5).ok());
  EXPECT_FALSE(c.HalfWidth(std::nan("")).ok());
  EXPECT_FALSE(Calibration{}.HalfWidth(0.5).ok());
}

}  // namespace
}  // namespace diamond::ml
