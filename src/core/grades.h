// The three ordinal grade scales of a diamond and their codes.
//
// Codes follow DESIGN.md: cut Poor=0 … Ideal=5; color Z=0 … D=22; clarity I3=0 … FL=10.
// A higher code is always a better grade.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace diamond {

enum class GradeScale { kCut, kColor, kClarity };

// The grade names of a scale, worst first (index == code).
std::span<const std::string_view> GradeNames(GradeScale scale);

// The column name of a scale ("cut", "color", "clarity").
std::string_view GradeColumn(GradeScale scale);

// The code of `name` on `scale`, or nullopt if it is not a grade of that scale.
// Matching is exact (case-sensitive), as in the seed's encoder.
std::optional<int> GradeCode(GradeScale scale, std::string_view name);

// The bulk decoder's grade reader (DiamondColumns::ParsePlainRecord). `window` is 16
// readable bytes from the start of a field. When the field is a name of `scale` followed
// by a comma within the window, returns its code and sets *length to the name's length;
// otherwise returns -1 (and the caller reads the field the general way). Free of branches
// on the name: grades come in no order, and a mispredicted branch costs more than the work.
int GradeCodeInWindow(GradeScale scale, const char* window, size_t* length);

// The name of `code` on `scale`; code must be valid.
std::string_view GradeName(GradeScale scale, int code);

// "Poor, Fair, Good, Very Good, Premium, Ideal": for error messages.
std::string AllowedGradesText(GradeScale scale);

}  // namespace diamond
