// Errors as RFC 9457 problem details (application/problem+json), built in one place.
//
//   {"type": "/problems/validation", "title": "Validation failed", "status": 422,
//    "detail": "...", "instance": "/datasets/x", "request_id": "...",
//    "errors": [{"row": 3, "column": "cut", "message": "..."}]}
//
// Types are relative URIs under /problems/; docs/api-errors.md lists them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/diamond.h"
#include "core/status.h"
#include "http/http_types.h"

namespace diamond::http {

HttpResponse Problem(int status, std::string_view type, std::string_view title,
                     std::string_view detail);

// 422 with per-field or per-row errors. `row_key` names rows "row" (CSV/JSON arrays).
HttpResponse ValidationProblem(std::string_view detail, const std::vector<FieldError>& errors);

// Maps a service Status: NotFound 404, FailedPrecondition 409, InvalidArgument 422,
// Corruption/IoError 503 (the store is failing, not the caller).
// Over a plan's limit: type /problems/over-limit/<limit>, with "limit" and "limit_value".
// 429 for quotas and rates (retry later), 403 for size limits (retrying cannot help).
HttpResponse LimitProblem(int status, std::string_view limit, int64_t value,
                          std::string_view detail);

HttpResponse ProblemFromStatus(const Status& status);

}  // namespace diamond::http
