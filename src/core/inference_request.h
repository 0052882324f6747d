// The Open Inference Protocol V2's inference request, as the stones it prices: one named
// tensor per stone column (carat, depth, table, x, y, z as FP64/FP32 or integers; cut,
// color, clarity as BYTES), each of shape [N] or [N, 1] with its data flat or nested; the
// request parameters `explain` and `interval`; the outputs asked for; the request id.
// Decoded with simdjson On-Demand straight into stones (no document object model), since
// this is the hot path of inference platforms calling diamond.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diamond.h"
#include "core/status.h"

namespace diamond {

struct InferenceRequest {
  std::vector<Diamond> stones;
  bool explain = false;
  std::optional<double> interval;    // a level such as 0.9
  std::vector<std::string> outputs;  // names asked for; empty = every output
  std::optional<std::string> id;     // echoed in the answer
};

// Malformed JSON, or a request of the wrong shape or with a bad value: InvalidArgument
// whose message names the tensor (and the element, for a value). More than `max_rows`
// stones: LimitExceeded, found from a shape or at the first element past it, before the
// rest is stored (memory stays bounded by max_rows, not by the body).
Result<InferenceRequest> DecodeInferenceRequest(std::string_view text, size_t max_rows = SIZE_MAX);

}  // namespace diamond
