#include "http/gate.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

#include "accounts/account_admin.h"
#include "accounts/principal.h"
#include "http/problem.h"

namespace diamond::http {
namespace {

double MonotonicSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The presented key, or nullopt when a credential is present but not a bearer token.
std::optional<std::string_view> PresentedKey(const HttpRequest& request) {
  if (auto header = request.Header("authorization")) {
    std::string_view value = Trim(*header);
    if (EqualsIgnoreCase(value, "bearer")) return std::string_view();  // a scheme, no token
    const size_t space = value.find(' ');
    if (space == std::string_view::npos || !EqualsIgnoreCase(value.substr(0, space), "bearer")) {
      return std::nullopt;
    }
    return Trim(value.substr(space + 1));
  }
  if (auto header = request.Header("x-api-key")) return Trim(*header);
  return std::string_view();
}

HttpResponse Unauthorized(std::string_view detail, bool presented) {
  HttpResponse response = Problem(401, "unauthorized", "Authentication required", detail);
  // RFC 6750: say which scheme, and whether a token was there but bad.
  response.headers.emplace_back(
      "WWW-Authenticate",
      presented ? "Bearer realm=\"diamond\", error=\"invalid_token\"" : "Bearer realm=\"diamond\"");
  return response;
}

}  // namespace

Gate::Gate(accounts::Accounts& accounts, bool enabled) : accounts_(accounts), enabled_(enabled) {
  auto principal = std::make_shared<accounts::Principal>();
  principal->user_id = "admin";
  principal->role = accounts::Role::kAdmin;
  principal->key_prefix = "gate-off";
  principal->plan = accounts::UnlimitedPlan("unmetered");  // every limit, storage included
  unchecked_ = std::move(principal);
}

std::optional<HttpResponse> Gate::RefuseKeyless(Access access, const HttpRequest& request) const {
  if (access == Access::kPublic || !enabled_) return std::nullopt;
  auto key = PresentedKey(request);
  if (!key) return Unauthorized("the Authorization header must be 'Bearer <key>'", true);
  if (key->empty()) {
    return Unauthorized("send an API key: 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
                        false);
  }
  return std::nullopt;
}

std::optional<HttpResponse> Gate::Admit(Access access, HttpRequest& request) {
  if (access == Access::kPublic) return std::nullopt;
  if (!enabled_) {
    request.principal = unchecked_;
    return std::nullopt;
  }
  auto key = PresentedKey(request);
  if (!key) {
    return Unauthorized("the Authorization header must be 'Bearer <key>'", true);
  }
  accounts::AuthResult auth = accounts_.directory().Authenticate(*key);
  // A key created through another replica a moment ago: look at the store before refusing.
  if (auth.failure == accounts::AuthFailure::kUnknown && accounts_.ReloadIfChangedAfterMiss()) {
    auth = accounts_.directory().Authenticate(*key);
  }
  switch (auth.failure) {
    case accounts::AuthFailure::kNone:
      break;
    case accounts::AuthFailure::kMissing:
      return Unauthorized("send an API key: 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
                          false);
    case accounts::AuthFailure::kMalformed:
      return Unauthorized("the API key is malformed", true);
    case accounts::AuthFailure::kUnknown:
      return Unauthorized("the API key is not valid", true);
    case accounts::AuthFailure::kRevoked:
      return Unauthorized("the API key was revoked", true);
    case accounts::AuthFailure::kDisabled:
      return Unauthorized("the API key's user is disabled", true);
  }
  const accounts::Principal& principal = *auth.principal;
  request.principal = std::move(auth.principal);
  if (!principal.key_state->used.load(std::memory_order_relaxed)) {
    principal.key_state->used.store(true, std::memory_order_relaxed);
  }
  // Each of the N replicas serving the API grants its share of the key's rate and burst,
  // so that together they grant the plan's (docs/accounts.md).
  const int replicas = accounts_.serving_replicas();
  const double share_rate = principal.plan.requests_per_second / replicas;
  const int64_t share_burst =
      std::max<int64_t>(1, (principal.plan.burst + replicas - 1) / replicas);
  const double now = MonotonicSeconds();
  // The key's bucket, then the user's (all their keys together): a user with N keys gets
  // the plan's rate once, not N times. With one key both agree, so nothing changes then.
  accounts::RateDecision rate = principal.key_state->bucket.Take(share_rate, share_burst, now);
  const char* per = "per key";
  if (rate.allowed) {
    const accounts::RateDecision user_rate =
        principal.counters->bucket.Take(share_rate, share_burst, now);
    if (!user_rate.allowed || user_rate.remaining < rate.remaining) {
      rate = user_rate;
      per = "per user (all of the user's keys together)";
    }
  }
  request.rate = RateState{true, rate.limit, rate.remaining, rate.reset_seconds};
  if (!rate.allowed) {
    HttpResponse response = LimitProblem(
        429, "requests_per_second",
        static_cast<int64_t>(std::ceil(principal.plan.requests_per_second)),
        "the plan allows " + std::to_string(principal.plan.requests_per_second) +
            " requests per second " + per + " (burst " + std::to_string(principal.plan.burst) +
            "); retry after " + std::to_string(rate.retry_after) + " s");
    response.headers.emplace_back("Retry-After", std::to_string(rate.retry_after));
    return response;
  }
  // After the rate limit: a member probing admin routes spends tokens too.
  if (access == Access::kAdmin && !principal.is_admin()) {
    return Problem(403, "forbidden", "Forbidden", "this route is for admins");
  }
  return std::nullopt;
}

Status Gate::ChargeRows(const HttpRequest& request, int64_t rows) {
  if (!enabled_) return Status::Ok();
  const accounts::Principal& principal = *request.principal;
  return accounts::Meter::ChargeRows(*principal.counters, rows,
                                     principal.plan.monthly_predicted_rows);
}

void Gate::RefundRows(const HttpRequest& request, int64_t rows) {
  if (!enabled_) return;
  accounts::Meter::RefundRows(*request.principal->counters, rows);
}

void Gate::AddRateHeaders(const RateState& rate, int status, HttpResponse& response) {
  if (!rate.known) return;
  if (status != 429 && rate.remaining * 2 > rate.limit) return;
  // Appended to one preformatted block: this runs on every admitted request.
  std::string& out = response.header_lines;
  out.reserve(out.size() + 96);
  auto line = [&out](std::string_view name, int64_t value) {
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    out += name;
    out.append(digits, static_cast<size_t>(result.ptr - digits));
    out += "\r\n";
  };
  line("RateLimit-Limit: ", rate.limit);
  line("RateLimit-Remaining: ", rate.remaining);
  line("RateLimit-Reset: ", rate.reset_seconds);
}

}  // namespace diamond::http
