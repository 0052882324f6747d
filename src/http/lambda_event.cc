#include "http/lambda_event.h"

#include <simdjson.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "http/problem.h"

namespace diamond::http {
namespace {

using nlohmann::json;

std::string Lowercase(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));  // ASCII; no locale
  }
  return text;
}

// A string member, or nullopt when it is absent or null (API Gateway sends null for
// "none"). A member of another type makes the event malformed: `ok` turns false.
std::optional<std::string> OptionalString(const json& object, const char* name, bool* ok) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    *ok = false;
    return std::nullopt;
  }
  return it->get<std::string>();
}

// An object member of strings (headers, query parameters), or of arrays of strings (their
// multi-value forms); null and absent are empty.
bool ForEachValue(const json& object, const char* name, bool multi,
                  const std::function<void(const std::string&, const std::string&)>& visit) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_object()) return false;
  for (const auto& [key, value] : it->items()) {
    if (!multi) {
      if (!value.is_string()) return false;
      visit(key, value.get<std::string>());
      continue;
    }
    if (!value.is_array()) return false;
    for (const auto& item : value) {
      if (!item.is_string()) return false;
      visit(key, item.get<std::string>());
    }
  }
  return true;
}

bool HasMember(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && !it->is_null();
}

Status NotAnEvent(std::string why) {
  return Status::InvalidArgument("not an API Gateway proxy event (payload format 1.0 or 2.0): " +
                                 why);
}

// "Name: value\r\n" lines (HttpResponse::header_lines) as pairs.
void SplitHeaderLines(std::string_view lines,
                      std::vector<std::pair<std::string, std::string>>* out) {
  while (!lines.empty()) {
    const size_t end = lines.find("\r\n");
    const std::string_view line = lines.substr(0, end);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      out->emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    if (end == std::string_view::npos) break;
    lines.remove_prefix(end + 2);
  }
}

}  // namespace

Result<ApiGatewayEvent> ParseApiGatewayEvent(std::string_view text) {
  const json event = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object()) return NotAnEvent("the event is not a JSON object");
  ApiGatewayEvent out;
  HttpRequest& request = out.request;
  bool ok = true;
  const json no_context = json::object();
  const json& context = event.contains("requestContext") && event["requestContext"].is_object()
                            ? event["requestContext"]
                            : no_context;
  auto version = OptionalString(event, "version", &ok);
  if (version == "2.0") {
    out.payload_version = 2;
    const json& http =
        context.contains("http") && context["http"].is_object() ? context["http"] : no_context;
    auto method = OptionalString(http, "method", &ok);
    auto path = OptionalString(event, "rawPath", &ok);
    if (!ok || !method || !path)
      return NotAnEvent("a 2.0 event needs requestContext.http.method and rawPath");
    request.method = *method;
    request.path = *path;
    // API Gateway's own view of the client (not a header the client could write).
    if (auto source = OptionalString(http, "sourceIp", &ok)) request.client_address = *source;
    // A named stage's name leads rawPath ("/prod/v1/models"); the $default stage has none.
    auto stage = OptionalString(context, "stage", &ok);
    if (stage && !stage->empty() && *stage != "$default") {
      std::string lead = "/";
      lead += *stage;
      if (request.path == lead) {
        request.path.resize(1);  // just the stage: its root ("/")
      } else if (request.path.starts_with(lead) && request.path[lead.size()] == '/') {
        request.path.erase(0, lead.size());
      }
    }
    ok = ForEachValue(event, "headers", /*multi=*/false,
                      [&](const std::string& name, const std::string& value) {
                        request.headers.emplace_back(Lowercase(name), value);
                      }) &&
         ok;
    if (event.contains("cookies") && event["cookies"].is_array()) {
      std::string cookie;
      for (const auto& item : event["cookies"]) {
        if (!item.is_string()) return NotAnEvent("cookies must be strings");
        if (!cookie.empty()) cookie += "; ";
        cookie += item.get<std::string>();
      }
      if (!cookie.empty()) request.headers.emplace_back("cookie", std::move(cookie));
    }
    auto query = OptionalString(event, "rawQueryString", &ok);
    if (query && !query->empty() && !ParseQueryString(*query, &request.query)) {
      out.refusal =
          Problem(400, "bad-request", "Malformed query string", "a %-escape is malformed");
    }
  } else if (!version || version == "1.0") {
    out.payload_version = 1;
    auto method = OptionalString(event, "httpMethod", &ok);
    auto path = OptionalString(event, "path", &ok);
    if (!ok || !method || !path) return NotAnEvent("a 1.0 event needs httpMethod and path");
    request.method = *method;
    request.path = *path;
    const json& identity = context.contains("identity") && context["identity"].is_object()
                               ? context["identity"]
                               : no_context;
    if (auto source = OptionalString(identity, "sourceIp", &ok)) request.client_address = *source;
    // The multi-value forms hold every value; the single-value ones only the last.
    auto add_header = [&](const std::string& name, const std::string& value) {
      request.headers.emplace_back(Lowercase(name), value);
    };
    auto add_query = [&](const std::string& name, const std::string& value) {
      request.query.emplace_back(name, value);
    };
    ok = (HasMember(event, "multiValueHeaders")
              ? ForEachValue(event, "multiValueHeaders", true, add_header)
              : ForEachValue(event, "headers", false, add_header)) &&
         ok;
    ok = (HasMember(event, "multiValueQueryStringParameters")
              ? ForEachValue(event, "multiValueQueryStringParameters", true, add_query)
              : ForEachValue(event, "queryStringParameters", false, add_query)) &&
         ok;
  } else {
    return NotAnEvent("unknown payload format version '" + *version + "'");
  }
  if (!ok) return NotAnEvent("headers, query parameters and cookies must be strings");
  if (request.method.empty() || request.path.empty() || request.path.front() != '/') {
    return NotAnEvent("the method is empty or the path does not start with '/'");
  }

  bool encoded = false;
  if (auto it = event.find("isBase64Encoded"); it != event.end() && !it->is_null()) {
    if (!it->is_boolean()) return NotAnEvent("isBase64Encoded must be a boolean");
    encoded = it->get<bool>();
  }
  auto body = OptionalString(event, "body", &ok);
  if (!ok) return NotAnEvent("body must be a string");
  if (body && encoded) {
    auto decoded = Base64Decode(*body);
    if (decoded) {
      request.body = std::move(*decoded);
    } else if (!out.refusal) {
      out.refusal = Problem(400, "bad-request", "Malformed body",
                            "isBase64Encoded is set but the body is not base64");
    }
  } else if (body) {
    request.body = std::move(*body);
  }
  if (!request.Header("x-request-id")) {
    if (auto id = OptionalString(context, "requestId", &ok); id && !id->empty()) {
      request.headers.emplace_back("x-request-id", std::move(*id));
    }
  }
  return out;
}

HttpResponse HandleBefore(const HandleFunction& handle, HttpRequest request,
                          std::optional<std::chrono::steady_clock::time_point> deadline) {
  constexpr auto kWaitMargin = std::chrono::milliseconds(500);
  constexpr auto kGiveUpMargin = std::chrono::milliseconds(200);
  struct Pending {
    std::mutex mutex;
    std::condition_variable ready;
    std::optional<HttpResponse> response;
  };
  auto pending = std::make_shared<Pending>();  // shared with an answer that comes too late
  if (deadline) request.answer_by = *deadline - kWaitMargin;
  handle(std::move(request), [pending](HttpResponse response) {
    std::lock_guard lock(pending->mutex);
    pending->response = std::move(response);
    pending->ready.notify_all();
  });
  std::unique_lock lock(pending->mutex);
  auto answered = [&] { return pending->response.has_value(); };
  if (!deadline) {
    pending->ready.wait(lock, answered);
  } else if (!pending->ready.wait_until(lock, *deadline - kGiveUpMargin, answered)) {
    // The handler goes on (its late answer is dropped); what it started, such as a job,
    // is in the stores for the caller to find.
    return Problem(
        504, "deadline-exceeded", "Out of time",
        "the function's time ran out before the answer was ready; work the request started "
        "may still finish (a training job: GET /v1/jobs)");
  }
  return std::move(*pending->response);
}

std::string FormatApiGatewayResponse(const HttpResponse& response, int payload_version) {
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(response.headers.size() + 4);
  headers.emplace_back("Content-Type", response.content_type);
  headers.insert(headers.end(), response.headers.begin(), response.headers.end());
  SplitHeaderLines(response.header_lines, &headers);

  json answer = json::object();
  answer["statusCode"] = response.status;
  if (payload_version == 1) {
    json multi = json::object();
    for (const auto& [name, value] : headers) multi[name].push_back(value);
    answer["multiValueHeaders"] = std::move(multi);
  } else {
    // 2.0 has one value per name: repeated headers are joined with commas, as HTTP allows.
    json single = json::object();
    for (const auto& [name, value] : headers) {
      auto it = single.find(name);
      if (it == single.end()) {
        single[name] = value;
      } else {
        *it = it->get<std::string>() + ", " + value;
      }
    }
    answer["headers"] = std::move(single);
  }
  const bool text = simdjson::validate_utf8(response.body.data(), response.body.size());
  answer["isBase64Encoded"] = !text;
  answer["body"] = text ? response.body : Base64Encode(response.body);
  // Header values are ours and ASCII; should one not be, a replacement character beats a throw.
  return answer.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace diamond::http
