#include "core/number_parse.h"

#include <cmath>
#include <fast_float/fast_float.h>

#include "core/diamond_csv.h"

namespace diamond {

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::variant<double, std::string> ParseFiniteNumber(std::string_view text) {
  std::string_view trimmed = TrimSpaces(text);
  if (trimmed.empty()) return std::string("missing value");
  std::string_view digits = trimmed;
  if (digits.front() == '+') {  // fast_float rejects a leading '+'; "+-1" stays an error
    digits.remove_prefix(1);
    if (digits.empty() || digits.front() == '-') return "not a number: " + QuoteValue(trimmed);
  }
  double value = 0;
  auto [end, ec] = fast_float::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return "not a number: " + QuoteValue(trimmed);
  }
  if (!std::isfinite(value)) return "not a finite number: " + QuoteValue(trimmed);
  return value;
}

}  // namespace diamond
