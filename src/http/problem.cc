#include "http/problem.h"

#include <nlohmann/json.hpp>

#include "base/clock.h"

namespace diamond::http {

namespace {

// The common members of every problem; callers add their extensions before Respond.
nlohmann::json Members(int status, std::string type, std::string_view title,
                       std::string_view detail) {
  return {{"type", "/problems/" + std::move(type)},
          {"title", title},
          {"status", status},
          {"detail", detail}};
}

HttpResponse Respond(int status, const nlohmann::json& body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/problem+json";
  // Replace invalid UTF-8 (a hostile id echoed in a detail) instead of throwing.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace

HttpResponse Problem(int status, std::string_view type, std::string_view title,
                     std::string_view detail) {
  return Respond(status, Members(status, std::string(type), title, detail));
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
  nlohmann::json body = Members(422, "validation", "The request is not valid", detail);
  body["errors"] = std::move(list);
  return Respond(422, body);
}

HttpResponse LimitProblem(int status, std::string_view limit, int64_t value,
                          std::string_view detail) {
  nlohmann::json body =
      Members(status, "over-limit/" + std::string(limit),
              status == 429 ? "Over the plan's quota" : "Over the plan's limit", detail);
  body["limit"] = limit;
  body["limit_value"] = value;
  return Respond(status, body);
}

HttpResponse ProblemFromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kPermissionDenied:
      return Problem(403, "forbidden", "Forbidden", status.message());
    case StatusCode::kQuotaExceeded: {
      HttpResponse response =
          LimitProblem(429, status.limit(), status.limit_value(), status.message());
      // When a retry can succeed: the monthly quota resets with the month; a training slot
      // frees when a job ends, which for these models takes seconds.
      const int64_t retry_after =
          status.limit() == "monthly_predicted_rows" ? SecondsUntilNextUtcMonth() : 5;
      response.headers.emplace_back("Retry-After", std::to_string(retry_after));
      return response;
    }
    case StatusCode::kLimitExceeded:
      return LimitProblem(403, status.limit(), status.limit_value(), status.message());
    case StatusCode::kNotFound:
      return Problem(404, "not-found", "Not found", status.message());
    case StatusCode::kFailedPrecondition:
      return Problem(409, "conflict", "Conflict with the resource's state", status.message());
    case StatusCode::kInvalidArgument:
      return Problem(422, "validation", "The request is not valid", status.message());
    case StatusCode::kCorruption:
      // Stored data that is missing or damaged stays so: no Retry-After, and a type that
      // says so (an operator restores it from a backup; docs/operations.md).
      return Problem(500, "storage-inconsistent", "Stored data is missing or damaged",
                     status.message());
    case StatusCode::kIoError: {
      // Retries inside the store are spent (serialization failures, a reconnect): say when
      // to come back rather than leaving the client to guess.
      HttpResponse response =
          Problem(503, "storage-unavailable", "Storage failed; try again", status.message());
      response.headers.emplace_back("Retry-After", "1");
      return response;
    }
    case StatusCode::kCancelled:
      return Problem(409, "cancelled", "Cancelled", status.message());
    case StatusCode::kInternal:
      return Problem(500, "internal", "Internal error", status.message());
    case StatusCode::kOk:
      break;
  }
  return Problem(500, "internal", "Internal error", "unexpected status");
}

}  // namespace diamond::http
