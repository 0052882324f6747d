#include "core/price_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace diamond {
namespace {

std::string Format(double price) {
  char buf[kPriceTextMax];
  return std::string(FormatPrice(price, buf));
}

TEST(PriceFormat, TwoDecimalsRoundedToTheCent) {
  EXPECT_EQ(Format(4345.348), "4345.35");
  EXPECT_EQ(Format(4345.344), "4345.34");
  EXPECT_EQ(Format(0.004), "0.00");
  EXPECT_EQ(Format(0.5), "0.50");
  EXPECT_EQ(Format(7), "7.00");
  EXPECT_EQ(Format(99.999), "100.00");
  EXPECT_EQ(Format(-12.345678), "-12.35");
}

TEST(PriceFormat, HugeAndNonFiniteFallBackToToChars) {
  EXPECT_EQ(Format(1e15), "1000000000000000.00");
  EXPECT_EQ(Format(std::numeric_limits<double>::infinity()), "inf");
}

TEST(PriceFormat, AgreesWithPrintfAwayFromHalfCentTies) {
  for (double p = 0.013; p < 200000; p = p * 1.37 + 0.011) {
    char expected[64];
    std::snprintf(expected, sizeof expected, "%.2f", p);
    EXPECT_EQ(Format(p), expected) << p;
  }
}

}  // namespace
}  // namespace diamond
