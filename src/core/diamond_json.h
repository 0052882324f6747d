// The JSON shape of a stone, as the seed's DataSample:
//   {"carat": 0.3, "cut": "Ideal", "color": "E", "clarity": "VS2",
//    "depth": 61.5, "table": 55.0, "x": 4.3, "y": 4.31, "z": 2.65, "price": 650}
// price is optional (null or absent) unless required. Unknown keys are ignored, as the
// seed's pydantic model does.
//
// Decoding is on the real-time pricing hot path, so it uses simdjson's On-Demand parser
// (no DOM, no allocation per field); other JSON in the service uses nlohmann-json.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "core/diamond.h"
#include "core/status.h"

namespace diamond {

struct JsonStoneOptions {
  bool require_price = false;
  size_t max_errors = 100;
  // Decoding stops at the stone after this many: JsonStones::too_many says so.
  size_t max_stones = SIZE_MAX;
};

struct JsonStones {
  std::vector<Diamond> stones;     // the valid ones, in input order
  int64_t rows_invalid = 0;        // stones with at least one problem
  std::vector<FieldError> errors;  // the first max_errors problems (row = 1-based position)
  bool too_many = false;           // more than max_stones: decoding stopped there
};

// Decodes one stone object or an array of them. Malformed JSON is an InvalidArgument status
// saying where and why; problems with content (a field, an element that is not an object,
// a top-level value that is neither object nor array) are not a failure here but are
// counted and listed in the result.
Result<JsonStones> DecodeStonesJson(std::string_view text, const JsonStoneOptions& options);

// As DecodeStonesJson, but any invalid stone makes it InvalidArgument (*errors says why).
Result<std::vector<Diamond>> ParseStonesJson(std::string_view text, const JsonStoneOptions& options,
                                             std::vector<FieldError>* errors);

// Parses JSON text (nlohmann); a syntax error, a number too large for a double, or nesting
// deeper than kMaxJsonDepth is an InvalidArgument saying where and why.
inline constexpr int kMaxJsonDepth = 64;
Result<nlohmann::json> ParseJson(std::string_view text);

nlohmann::json DiamondToJson(const Diamond& stone);

}  // namespace diamond
