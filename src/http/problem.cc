#include "http/problem.h"

#include <nlohmann/json.hpp>

namespace diamond::http {

HttpResponse Problem(int status, std::string_view type, std::string_view title,
                     std::string_view detail) {
  nlohmann::json body = {{"type", "/problems/" + std::string(type)},
                         {"title", title},
                         {"status", status},
                         {"detail", detail}};
  HttpResponse response;
  response.status = status;
  response.content_type = "application/problem+json";
  // Replace invalid UTF-8 (a hostile id echoed in a detail) instead of throwing.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse ValidationProblem(std::string_view detail, const std::vector<FieldError>& errors) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : errors) {
    nlohmann::json item = nlohmann::json::object();
    if (e.row > 0) item["row"] = e.row;
    if (e.line > 0) item["line"] = e.line;
    if (!e.column.empty()) item[e.row > 0 ? "column" : "field"] = e.column;
    item["message"] = e.message;
    list.push_back(item);
  }
  nlohmann::json body = {{"type", "/problems/validation"},
                         {"title", "The request is not valid"},
                         {"status", 422},
                         {"detail", detail},
                         {"errors", list}};
  HttpResponse response;
  response.status = 422;
  response.content_type = "application/problem+json";
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse LimitProblem(int status, std::string_view limit, int64_t value,
                          std::string_view detail) {
  nlohmann::json body = {{"type", "/problems/over-limit/" + std::string(limit)},
                         {"title", status == 429 ? "Over the plan's quota" : "Over the plan's limit"},
                         {"status", status},
                         {"detail", detail},
                         {"limit", limit},
                         {"limit_value", value}};
  HttpResponse response;
  response.status = status;
  response.content_type = "application/problem+json";
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse ProblemFromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kPermissionDenied:
      return Problem(403, "forbidden", "Forbidden", status.message());
    case StatusCode::kQuotaExceeded:
      return LimitProblem(429, status.limit(), status.limit_value(), status.message());
    case StatusCode::kLimitExceeded:
      return LimitProblem(403, status.limit(), status.limit_value(), status.message());
    case StatusCode::kNotFound:
      return Problem(404, "not-found", "Not found", status.message());
    case StatusCode::kFailedPrecondition:
      return Problem(409, "conflict", "Conflict with the resource's state", status.message());
    case StatusCode::kInvalidArgument:
      return Problem(422, "validation", "The request is not valid", status.message());
    case StatusCode::kCorruption:
    case StatusCode::kIoError:
      return Problem(503, "storage-unavailable", "Storage failed; try again", status.message());
    case StatusCode::kOk:
      break;
  }
  return Problem(500, "internal", "Internal error", "unexpected status");
}

}  // namespace diamond::http
