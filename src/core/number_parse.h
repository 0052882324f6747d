// Parsing a decimal number from text, strictly: the whole field, finite, no guessing.
// On the hot path of every CSV row, so the success path allocates nothing.
#pragma once

#include <string>
#include <string_view>

namespace diamond {

// Surrounding ASCII spaces and tabs removed.
inline std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Parses the number in `text` (after trimming) into *value and returns true; otherwise
// sets *error to "missing value", "not a number: '12x'" or "not a finite number: 'nan'"
// and returns false.
bool ParseFiniteNumber(std::string_view text, double* value, std::string* error);

}  // namespace diamond
