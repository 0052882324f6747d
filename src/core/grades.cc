#include "core/grades.h"

#include <array>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>

namespace diamond {
namespace {

constexpr std::array<std::string_view, 6> kCuts = {"Poor",      "Fair",    "Good",
                                                   "Very Good", "Premium", "Ideal"};
constexpr std::array<std::string_view, 23> kColors = {"Z", "Y", "X", "W", "V", "U", "T", "S",
                                                      "R", "Q", "P", "O", "N", "M", "L", "K",
                                                      "J", "I", "H", "G", "F", "E", "D"};
constexpr std::array<std::string_view, 11> kClarities = {"I3",  "I2",   "I1",   "SI2", "SI1", "VS2",
                                                         "VS1", "VVS2", "VVS1", "IF",  "FL"};

// A name's slot in a lookup table: its length and its first and last letters, which tell
// every cut and every clarity apart (checked when the tables are built, at compile time).
constexpr size_t kSlots = 32;
using GradeSlots = std::array<int8_t, kSlots>;  // slot -> code, -1 if no grade has it

constexpr size_t SlotOf(std::string_view name) {
  return (name.size() * 2 + static_cast<unsigned char>(name.front()) +
          static_cast<unsigned char>(name.back())) %
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

// The same slots for GradeCodeInWindow: each name as two little-endian words of 8 bytes,
// zero-padded, to be compared with a window's bytes masked to the name's length.
struct WindowSlot {
  uint64_t low = 0;
  uint64_t high = 0;
  size_t length = 0;
  int code = -1;
};
using WindowSlots = std::array<WindowSlot, kSlots>;
static_assert(std::endian::native == std::endian::little, "window words are read little-endian");

constexpr uint64_t WordOf(std::string_view name, size_t from) {
  uint64_t word = 0;
  for (size_t i = 0; i < 8 && from + i < name.size(); ++i) {
    word |= uint64_t{static_cast<unsigned char>(name[from + i])} << (8 * i);
  }
  return word;
}

template <size_t N>
constexpr WindowSlots MakeWindowSlots(const std::array<std::string_view, N>& names) {
  WindowSlots slots{};
  for (size_t code = 0; code < N; ++code) {
    if (names[code].size() > 15) throw "a grade name too long for a window";  // fails the build
    slots[SlotOf(names[code])] = WindowSlot{WordOf(names[code], 0), WordOf(names[code], 8),
                                            names[code].size(), static_cast<int>(code)};
  }
  return slots;
}

constexpr WindowSlots kCutWindows = MakeWindowSlots(kCuts);
constexpr WindowSlots kClarityWindows = MakeWindowSlots(kClarities);

// A high bit in each byte of `word` that is a comma; exact up to the first one (a borrow
// may mark bytes after it), which is all that is read.
constexpr uint64_t CommaBits(uint64_t word) {
  const uint64_t x = word ^ 0x2C2C2C2C2C2C2C2CULL;
  return (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
}

// The low n bytes of a word set (n <= 8).
constexpr uint64_t LowBytes(size_t n) {
  return n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
}

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

int GradeCodeInWindow(GradeScale scale, const char* window, size_t* length) {
  uint64_t low = 0;
  uint64_t high = 0;
  std::memcpy(&low, window, 8);
  std::memcpy(&high, window + 8, 8);
  const uint64_t low_commas = CommaBits(low);
  const uint64_t high_commas = CommaBits(high);
  if ((low_commas | high_commas) == 0) return -1;
  const size_t n = low_commas != 0 ? static_cast<size_t>(std::countr_zero(low_commas)) / 8
                                   : 8 + static_cast<size_t>(std::countr_zero(high_commas)) / 8;
  if (n == 0) return -1;
  *length = n;
  if (scale == GradeScale::kColor) {
    const char letter = window[0];
    return n == 1 && letter >= 'D' && letter <= 'Z' ? 'Z' - letter : -1;
  }
  const std::string_view name(window, n);
  const WindowSlot& slot =
      (scale == GradeScale::kCut ? kCutWindows : kClarityWindows)[SlotOf(name)];
  const bool same = slot.length == n && (low & LowBytes(n)) == slot.low &&
                    (high & LowBytes(n > 8 ? n - 8 : 0)) == slot.high;
  return same ? slot.code : -1;
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
