// Writing stones as canonical CSV: the header carat,cut,color,clarity,depth,table,price,x,y,z
// (the reference data's order), numbers in the shortest text that reads back to the same
// double, an empty price when there is none.
#pragma once

#include <span>
#include <string>

#include "core/diamond.h"

namespace diamond {

inline constexpr std::string_view kCanonicalCsvHeader =
    "carat,cut,color,clarity,depth,table,price,x,y,z\n";

// Appends one row (with its newline) to *out.
void AppendCsvRow(const Diamond& stone, std::string* out);

// The header and every row.
std::string StonesToCanonicalCsv(std::span<const Diamond> stones);

}  // namespace diamond
