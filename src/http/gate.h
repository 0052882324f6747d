// Gate: the one middleware between the router and the handlers that decides who may
// call and how much. For every route that is not public it
//   1. authenticates the key (Authorization: Bearer, or X-API-Key) against the in-memory
//      directory — 401 with WWW-Authenticate when missing, malformed, unknown, revoked,
//      or its user is disabled;
//   2. takes a token from the key's bucket — 429 with Retry-After when empty;
//   3. checks the route's role — 403 for a member on an admin route;
// and records the key's use. Tenancy follows from the principal it attaches: handlers
// act as that user, and the stores return another user's resources as NotFound.
// Rows priced are charged through ChargeRows, against the plan's monthly quota.
#pragma once

#include <memory>
#include <optional>

#include "accounts/accounts.h"
#include "http/http_types.h"
#include "http/router.h"
#include "service/row_account.h"

namespace diamond::http {

class Gate {
 public:
  // `enabled` false is for benchmarks only: every request acts as the bootstrap admin,
  // unmetered and unlimited.
  Gate(accounts::Accounts& accounts, bool enabled);

  // Nothing when the request may proceed (request.principal is then set), else the refusal.
  std::optional<HttpResponse> Admit(Access access, HttpRequest& request);

  // The refusal Admit would give a request that presents no key (or a credential that is
  // not a bearer token) on a route that needs one; nullopt otherwise, including for every
  // request that does present a key. From the headers alone: no store is asked.
  std::optional<HttpResponse> RefuseKeyless(Access access, const HttpRequest& request) const;

  // Counts rows priced for the caller against their plan's monthly quota.
  Status ChargeRows(const HttpRequest& request, int64_t rows);
  void RefundRows(const HttpRequest& request, int64_t rows);
  // The caller's monthly rows as service::Pricing charges them: reserved before the work
  // (a key over its quota costs nothing) and given back if the work fails.
  class CallerRows : public service::RowAccount {
   public:
    CallerRows(Gate& gate, const HttpRequest& request) : gate_(gate), request_(request) {}
    Status Reserve(int64_t rows) override { return gate_.ChargeRows(request_, rows); }
    void Refund(int64_t rows) override { gate_.RefundRows(request_, rows); }

   private:
    Gate& gate_;
    const HttpRequest& request_;
  };

  // The RateLimit-* headers, when they tell the client something: on a 429, and once
  // half of the key's burst is spent. (Every header costs every client parsing time; on
  // a plan the client is nowhere near, the fields would say only "carry on".)
  static void AddRateHeaders(const RateState& rate, int status, HttpResponse& response);

  bool enabled() const { return enabled_; }
  accounts::Accounts& accounts() { return accounts_; }

 private:
  accounts::Accounts& accounts_;
  bool enabled_;
  std::shared_ptr<const accounts::Principal> unchecked_;  // who calls when disabled
};

}  // namespace diamond::http
