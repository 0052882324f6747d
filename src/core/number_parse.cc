#include "core/number_parse.h"

#include <fast_float/fast_float.h>

#include <cmath>

#include "core/diamond_csv.h"

namespace diamond {
namespace {

// The whole of `text` is a plain decimal (ScanPlainDecimal); anything else (exponents, more
// digits, "1.", ".5") is left to fast_float.
bool ParsePlainDecimal(std::string_view text, double* value) {
  const char* end = text.data() + text.size();
  return ScanPlainDecimal(text.data(), end, value) == end;
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
