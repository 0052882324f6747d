#include "http/api.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>

#include "accounts/principal.h"
#include "base/logger.h"
#include "http/problem.h"

namespace diamond::http {
namespace {

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A client's request id is echoed only if it is short, printable ASCII.
bool IsUsableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

// Request ids only correlate logs, so a per-thread generator seeded once is enough; it
// avoids a system call per request that the OS random source would cost.
std::string NewRequestId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = generator();
    for (int i = 0; i < 16; ++i, bits >>= 4)
      id[static_cast<size_t>(half * 16 + i)] = kHex[bits & 15];
  }
  return id;
}

// The client's X-Request-Id if it is usable, else a new one.
std::string RequestIdOf(const HttpRequest& request) {
  auto id = request.Header("x-request-id");
  return id && IsUsableRequestId(*id) ? std::string(*id) : NewRequestId();
}

std::string CollapseSlashes(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out += c;
  }
  return out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

// Repeated slashes count as one, as in common servers: clients that join BASE + "/" + a
// location that starts with a slash (or a BASE that ends with one) still arrive. A /v1
// prefix is taken off the path and kept aside.
void NormalizePath(HttpRequest& request) {
  if (request.path.find("//") != std::string::npos) request.path = CollapseSlashes(request.path);
  if (request.path == "/v1" || request.path.starts_with("/v1/")) {
    request.prefix = "/v1";
    request.path = request.path.size() == 3 ? "/" : request.path.substr(3);
  }
}

// What the server failed at is for its operators, not its callers: a store's message can
// hold file paths, SQL or a library's exception text. The caller gets the problem's type
// and title and the request id to quote; the log gets the detail under that id.
void ConcealServerFailure(const HttpRequest& request, HttpResponse& response) {
  auto problem = nlohmann::json::parse(response.body, nullptr, false);
  if (!problem.is_object() || !problem.contains("detail") || !problem["detail"].is_string()) return;
  // Only the failures whose detail comes from inside (others, such as an overloaded work
  // queue or a Lambda answer over its size, say what the caller can do about them).
  const std::string type = problem.value("type", std::string());
  if (type != "/problems/internal" && type != "/problems/storage-unavailable" &&
      type != "/problems/not-ready" && type != "/problems/storage-inconsistent") {
    return;
  }
  const std::string detail = problem["detail"].get<std::string>();
  const std::string told =
      response.status == 503 ? "the service cannot do this right now; retry shortly (request id " +
                                   request.request_id + ")"
      : type == "/problems/storage-inconsistent"
          ? "stored data this request needs is missing or damaged, and retrying will not help; "
            "report request id " +
                request.request_id
          : "the server failed to handle this request; quote request id " + request.request_id;
  if (detail == told) return;
  // (Readiness logs its own reason, throttled: probes repeat.)
  if (type != "/problems/not-ready" &&
      !detail.starts_with("the server failed to handle this request")) {
    Log(LogLevel::kError, "request failed on the server's side",
        {{"request_id", request.request_id},
         {"route", request.route},
         {"status", response.status},
         {"detail", detail}});
  }
  problem["detail"] = told;
  response.body = problem.dump();
}

// {"authorize":0.004,"decode":0.01,…}: the phases the request entered, in milliseconds.
nlohmann::json PhasesMilliseconds(const RequestPhases& phases) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = 0; i < kRequestPhaseCount; ++i) {
    const auto phase = static_cast<RequestPhase>(i);
    if (phases.Entered(phase))
      out[std::string(RequestPhaseName(phase))] = phases.Seconds(phase) * 1000;
  }
  return out;
}

}  // namespace

Api::Api(ApiContext context)
    : context_(std::move(context)),
      pool_(std::make_unique<WorkPool>(context_.config.work_threads,
                                       context_.config.max_queued_requests)) {
  RegisterRoutes(router_, context_);
}

Api::~Api() { Drain(); }

void Api::Drain() { pool_->Stop(); }

void Api::ReadPiece(std::shared_ptr<StreamedBody> body, size_t max,
                    std::function<void(bool, std::string)> done) {
  auto read = [body, max, done] {
    std::string piece;
    const bool ok = body->read(max, &piece);
    done(ok, std::move(piece));
  };
  if (!pool_->Submit(read)) read();
}

void Api::Refuse(HttpRequest request, HttpResponse refusal,
                 const std::function<void(HttpResponse)>& done) {
  const double started = NowSeconds();
  request.request_id = RequestIdOf(request);
  request.route = "unmatched";
  Finish(request, std::move(refusal), started, done);
}

bool Api::AnswerBeforeBody(HttpRequest& head, const std::function<void(HttpResponse)>& done) {
  const double started = NowSeconds();
  NormalizePath(head);
  Router::Match match = router_.Find(head.method, head.path, &head.path_params);
  if (match.route == nullptr) return false;
  auto refused = context_.gate.RefuseKeyless(match.route->options.access, head);
  if (!refused) return false;
  head.request_id = RequestIdOf(head);
  head.route = match.route->pattern;
  Finish(head, std::move(*refused), started, done);
  return true;
}

void Api::Handle(HttpRequest request, std::function<void(HttpResponse)> done) {
  const double started = NowSeconds();
  request.request_id = RequestIdOf(request);
  NormalizePath(request);

  Router::Match match = router_.Find(request.method, request.path, &request.path_params);
  if (match.route == nullptr) {
    request.route = "unmatched";
    HttpResponse response;
    if (match.bad_escape) {
      response = Problem(400, "bad-request", "Malformed path", "the path has a malformed %-escape");
    } else if (!match.allowed_methods.empty()) {
      response =
          Problem(405, "method-not-allowed", "Method not allowed",
                  request.method + " is not allowed here; allowed: " + Join(match.allowed_methods));
      response.headers.emplace_back("Allow", Join(match.allowed_methods));
    } else {
      response = Problem(404, "not-found", "Not found", "no route for " + request.path);
    }
    Finish(request, std::move(response), started, done);
    return;
  }
  const Route& route = *match.route;
  request.route = route.pattern;
  for (const auto& [key, value] : request.query) {
    const auto& allowed = route.options.query_params;
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      FieldError error{0, 0, key,
                       allowed.empty()
                           ? "this route takes no query parameters"
                           : "unknown query parameter (allowed: " + Join(allowed) + ")"};
      Finish(request, ValidationProblem("unknown query parameter '" + key + "'", {error}), started,
             done);
      return;
    }
  }
  std::optional<HttpResponse> refused;
  {
    PhaseTimer authorizing(&request.phases, RequestPhase::kAuthorize);
    refused = context_.gate.Admit(route.options.access, request);
  }
  if (refused) {
    Finish(request, std::move(*refused), started, done);
    return;
  }
  if (!route.options.blocking &&
      (!route.options.inline_when || route.options.inline_when(request))) {
    HttpResponse response = Execute(route, request);
    if (response.later) {
      return AnswerLater(std::make_shared<HttpRequest>(std::move(request)), std::move(response),
                         started, std::move(done));
    }
    Finish(request, std::move(response), started, done);
    return;
  }
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  const double queued = NowSeconds();
  bool accepted = pool_->Submit([this, &route, shared, started, queued, done] {
    shared->phases.Add(RequestPhase::kQueueWait, NowSeconds() - queued);
    HttpResponse response = Execute(route, *shared);
    if (response.later) return AnswerLater(shared, std::move(response), started, done);
    Finish(*shared, std::move(response), started, done);
  });
  if (!accepted) {
    HttpResponse busy = Problem(503, "overloaded", "Too busy",
                                "the server has too much work queued; retry shortly");
    busy.headers.emplace_back("Retry-After", "1");
    Finish(*shared, std::move(busy), started, done);
  }
}

void Api::AnswerLater(std::shared_ptr<HttpRequest> request, HttpResponse pending, double started,
                      std::function<void(HttpResponse)> done) {
  // The thread is released now; whoever holds `respond` finishes the request.
  pending.later([this, request, started, done = std::move(done)](HttpResponse response) {
    Finish(*request, std::move(response), started, done);
  });
}

HttpResponse Api::Execute(const Route& route, HttpRequest& request) {
  try {
    return route.handler(request);
  } catch (const std::exception& e) {
    // A bug, not the caller's fault: log it with the request id, never send it back.
    Log(LogLevel::kError, "handler failed",
        {{"request_id", request.request_id}, {"route", route.pattern}, {"error", e.what()}});
    return Problem(
        500, "internal", "Internal error",
        "the server failed to handle this request; quote request id " + request.request_id);
  }
}

void Api::Finish(HttpRequest& request, HttpResponse response, double started,
                 const std::function<void(HttpResponse)>& done) {
  // The Open Inference Protocol's routes answer errors in its own form, whoever refused
  // the request (the router, the gate or the handler): {"error": "<what went wrong>"}.
  if ((request.path == "/v2" || request.path.starts_with("/v2/")) &&
      response.content_type == "application/problem+json") {
    auto problem = nlohmann::json::parse(response.body, nullptr, false);
    std::string message =
        problem.is_object() ? problem.value("detail", problem.value("title", std::string())) : "";
    response.body = nlohmann::json{{"error", message.empty() ? "request failed" : message}}.dump();
    response.content_type = "application/json";
  }
  if (response.status >= 500 && response.content_type == "application/problem+json")
    ConcealServerFailure(request, response);
  response.headers.emplace_back("X-Request-Id", request.request_id);
  // No answer of the API is a document to sniff or a page to cache; routes that serve
  // files (/docs, /console, /openapi.json) say how to cache them themselves.
  response.header_lines += "X-Content-Type-Options: nosniff\r\n";
  if (std::none_of(response.headers.begin(), response.headers.end(),
                   [](const auto& header) { return header.first == "Cache-Control"; })) {
    response.header_lines += "Cache-Control: no-store\r\n";
  }
  Gate::AddRateHeaders(request.rate, response.status, response);
  const double seconds = NowSeconds() - started;
  context_.metrics.ObserveRequest(request.route, request.method, response.status, seconds,
                                  request.phases);
  if (context_.config.access_log && LogEnabled(LogLevel::kInfo)) {
    // The key's prefix identifies it; the key itself is never logged.
    Log(LogLevel::kInfo, "request",
        {{"request_id", request.request_id},
         {"method", request.method},
         {"path", request.prefix + request.path},
         {"route", request.route},
         {"client", request.client_address},
         {"user", request.principal ? request.principal->user_id : std::string()},
         {"key", request.principal ? request.principal->key_prefix : std::string()},
         {"status", response.status},
         {"duration_ms", seconds * 1000},
         {"phases_ms", PhasesMilliseconds(request.phases)}});
  }
  done(std::move(response));
}

}  // namespace diamond::http
