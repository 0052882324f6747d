#include "core/grades.h"

#include <array>
#include <cassert>

namespace diamond {
namespace {

constexpr std::array<std::string_view, 6> kCuts = {"Poor",      "Fair",    "Good",
                                                   "Very Good", "Premium", "Ideal"};
constexpr std::array<std::string_view, 23> kColors = {"Z", "Y", "X", "W", "V", "U", "T", "S",
                                                      "R", "Q", "P", "O", "N", "M", "L", "K",
                                                      "J", "I", "H", "G", "F", "E", "D"};
constexpr std::array<std::string_view, 11> kClarities = {"I3",   "I2",   "I1", "SI2",
                                                         "SI1",  "VS2",  "VS1", "VVS2",
                                                         "VVS1", "IF",   "FL"};

}  // namespace

std::span<const std::string_view> GradeNames(GradeScale scale) {
  switch (scale) {
    case GradeScale::kCut:
      return kCuts;
    case GradeScale::kColor:
      return kColors;
    case GradeScale::kClarity:
      return kClarities;
  }
  return {};
}

std::string_view GradeColumn(GradeScale scale) {
  switch (scale) {
    case GradeScale::kCut:
      return "cut";
    case GradeScale::kColor:
      return "color";
    case GradeScale::kClarity:
      return "clarity";
  }
  return "";
}

std::optional<int> GradeCode(GradeScale scale, std::string_view name) {
  // Called three times for every row read: colours are single letters in order, so the
  // code is arithmetic; the other scales are short lists compared first by size and letter.
  if (scale == GradeScale::kColor) {
    if (name.size() == 1 && name[0] >= 'D' && name[0] <= 'Z') return 'Z' - name[0];
    return std::nullopt;
  }
  auto names = GradeNames(scale);
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].size() == name.size() && names[i][0] == name[0] && names[i] == name) {
      return static_cast<int>(i);
    }
  }
  return std::nullopt;
}

std::string_view GradeName(GradeScale scale, int code) {
  auto names = GradeNames(scale);
  assert(code >= 0 && static_cast<size_t>(code) < names.size());
  return names[static_cast<size_t>(code)];
}

std::string AllowedGradesText(GradeScale scale) {
  std::string out;
  for (auto name : GradeNames(scale)) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace diamond
