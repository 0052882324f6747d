// The JSON shape of a stone, as the seed's DataSample:
//   {"carat": 0.3, "cut": "Ideal", "color": "E", "clarity": "VS2",
//    "depth": 61.5, "table": 55.0, "x": 4.3, "y": 4.31, "z": 2.65, "price": 650}
// price is optional (null or absent) unless required. Unknown keys are ignored, as the
// seed's pydantic model does.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "core/diamond.h"
#include "core/status.h"

namespace diamond {

struct JsonStoneOptions {
  bool require_price = false;
  size_t max_errors = 100;
};

// Parses JSON text; a syntax error (or a number too large for a double) is an
// InvalidArgument saying where and why.
Result<nlohmann::json> ParseJson(std::string_view text);

// Decodes one stone. Problems are appended to *errors with `row` set; returns false if any.
bool DiamondFromJson(const nlohmann::json& value, int64_t row, const JsonStoneOptions& options,
                     Diamond* stone, std::vector<FieldError>* errors);

// Decodes one stone object or an array of them (rows numbered from 1). Malformed JSON or a
// body of the wrong shape is an InvalidArgument status; field problems fill *errors (first
// max_errors) and make it InvalidArgument too.
Result<std::vector<Diamond>> ParseStonesJson(std::string_view text, const JsonStoneOptions& options,
                                             std::vector<FieldError>* errors);

nlohmann::json DiamondToJson(const Diamond& stone);

}  // namespace diamond
