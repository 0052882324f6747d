#include "core/number_parse.h"

#include <fast_float/fast_float.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>

namespace diamond {
namespace {

// The plain-decimal fast path must return the very double fast_float returns.
TEST(ParseFiniteNumber, PlainDecimalsMatchFastFloatBitForBit) {
  std::mt19937_64 rng(3);
  std::string error;
  for (int i = 0; i < 200000; ++i) {
    std::string text;
    if (rng() % 4 == 0) text += '-';
    const int integer_digits = 1 + static_cast<int>(rng() % 9);
    for (int d = 0; d < integer_digits; ++d) text += static_cast<char>('0' + rng() % 10);
    const int fraction_digits = static_cast<int>(rng() % 9);
    if (fraction_digits > 0) text += '.';
    for (int d = 0; d < fraction_digits; ++d) text += static_cast<char>('0' + rng() % 10);
    double ours = 0;
    ASSERT_TRUE(ParseFiniteNumber(text, &ours, &error)) << text << ": " << error;
    double reference = 0;
    fast_float::from_chars(text.data(), text.data() + text.size(), reference);
    ASSERT_EQ(std::memcmp(&ours, &reference, sizeof ours), 0) << text;
  }
}

TEST(ParseFiniteNumber, OtherFormsAndErrors) {
  std::string error;
  double v = 0;
  for (auto [text, expected] :
       std::vector<std::pair<std::string, double>>{{" 0.31 ", 0.31},
                                                   {"+2.5", 2.5},
                                                   {"1e2", 100},
                                                   {"1.", 1},
                                                   {".5", 0.5},
                                                   {"1234567890123456789", 1234567890123456789.0},
                                                   {"-0", -0.0}}) {
    ASSERT_TRUE(ParseFiniteNumber(text, &v, &error)) << text;
    EXPECT_EQ(v, expected) << text;
  }
  EXPECT_TRUE(std::signbit((ParseFiniteNumber("-0.0", &v, &error), v)));
  for (const char* bad : {"", "  ", "abc", "1.2.3", "+-1", "1,5", "--1", "1e999", "nan", "0x10"}) {
    EXPECT_FALSE(ParseFiniteNumber(bad, &v, &error)) << bad;
    EXPECT_FALSE(error.empty());
  }
}

}  // namespace
}  // namespace diamond
