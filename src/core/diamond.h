// The diamond record, its input fields, and the errors found while reading one.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diamond {

// The input columns of a stone, in the seed's order, then the target.
enum class InputField { kCarat, kCut, kColor, kClarity, kDepth, kTable, kX, kY, kZ, kPrice };
inline constexpr size_t kNumFeatureFields = 9;  // every InputField but kPrice
inline constexpr size_t kNumInputFields = 10;

std::string_view FieldName(InputField field);
const std::array<InputField, kNumInputFields>& AllInputFields();

// One stone. Grades are stored as their ordinal codes (see grades.h).
struct Diamond {
  double carat = 0;
  int cut = 0;
  int color = 0;
  int clarity = 0;
  double depth = 0;
  double table = 0;
  double x = 0;
  double y = 0;
  double z = 0;
  std::optional<double> price;  // absent when pricing a stone
};

// One problem with one field of one row of input.
struct FieldError {
  int64_t row = 0;     // 1-based data row (the first stone is row 1); 0 = the input as a whole
  int64_t line = 0;    // 1-based physical line in a CSV file where the row starts; 0 if unknown
  std::string column;  // the field's name; empty when the error is not about one field
  std::string message;
};

// "row 3, column 'cut': unknown grade 'Fine' (allowed: …)".
std::string Describe(const FieldError& error);

// Why a model cannot price this stone (carat <= 0 or > 10000, a dimension below 0.1 mm or
// above 10000 mm: far beyond any stone ever cut, and where exp() of the model overflows),
// naming the field; nullopt if it can. Row is left 0 for the caller to fill.
std::optional<FieldError> CheckPriceable(const Diamond& stone);

// The smallest dimension (x, y, z in mm) the seed's pipeline accepts.
inline constexpr double kMinDimensionMm = 0.1;
inline constexpr double kMaxDimensionMm = 10000;
inline constexpr double kMaxCarat = 10000;

}  // namespace diamond
