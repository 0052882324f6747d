// AccountDirectory: an in-memory snapshot of users, keys and plans, so authenticating a
// request is a hash, a map probe and a constant-time compare — never a database read.
// Reload() swaps in a new snapshot; requests in flight keep the one they started with.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "accounts/api_key.h"
#include "accounts/meter.h"
#include "accounts/principal.h"
#include "base/mutex.h"
#include "core/status.h"
#include "store/user_store.h"

namespace diamond::accounts {

enum class AuthFailure {
  kNone,
  kMissing,    // no key presented
  kMalformed,  // not the shape of a key
  kUnknown,    // no such key
  kRevoked,
  kDisabled,  // the key's user is disabled
};

struct AuthResult {
  std::shared_ptr<const Principal> principal;  // set when failure == kNone
  AuthFailure failure = AuthFailure::kNone;
};

class AccountDirectory {
 public:
  // Reads every user, key and plan. On failure the previous snapshot stays. Principals
  // get their runtime state (counters, buckets) from `meter`.
  Status Reload(store::UserStore& store, Meter& meter);

  AuthResult Authenticate(std::string_view presented_key) const;

  // The plan a user is on now (NotFound for an unknown user).
  Result<PlanRecord> PlanOf(const std::string& user_id) const;
  Result<PlanRecord> Plan(const std::string& name) const;
  std::vector<PlanRecord> Plans() const;

 private:
  struct KeyEntry {
    KeyDigest digest;
    bool revoked = false;
    bool user_disabled = false;
    std::shared_ptr<const Principal> principal;
  };
  struct Snapshot {
    std::unordered_map<std::string, std::vector<KeyEntry>> keys_by_prefix;
    std::unordered_map<std::string, PlanRecord> plans;
    std::unordered_map<std::string, std::string> plan_of_user;
  };

  std::shared_ptr<const Snapshot> Current() const;

  mutable Mutex mutex_;
  std::shared_ptr<const Snapshot> snapshot_ GUARDED_BY(mutex_) = std::make_shared<Snapshot>();
};

}  // namespace diamond::accounts
