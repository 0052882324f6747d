#include "core/diamond.h"

namespace diamond {

std::string_view FieldName(InputField field) {
  switch (field) {
    case InputField::kCarat:
      return "carat";
    case InputField::kCut:
      return "cut";
    case InputField::kColor:
      return "color";
    case InputField::kClarity:
      return "clarity";
    case InputField::kDepth:
      return "depth";
    case InputField::kTable:
      return "table";
    case InputField::kX:
      return "x";
    case InputField::kY:
      return "y";
    case InputField::kZ:
      return "z";
    case InputField::kPrice:
      return "price";
  }
  return "";
}

const std::array<InputField, kNumInputFields>& AllInputFields() {
  static constexpr std::array<InputField, kNumInputFields> kAll = {
      InputField::kCarat, InputField::kCut,   InputField::kColor, InputField::kClarity,
      InputField::kDepth, InputField::kTable, InputField::kX,     InputField::kY,
      InputField::kZ,     InputField::kPrice};
  return kAll;
}

std::string Describe(const FieldError& error) {
  std::string out;
  if (error.row > 0) out += "row " + std::to_string(error.row);
  if (!error.column.empty()) {
    if (!out.empty()) out += ", ";
    out += "column '" + error.column + "'";
  }
  if (!out.empty()) out += ": ";
  out += error.message;
  return out;
}

std::optional<FieldError> CheckPriceable(const Diamond& stone) {
  if (!(stone.carat > 0)) {
    return FieldError{0, 0, "carat", "carat must be greater than 0 to be priced"};
  }
  if (stone.carat > kMaxCarat) {
    return FieldError{0, 0, "carat", "carat must be at most 10000 to be priced"};
  }
  const std::pair<const char*, double> dims[] = {{"x", stone.x}, {"y", stone.y}, {"z", stone.z}};
  for (const auto& [name, value] : dims) {
    if (!(value >= kMinDimensionMm)) {
      return FieldError{0, 0, name, std::string(name) + " must be at least 0.1 mm to be priced"};
    }
    if (value > kMaxDimensionMm) {
      return FieldError{0, 0, name, std::string(name) + " must be at most 10000 mm to be priced"};
    }
  }
  return std::nullopt;
}

}  // namespace diamond
