#include "core/diamond_json.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/diamond_csv.h"
#include "core/grades.h"

namespace diamond {
namespace {

using nlohmann::json;

std::string TypeName(const json& v) { return v.type_name(); }

}  // namespace

Result<json> ParseJson(std::string_view text) {
  // The library reports where and why parsing failed only through an exception; it is
  // caught here, at the boundary, and becomes a value. The HTTP layer caps body size first.
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    std::string why = e.what();
    if (auto bracket = why.find("] "); why.starts_with("[json.exception.") && bracket != std::string::npos) {
      why.erase(0, bracket + 2);  // "[json.exception.parse_error.101] " says nothing to a user
    }
    return Status::InvalidArgument("the body is not valid JSON: " + why);
  }
}

bool DiamondFromJson(const json& value, int64_t row, const JsonStoneOptions& options,
                     Diamond* stone, std::vector<FieldError>* errors) {
  const size_t errors_before = errors->size();
  auto add = [&](std::string_view column, std::string message) {
    if (errors->size() < options.max_errors) {
      errors->push_back(FieldError{row, 0, std::string(column), std::move(message)});
    }
  };
  if (!value.is_object()) {
    add("", "a stone must be a JSON object, not " + TypeName(value));
    return false;
  }
  *stone = Diamond{};
  bool ok = true;
  auto number = [&](const char* name, double* slot) {
    auto it = value.find(name);
    if (it == value.end() || it->is_null()) {
      add(name, "missing value");
      ok = false;
    } else if (!it->is_number()) {
      add(name, "must be a number, not " + TypeName(*it));
      ok = false;
    } else {
      *slot = it->get<double>();
      if (!std::isfinite(*slot)) {  // e.g. 1e999 parses to infinity
        add(name, "not a finite number");
        ok = false;
      }
    }
  };
  auto grade = [&](GradeScale scale, int* slot) {
    const std::string name(GradeColumn(scale));
    auto it = value.find(name);
    if (it == value.end() || it->is_null()) {
      add(name, "missing value");
      ok = false;
    } else if (!it->is_string()) {
      add(name, "must be a string, not " + TypeName(*it));
      ok = false;
    } else if (auto code = GradeCode(scale, it->get_ref<const std::string&>())) {
      *slot = *code;
    } else {
      add(name, "unknown grade " + QuoteValue(it->get_ref<const std::string&>()) +
                    " (allowed: " + AllowedGradesText(scale) + ")");
      ok = false;
    }
  };
  number("carat", &stone->carat);
  grade(GradeScale::kCut, &stone->cut);
  grade(GradeScale::kColor, &stone->color);
  grade(GradeScale::kClarity, &stone->clarity);
  number("depth", &stone->depth);
  number("table", &stone->table);
  number("x", &stone->x);
  number("y", &stone->y);
  number("z", &stone->z);
  auto price = value.find("price");
  if (price == value.end() || price->is_null()) {
    if (options.require_price) {
      add("price", "missing price");
      ok = false;
    }
  } else {
    double p = 0;
    number("price", &p);
    if (ok) stone->price = p;
  }
  return ok && errors->size() == errors_before;
}

Result<std::vector<Diamond>> ParseStonesJson(std::string_view text, const JsonStoneOptions& options,
                                             std::vector<FieldError>* errors) {
  auto parsed = ParseJson(text);
  if (!parsed.ok()) return parsed.status();
  const json& doc = *parsed;
  std::vector<Diamond> stones;
  int64_t invalid = 0;
  auto decode = [&](const json& item, int64_t row) {
    Diamond stone;
    if (DiamondFromJson(item, row, options, &stone, errors)) {
      stones.push_back(stone);
    } else {
      ++invalid;
    }
  };
  if (doc.is_array()) {
    stones.reserve(doc.size());
    int64_t row = 0;
    for (const auto& item : doc) decode(item, ++row);
  } else if (doc.is_object()) {
    decode(doc, 1);
  } else {
    return Status::InvalidArgument("expected a stone object or an array of stones, not " +
                                   TypeName(doc));
  }
  if (invalid > 0) {
    return Status::InvalidArgument(std::to_string(invalid) + " invalid stone(s)");
  }
  return stones;
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
