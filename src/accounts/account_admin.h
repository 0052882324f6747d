// Account administration shared by `diamond admin` and the admin API: the same checks
// whichever way an operator comes in.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "accounts/api_key.h"
#include "core/status.h"
#include "store/account_store.h"

namespace diamond::accounts {

inline constexpr const char* kBootstrapAdmin = "admin";
inline constexpr const char* kBootstrapPlan = "enterprise";

// Validates and creates a user. InvalidArgument for a bad id, role or unknown plan;
// FailedPrecondition if the id is taken.
Status CreateUser(store::UserStore& store, const std::string& id, const std::string& role,
                  const std::string& plan);
Status UpdateUser(store::UserStore& store, const std::string& id,
                  const std::optional<std::string>& role, const std::optional<std::string>& plan,
                  const std::optional<bool>& disabled);

struct IssuedKey {
  ApiKeyRecord record;  // hash and prefix, as stored
  std::string key;      // the key itself: shown once, never stored
};
// A new key for the user (NotFound for an unknown user).
Result<IssuedKey> IssueKey(store::UserStore& store, const std::string& user_id,
                           const std::string& name);

// A plan with no practical limits and no prices, for in-process tools (the API benchmark,
// the request fuzzer): `diamond admin plans set` can create the same by hand.
PlanRecord UnlimitedPlan(const std::string& name);

// The rates and bursts a token bucket represents exactly (one request in about 11.6 days
// at the slowest).
inline constexpr double kMinRequestsPerSecond = 1e-6;
inline constexpr double kMaxRequestsPerSecond = 1e9;
inline constexpr int64_t kMaxBurst = int64_t{1} << 40;
// A new plan's storage limits when whoever creates it leaves them out (schema v4 gave the
// same to plans made before these limits existed).
inline constexpr int64_t kDefaultMaxStoredBytes = int64_t{1} << 40;
inline constexpr int64_t kDefaultMaxDatasets = 10000;
// Versions kept per model when a plan does not say (as before it was a setting), and the
// most a plan may keep (each is a model file in the store).
inline constexpr int64_t kDefaultModelVersionsKept = 5;
inline constexpr int64_t kMaxModelVersionsKept = 1000;

// InvalidArgument unless every number is finite and >= 0, the rate and burst are within
// what a token bucket represents, model_versions_kept is from 1 to kMaxModelVersionsKept,
// and the name is a valid id.
Status ValidatePlan(const PlanRecord& plan);

// On a store with no users: creates the admin user with a key and writes the key to
// `key_file` (mode 0600, never overwriting). Returns true if it did.
Result<bool> EnsureFirstAdmin(store::UserStore& store, const std::filesystem::path& key_file);

// Waits until every live server on the store (one whose heartbeat is under 3 s old) has
// loaded the accounts as they are now: after a revocation returns, the key is refused
// everywhere. FailedPrecondition naming the servers that did not confirm in `timeout`.
Status WaitUntilServersLoaded(store::AccountStore& store, std::chrono::milliseconds timeout);

struct UserUsage {
  std::string user_id;
  std::string plan;
  int64_t predicted_rows = 0;
  double training_seconds = 0;
  int64_t stored_bytes = 0;  // the month's highest daily level
  double cost_predictions = 0;
  double cost_training = 0;
  double cost_total = 0;
};
// Every user's usage in `month` (YYYY-MM) and its cost at their plan's prices.
Result<std::vector<UserUsage>> UsageReport(store::AccountStore& store, const std::string& month);
// True for "YYYY-MM" with a month 01..12.
bool IsValidMonth(const std::string& month);

}  // namespace diamond::accounts
