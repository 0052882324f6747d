#include "core/grades.h"

#include <array>
#include <cassert>
#include <cstdint>

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

// A name's slot in a lookup table: its length and its first and last letters, which tell
// every cut and every clarity apart (checked when the tables are built, at compile time).
constexpr size_t kSlots = 32;
using GradeSlots = std::array<int8_t, kSlots>;  // slot -> code, -1 if no grade has it

constexpr size_t SlotOf(std::string_view name) {
  return (name.size() * 2 + static_cast<unsigned char>(name.front()) + static_cast<unsigned char>(name.back())) %
         kSlots;
}

template <size_t N>
constexpr GradeSlots MakeSlots(const std::array<std::string_view, N>& names) {
  GradeSlots slots{};
  slots.fill(-1);
  for (size_t code = 0; code < N; ++code) {
    const size_t slot = SlotOf(names[code]);
    if (slots[slot] != -1) throw "two grades share a slot: change SlotOf";  // fails the build
    slots[slot] = static_cast<int8_t>(code);
  }
  return slots;
}

constexpr GradeSlots kCutSlots = MakeSlots(kCuts);
constexpr GradeSlots kClaritySlots = MakeSlots(kClarities);

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
  // Called three times for every row read, with grades in no order: colours are single
  // letters in order, so the code is arithmetic; the other scales look up one slot of a
  // table (branch predictors cannot guess a loop that stops at a random name), then one
  // comparison says whether the name is the slot's.
  if (scale == GradeScale::kColor) {
    if (name.size() == 1 && name[0] >= 'D' && name[0] <= 'Z') return 'Z' - name[0];
    return std::nullopt;
  }
  if (name.empty()) return std::nullopt;
  const GradeSlots& slots = scale == GradeScale::kCut ? kCutSlots : kClaritySlots;
  const int code = slots[SlotOf(name)];
  if (code < 0) return std::nullopt;
  const std::string_view candidate = GradeNames(scale)[static_cast<size_t>(code)];
  if (candidate.size() != name.size()) return std::nullopt;
  // Byte by byte: names are at most 9 letters, shorter than a call to memcmp.
  for (size_t i = 0; i < name.size(); ++i) {
    if (candidate[i] != name[i]) return std::nullopt;
  }
  return code;
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
