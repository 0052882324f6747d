#include "core/number_parse.h"

#include <cmath>
#include <fast_float/fast_float.h>

#include "core/diamond_csv.h"

namespace diamond {
namespace {

// Plain decimals ("0.31", "-12", "61.5") with at most 15 digits, the form of nearly every
// number in a diamond CSV: the digits make an exact integer below 2^53 and 10^k (k <= 15)
// is exact too, so one IEEE division is the correctly rounded value — the same double
// fast_float returns (its "Clinger" fast path), without its general-purpose scanning.
// Anything else (exponents, more digits, "1.", ".5") is left to fast_float.
bool ParsePlainDecimal(std::string_view text, double* value) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  size_t i = 0;
  const bool negative = text.front() == '-';
  if (negative) ++i;
  uint64_t mantissa = 0;
  int digits = 0;
  const size_t integer_start = i;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
    mantissa = mantissa * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  if (i == integer_start) return false;
  int fraction_digits = 0;
  if (i < text.size() && text[i] == '.') {
    const size_t fraction_start = ++i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
      mantissa = mantissa * 10 + static_cast<uint64_t>(text[i] - '0');
    }
    fraction_digits = static_cast<int>(i - fraction_start);
    if (fraction_digits == 0) return false;
  }
  if (i != text.size() || digits > 15) return false;
  const double magnitude = static_cast<double>(mantissa) / kPow10[fraction_digits];
  *value = negative ? -magnitude : magnitude;
  return true;
}

}  // namespace

bool ParseFiniteNumber(std::string_view text, double* value, std::string* error) {
  std::string_view trimmed = TrimSpaces(text);
  if (trimmed.empty()) {
    *error = "missing value";
    return false;
  }
  if (ParsePlainDecimal(trimmed, value)) return true;
  std::string_view digits = trimmed;
  if (digits.front() == '+') {  // fast_float rejects a leading '+'; "+-1" stays an error
    digits.remove_prefix(1);
    if (digits.empty() || digits.front() == '-') {
      *error = "not a number: " + QuoteValue(trimmed);
      return false;
    }
  }
  auto [end, ec] = fast_float::from_chars(digits.data(), digits.data() + digits.size(), *value);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    *error = "not a number: " + QuoteValue(trimmed);
    return false;
  }
  if (!std::isfinite(*value)) {
    *error = "not a finite number: " + QuoteValue(trimmed);
    return false;
  }
  return true;
}

}  // namespace diamond
