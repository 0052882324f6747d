#include "core/price_format.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <random>
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

TEST(FormatSignificant, ShortPlainDecimalsWithinFiveTimesTenToTheMinusTwelve) {
  char buf[kPriceTextMax];
  EXPECT_EQ(FormatSignificant(1.05, buf), "1.05");
  EXPECT_EQ(FormatSignificant(0.934, buf), "0.934");
  EXPECT_EQ(FormatSignificant(-2.5, buf), "-2.5");
  EXPECT_EQ(FormatSignificant(175.672, buf), "175.672");
  EXPECT_EQ(FormatSignificant(1.2948333489987498, buf), "1.294833349");  // 1.29483334900
  EXPECT_EQ(FormatSignificant(0.99999999999999, buf), "1");
  EXPECT_EQ(FormatSignificant(123456789012345.0, buf), "123456789012345");
  EXPECT_EQ(FormatSignificant(0.0, buf), "0");
  EXPECT_EQ(FormatSignificant(1e-9, buf), "1e-09");
  // Rounding that adds a digit, the smallest plain value, a lone fraction digit.
  EXPECT_EQ(FormatSignificant(9.9999999999996, buf), "10");
  EXPECT_EQ(FormatSignificant(-999999.99999999, buf), "-1000000");
  EXPECT_EQ(FormatSignificant(1e-7, buf), "0.0000001");
  EXPECT_EQ(FormatSignificant(0.5, buf), "0.5");
  EXPECT_EQ(FormatSignificant(1234567.891234567, buf), "1234567.89123");
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> exponent(-7, 15);
  for (int i = 0; i < 200000; ++i) {
    const double value = std::pow(10.0, exponent(rng)) * (i % 2 ? 1 : -1);
    const std::string text(FormatSignificant(value, buf));
    double parsed = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    ASSERT_EQ(error, std::errc()) << text;
    ASSERT_EQ(end, text.data() + text.size()) << text;
    ASSERT_LE(std::abs(parsed - value), 5e-12 * std::abs(value)) << value << " -> " << text;
    ASSERT_EQ(text.find('e'), std::string::npos) << text;  // plain decimals
  }
}

}  // namespace
}  // namespace diamond
