#include "core/diamond_json.h"

#include <array>
#include <cmath>
#include <optional>

#include "core/diamond_csv.h"
#include "core/grades.h"
#include "core/json_scratch.h"

namespace diamond {
namespace {

namespace od = simdjson::ondemand;
using nlohmann::json;

// Names as nlohmann's type_name() gives them, so messages read the same everywhere.
const char* TypeName(od::json_type type) {
  switch (type) {
    case od::json_type::array:
      return "array";
    case od::json_type::object:
      return "object";
    case od::json_type::number:
      return "number";
    case od::json_type::string:
      return "string";
    case od::json_type::boolean:
      return "boolean";
    case od::json_type::null:
      return "null";
  }
  return "value";
}

// What one field of one stone held, before the checks that need all fields. Views point
// into the parser's string buffer, valid until the next document is parsed.
struct FieldSlot {
  bool present = false;
  bool is_null = false;
  const char* wrong_type = nullptr;  // the JSON type found instead of the expected one
  double number = 0;
  std::string_view text;
};

constexpr std::array<InputField, kNumInputFields> kFieldOrder = {
    InputField::kCarat, InputField::kCut,   InputField::kColor, InputField::kClarity,
    InputField::kDepth, InputField::kTable, InputField::kX,     InputField::kY,
    InputField::kZ,     InputField::kPrice};

std::optional<GradeScale> ScaleOf(InputField field) {
  if (field == InputField::kCut) return GradeScale::kCut;
  if (field == InputField::kColor) return GradeScale::kColor;
  if (field == InputField::kClarity) return GradeScale::kClarity;
  return std::nullopt;
}

// Runs for every key of every stone, so it dispatches on the first letter.
std::optional<InputField> FieldOf(std::string_view key) {
  if (key.empty()) return std::nullopt;
  switch (key[0]) {
    case 'c':
      if (key == "carat") return InputField::kCarat;
      if (key == "cut") return InputField::kCut;
      if (key == "color") return InputField::kColor;
      if (key == "clarity") return InputField::kClarity;
      return std::nullopt;
    case 'd':
      return key == "depth" ? std::optional(InputField::kDepth) : std::nullopt;
    case 't':
      return key == "table" ? std::optional(InputField::kTable) : std::nullopt;
    case 'p':
      return key == "price" ? std::optional(InputField::kPrice) : std::nullopt;
    case 'x':
      return key.size() == 1 ? std::optional(InputField::kX) : std::nullopt;
    case 'y':
      return key.size() == 1 ? std::optional(InputField::kY) : std::nullopt;
    case 'z':
      return key.size() == 1 ? std::optional(InputField::kZ) : std::nullopt;
    default:
      return std::nullopt;
  }
}

// Reads one field's value; a simdjson error (malformed JSON) is returned as is.
simdjson::error_code ReadSlot(od::value value, bool grade, FieldSlot* slot) {
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  *slot = FieldSlot{};
  slot->present = true;
  if (type == od::json_type::null) {
    slot->is_null = true;
    return simdjson::SUCCESS;
  }
  if (type != (grade ? od::json_type::string : od::json_type::number)) {
    slot->wrong_type = TypeName(type);  // On-Demand skips the unread value by itself
    return simdjson::SUCCESS;
  }
  return grade ? value.get_string().get(slot->text) : value.get_double().get(slot->number);
}

// Decodes the fields of one stone object, then applies every check in field order.
simdjson::error_code DecodeStone(od::object object, int64_t row, const JsonStoneOptions& options,
                                 JsonStones* out) {
  std::array<FieldSlot, kNumInputFields> slots{};
  for (auto field : object) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    auto which = FieldOf(key);
    if (!which) continue;  // unknown keys are ignored; On-Demand skips their values
    if (auto e = ReadSlot(field.value(), ScaleOf(*which).has_value(),
                          &slots[static_cast<size_t>(*which)])) {
      return e;
    }
  }
  Diamond stone;
  bool valid = true;
  auto add = [&](InputField field, std::string message) {
    valid = false;
    if (out->errors.size() < options.max_errors) {
      out->errors.push_back(FieldError{row, 0, std::string(FieldName(field)), std::move(message)});
    }
  };
  for (InputField field : kFieldOrder) {
    const FieldSlot& slot = slots[static_cast<size_t>(field)];
    if (field == InputField::kPrice && (!slot.present || slot.is_null)) {
      if (options.require_price) add(field, "missing price");
      continue;
    }
    if (!slot.present || slot.is_null) {
      add(field, "missing value");
    } else if (slot.wrong_type != nullptr) {
      add(field, std::string(ScaleOf(field) ? "must be a string, not " : "must be a number, not ") +
                     slot.wrong_type);
    } else if (auto scale = ScaleOf(field)) {
      auto code = GradeCode(*scale, slot.text);
      if (!code) {
        add(field, "unknown grade " + QuoteValue(slot.text) +
                       " (allowed: " + AllowedGradesText(*scale) + ")");
      } else if (field == InputField::kCut) {
        stone.cut = *code;
      } else if (field == InputField::kColor) {
        stone.color = *code;
      } else {
        stone.clarity = *code;
      }
    } else if (!std::isfinite(slot.number)) {
      add(field, "not a finite number");
    } else {
      switch (field) {
        case InputField::kCarat:
          stone.carat = slot.number;
          break;
        case InputField::kDepth:
          stone.depth = slot.number;
          break;
        case InputField::kTable:
          stone.table = slot.number;
          break;
        case InputField::kX:
          stone.x = slot.number;
          break;
        case InputField::kY:
          stone.y = slot.number;
          break;
        case InputField::kZ:
          stone.z = slot.number;
          break;
        case InputField::kPrice:
          stone.price = slot.number;
          break;
        default:
          break;
      }
    }
  }
  if (valid) {
    out->stones.push_back(stone);
  } else {
    ++out->rows_invalid;
  }
  return simdjson::SUCCESS;
}

void NotAnObject(od::json_type type, int64_t row, const JsonStoneOptions& options,
                 JsonStones* out) {
  ++out->rows_invalid;
  if (out->errors.size() < options.max_errors) {
    out->errors.push_back(FieldError{
        row, 0, "", std::string("a stone must be a JSON object, not ") + TypeName(type)});
  }
}

simdjson::error_code DecodeDocument(od::document& doc, const JsonStoneOptions& options,
                                    JsonStones* out, std::string* shape_error) {
  od::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type == od::json_type::array) {
    od::array array;
    if (auto e = doc.get_array().get(array)) return e;
    int64_t row = 0;
    for (auto element : array) {
      od::value value;
      if (auto e = element.get(value)) return e;
      od::json_type element_type;
      if (auto e = value.type().get(element_type)) return e;
      ++row;
      if (static_cast<size_t>(row) > options.max_stones) {
        out->too_many = true;  // the rest is neither decoded nor checked
        return simdjson::SUCCESS;
      }
      if (element_type != od::json_type::object) {
        NotAnObject(element_type, row, options, out);
        continue;
      }
      od::object object;
      if (auto e = value.get_object().get(object)) return e;
      if (auto e = DecodeStone(object, row, options, out)) return e;
    }
  } else if (type == od::json_type::object) {
    od::object object;
    if (auto e = doc.get_object().get(object)) return e;
    if (auto e = DecodeStone(object, 1, options, out)) return e;
  } else {
    *shape_error =
        std::string("expected a stone object or an array of stones, not ") + TypeName(type);
    return simdjson::SUCCESS;
  }
  // Anything after the value ("[...] x") is malformed: at the end there is no location.
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS ? simdjson::SUCCESS
                                                                   : simdjson::TRAILING_CONTENT;
}

}  // namespace

Result<json> ParseJson(std::string_view text) {
  // Deep nesting is refused while parsing: the document object model would otherwise take
  // memory in proportion to a hostile depth (a 64 MiB body of '[' is 32 million levels).
  struct TooDeep {};
  auto limit_depth = [](int depth, json::parse_event_t, json&) {
    if (depth >= kMaxJsonDepth) throw TooDeep{};  // depth counts from 0 at the top
    return true;
  };
  // The library reports where and why parsing failed only through an exception; it is
  // caught here, at the boundary, and becomes a value. The HTTP layer caps body size first.
  try {
    return json::parse(text.begin(), text.end(), limit_depth);
  } catch (const TooDeep&) {
    return Status::InvalidArgument("the body is not valid JSON: nested deeper than " +
                                   std::to_string(kMaxJsonDepth) + " levels");
  } catch (const json::exception& e) {
    std::string why = e.what();
    if (auto bracket = why.find("] ");
        why.starts_with("[json.exception.") && bracket != std::string::npos) {
      why.erase(0, bracket + 2);  // "[json.exception.parse_error.101] " says nothing to a user
    }
    return Status::InvalidArgument("the body is not valid JSON: " + why);
  }
}

Result<JsonStones> DecodeStonesJson(std::string_view text, const JsonStoneOptions& options) {
  TrimmedScratch scratch;  // this thread's parser, reused; before the document it holds
  JsonStones out;
  std::string shape_error;
  od::document doc;
  simdjson::error_code error = scratch->Iterate(text).get(doc);
  if (!error) error = DecodeDocument(doc, options, &out, &shape_error);
  if (error) {
    if (error == simdjson::DEPTH_ERROR) {
      return Status::InvalidArgument("the body is not valid JSON: nested deeper than 1024 levels");
    }
    // Rare path: ask nlohmann-json where the syntax is broken, for a message that says where.
    auto detailed = ParseJson(text);
    if (!detailed.ok()) return detailed.status();
    return Status::InvalidArgument(std::string("the body is not valid JSON: ") +
                                   simdjson::error_message(error));
  }
  if (!shape_error.empty()) {
    // Well-formed JSON of the wrong shape is invalid content, not malformed syntax.
    out.rows_invalid = 1;
    out.errors.push_back(FieldError{0, 0, "", shape_error});
  }
  return out;
}

Result<std::vector<Diamond>> ParseStonesJson(std::string_view text, const JsonStoneOptions& options,
                                             std::vector<FieldError>* errors) {
  auto decoded = DecodeStonesJson(text, options);
  if (!decoded.ok()) return decoded.status();
  if (decoded->rows_invalid > 0) {
    *errors = std::move(decoded->errors);
    return Status::InvalidArgument(std::to_string(decoded->rows_invalid) + " invalid stone(s)");
  }
  return std::move(decoded->stones);
}

json DiamondToJson(const Diamond& stone) {
  json out = {{"carat", stone.carat},
              {"cut", GradeName(GradeScale::kCut, stone.cut)},
              {"color", GradeName(GradeScale::kColor, stone.color)},
              {"clarity", GradeName(GradeScale::kClarity, stone.clarity)},
              {"depth", stone.depth},
              {"table", stone.table},
              {"x", stone.x},
              {"y", stone.y},
              {"z", stone.z}};
  out["price"] = stone.price ? json(*stone.price) : json(nullptr);
  return out;
}

}  // namespace diamond
