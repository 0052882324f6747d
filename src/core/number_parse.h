// Parsing a decimal number from text, strictly: the whole field, finite, no guessing.
// On the hot path of every CSV row, so the success path allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace diamond {

// Surrounding ASCII spaces and tabs removed.
inline std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The plain decimal at the start of [begin, end) — an optional '-', digits, then optionally
// '.' and digits, at most 15 digits in all ("0.31", "-12", "61.5": the form of nearly every
// number in a diamond CSV) — into *value; returns where its text ends, or nullptr if the
// text does not start with one ("1.", ".5", "+1", 16 digits). What may follow is for the
// caller to judge ("1e5" scans as 1 and stops at 'e').
//
// The digits make an exact integer below 2^53 and 10^k (k <= 15) is exact too, so one
// IEEE division gives the correctly rounded value: bit for bit what fast_float returns
// (its "Clinger" fast path), without its general-purpose scanning. Inline: it is called
// for every number of every row on the bulk pricing path.
inline const char* ScanPlainDecimal(const char* begin, const char* end, double* value) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const char* p = begin;
  const bool negative = p != end && *p == '-';
  if (negative) ++p;
  const char* const integer_start = p;
  uint64_t mantissa = 0;
  for (; p != end && static_cast<unsigned char>(*p - '0') <= 9; ++p) {
    mantissa = mantissa * 10 + static_cast<uint64_t>(*p - '0');
  }
  std::ptrdiff_t digits = p - integer_start;
  if (digits == 0) return nullptr;
  std::ptrdiff_t fraction_digits = 0;
  if (p != end && *p == '.') {
    const char* const fraction_start = ++p;
    for (; p != end && static_cast<unsigned char>(*p - '0') <= 9; ++p) {
      mantissa = mantissa * 10 + static_cast<uint64_t>(*p - '0');
    }
    fraction_digits = p - fraction_start;
    if (fraction_digits == 0) return nullptr;
    digits += fraction_digits;
  }
  if (digits > 15) return nullptr;  // the mantissa may have wrapped too: never used then
  const double magnitude = static_cast<double>(mantissa) / kPow10[fraction_digits];
  *value = negative ? -magnitude : magnitude;
  return p;
}

// Parses the number in `text` (after trimming) into *value and returns true; otherwise
// sets *error to "missing value", "not a number: '12x'" or "not a finite number: 'nan'"
// and returns false.
bool ParseFiniteNumber(std::string_view text, double* value, std::string* error);

}  // namespace diamond
