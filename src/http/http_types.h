// HttpRequest / HttpResponse: what handlers see. Plain structs with no Boost.Beast in
// sight, so handlers compile fast and can be tested without sockets; server.cc converts.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/request_phases.h"

namespace diamond::accounts {
struct Principal;
}

namespace diamond::http {

// The caller's token bucket after this request, for the RateLimit-* headers.
struct RateState {
  bool known = false;
  int64_t limit = 0;
  int64_t remaining = 0;
  int64_t reset_seconds = 0;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string and without the /v1 prefix
  std::string prefix;  // "/v1" when the request came in under /v1, else ""
  std::vector<std::pair<std::string, std::string>> query;    // percent-decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::vector<std::pair<std::string, std::string>> path_params;  // filled by the router
  std::string request_id;
  // Who sent it: the peer's address, or what a trusted proxy's X-Forwarded-For says
  // (http/connection_limits.h). For logs; empty where the transport does not say.
  std::string client_address;
  std::string route;  // the matched pattern, for metrics and logs
  // Set by the gate on every non-public route: who is calling. Handlers use its user id
  // as the owner of everything they touch.
  std::shared_ptr<const accounts::Principal> principal;
  RateState rate;
  // The last moment the caller can still take an answer (an AWS Lambda invocation's
  // deadline, less a margin): requests that wait (PUT /models with ?wait) stop waiting by
  // then and answer with what they have. Unset for HTTP clients, who wait as they asked.
  std::optional<std::chrono::steady_clock::time_point> answer_by;
  // Where its time went, by phase (for /metrics and the access log).
  RequestPhases phases;

  std::optional<std::string_view> Header(std::string_view lowercase_name) const;
  std::optional<std::string_view> Query(std::string_view name) const;
  // A path parameter the matched route declares (the router guarantees it exists).
  const std::string& Param(std::string_view name) const;
  // The media type of the body without parameters, lowercased ("application/json").
  std::string MediaType() const;
};

// A body too large to hold at once (a dataset's rows, a batch result): `size` bytes that
// `read` hands over in pieces while the response is sent. `read` sets *piece to the next
// bytes (at most `max`, at least one) and returns true, or returns false if they cannot be
// read (it logs why; the connection is then closed, so the client sees a body shorter than
// its Content-Length, never a wrong one). It may block — it runs on the work pool — and is
// never called twice at once, nor again once `size` bytes were given.
struct StreamedBody {
  int64_t size = 0;
  std::function<bool(size_t max, std::string* piece)> read;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Instead of `body`, for downloads: see StreamedBody.
  std::shared_ptr<StreamedBody> streamed;
  std::vector<std::pair<std::string, std::string>> headers;
  // Header lines already formatted ("Name: value\r\n" each), written after `headers`:
  // for middleware that adds the same few headers to every response (the gate's
  // RateLimit-*), where a pair of strings per header would cost allocations per request.
  std::string header_lines;
  // Set by a handler that answers later, without holding its thread (a request that
  // waits for training): the Api calls it with `respond`, which must then be called
  // exactly once, from any thread, with the real response.
  using Respond = std::function<void(HttpResponse)>;
  std::function<void(Respond respond)> later;
};

// A response that will come later; see HttpResponse::later.
HttpResponse Later(std::function<void(HttpResponse::Respond)> start);

HttpResponse JsonResponse(int status, std::string body);

// Reads a streamed body into `body` (for a transport that sends answers whole, such as
// AWS Lambda); false if a piece cannot be read. Nothing to do for other responses.
bool ReadWholeBody(HttpResponse* response);

// Splits "a=1&b=x%20y" into decoded pairs; false on a malformed escape.
bool ParseQueryString(std::string_view text, std::vector<std::pair<std::string, std::string>>* out);
// Decodes %XX escapes; false on a malformed one.
bool PercentDecode(std::string_view text, std::string* out);

}  // namespace diamond::http
