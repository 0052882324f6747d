// Parsing a decimal number from text, strictly: the whole field, finite, no guessing.
#pragma once

#include <string>
#include <string_view>
#include <variant>

namespace diamond {

// Surrounding ASCII spaces and tabs removed.
std::string_view TrimSpaces(std::string_view text);

// The number in `text` (after trimming), or an error message: "missing value",
// "not a number: '12x'", "not a finite number: 'nan'".
std::variant<double, std::string> ParseFiniteNumber(std::string_view text);

}  // namespace diamond
