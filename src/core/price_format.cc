#include "core/price_format.h"

#include <charconv>
#include <cmath>

namespace diamond {

std::string_view FormatPrice(double price, char* buf) {
  char* const end = buf + kPriceTextMax;
  if (!std::isfinite(price) || std::abs(price) >= 1e15) {
    auto result = std::to_chars(buf, end, price, std::chars_format::fixed, 2);
    return {buf, static_cast<size_t>(result.ptr - buf)};
  }
  long long cents = std::llround(price * 100);
  char* p = buf;
  if (cents < 0) {
    *p++ = '-';
    cents = -cents;
  }
  p = std::to_chars(p, end, cents / 100).ptr;
  const int rest = static_cast<int>(cents % 100);
  *p++ = '.';
  *p++ = static_cast<char>('0' + rest / 10);
  *p++ = static_cast<char>('0' + rest % 10);
  return {buf, static_cast<size_t>(p - buf)};
}

std::string_view FormatSignificant(double value, char* buf) {
  static constexpr int kDigits = 12;
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18};
  const double magnitude = std::fabs(value);
  if (!(magnitude >= 1e-7 && magnitude < 1e15)) {
    auto result = std::to_chars(buf, buf + kPriceTextMax, value);
    return {buf, static_cast<size_t>(result.ptr - buf)};
  }
  // The decimal exponent: 10^exponent <= magnitude < 10^(exponent + 1).
  static constexpr double kNegPow10[] = {1e0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7};
  int exponent = 0;
  if (magnitude >= 1) {
    while (exponent < 14 && magnitude >= kPow10[exponent + 1]) ++exponent;
  } else {
    while (magnitude < kNegPow10[-exponent]) --exponent;  // at most 7 steps
  }
  // Digits after the point, so that kDigits are significant; 0 for the largest values.
  const int decimals = std::max(0, kDigits - 1 - exponent);
  // Rounds half up; the product is below 1e15, so the sum is exact enough and fits.
  const auto scaled = static_cast<uint64_t>(magnitude * kPow10[decimals] + 0.5);
  const auto unit = static_cast<uint64_t>(kPow10[decimals]);
  uint64_t whole = scaled / unit;
  uint64_t fraction = scaled % unit;
  char* p = buf;
  if (value < 0) *p++ = '-';
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + whole % 10);
    whole /= 10;
  } while (whole > 0);
  while (n > 0) *p++ = digits[--n];
  if (fraction > 0) {
    int width = decimals;
    while (fraction % 10 == 0) {  // trailing zeros say nothing
      fraction /= 10;
      --width;
    }
    *p++ = '.';
    for (int i = width - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + fraction % 10);
      fraction /= 10;
    }
    p += width;
  }
  return {buf, static_cast<size_t>(p - buf)};
}

}  // namespace diamond
