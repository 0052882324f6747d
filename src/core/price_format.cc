#include "core/price_format.h"

#include <algorithm>
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
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                      1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
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
  uint64_t scaled = static_cast<uint64_t>(magnitude * kPow10[decimals] + 0.5);
  // Its digits, two at a time from the right (divisions by a constant are multiplies; a
  // division by 10^decimals to split off the whole part would be a hardware divide, the
  // slowest step when an explanation prints 27 numbers), then padded with zeros so that
  // there is a digit before the point.
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  char digits[32];
  char* const digits_end = digits + sizeof digits;
  char* first = digits_end;
  while (scaled >= 100) {
    const size_t pair = static_cast<size_t>(scaled % 100) * 2;
    scaled /= 100;
    first -= 2;
    first[0] = kPairs[pair];
    first[1] = kPairs[pair + 1];
  }
  if (scaled >= 10) {
    first -= 2;
    first[0] = kPairs[scaled * 2];
    first[1] = kPairs[scaled * 2 + 1];
  } else {
    *--first = static_cast<char>('0' + scaled);
  }
  while (digits_end - first < decimals + 1) *--first = '0';  // decimals <= 18
  const char* const point = digits_end - decimals;
  const char* last = digits_end;
  while (last > point && last[-1] == '0') --last;  // trailing zeros say nothing
  char* p = buf;
  if (value < 0) *p++ = '-';
  p = std::copy(static_cast<const char*>(first), point, p);
  if (last > point) {
    *p++ = '.';
    p = std::copy(point, last, p);
  }
  return {buf, static_cast<size_t>(p - buf)};
}

}  // namespace diamond
