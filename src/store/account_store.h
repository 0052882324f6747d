// AccountStore: users, their API keys, plans and metered usage — what the gate needs to
// decide who may call and how much, and what billing reads back.
//
// The gate does not read this store per request: it keeps a snapshot in memory and
// reloads it when Generation() changes (every change made through this interface bumps
// it, from this process or from `diamond admin` in another one).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace diamond::store {

struct UserRecord {
  std::string id;    // chosen by an admin: "alice"
  std::string role;  // "admin" or "member"
  std::string plan;  // a PlanRecord's name
  bool disabled = false;
  std::string created_at;
};

struct ApiKeyRecord {
  std::string id;  // public id, for listing and revoking
  std::string user_id;
  std::string prefix;  // the key's first characters, safe to show and log
  std::string hash;    // hex SHA-256 of the whole key; the key itself is never stored
  std::string name;    // the owner's label ("laptop", "ci")
  std::string created_at;
  std::string revoked_at;    // empty while the key is valid
  std::string last_used_at;  // empty until first use
};

struct PlanRecord {
  std::string name;
  double requests_per_second = 0;        // token bucket refill, per key
  int64_t burst = 0;                     // token bucket size
  int64_t monthly_predicted_rows = 0;    // real-time and batch rows per calendar month (UTC)
  int64_t max_dataset_rows = 0;          // rows in one dataset
  int64_t max_models = 0;                // models owned
  int64_t max_training_jobs = 0;         // queued or running at once
  double price_per_1k_rows = 0;          // currency units per 1,000 predicted rows
  double price_per_training_minute = 0;  // currency units per minute of training
  int64_t max_stored_bytes = 0;          // bytes of every dataset version kept, summed
  int64_t max_datasets = 0;              // datasets owned
};

// A process serving this database (a server, or a worker), as it last reported.
struct ReplicaRecord {
  std::string id;                 // random, per process start
  int64_t loaded_generation = 0;  // the account generation its directory was loaded at
  int64_t heartbeat_ms = 0;       // Unix milliseconds of its last report
  std::string started_at;
  int64_t pid = 0;
  std::string host;
  bool serving =
      true;  // answers API requests (a `diamond worker` does not): counts for rate shares
};

// One user's usage on one UTC day (YYYY-MM-DD).
struct UsageRecord {
  std::string user_id;
  std::string day;
  int64_t predicted_rows = 0;
  double training_seconds = 0;
  int64_t stored_bytes = 0;  // the latest figure of the day (a level, not a sum)
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // A counter every change below increments.
  virtual Result<int64_t> Generation() = 0;

  // FailedPrecondition if a user with that id exists.
  virtual Status CreateUser(const UserRecord& user) = 0;
  virtual Result<UserRecord> GetUser(const std::string& id) = 0;
  virtual Result<std::vector<UserRecord>> ListUsers() = 0;
  // Changes what is given; NotFound for an unknown user.
  virtual Status UpdateUser(const std::string& id, const std::optional<std::string>& role,
                            const std::optional<std::string>& plan,
                            const std::optional<bool>& disabled) = 0;
  virtual Result<int64_t> CountUsers() = 0;

  virtual Status CreateKey(const ApiKeyRecord& key) = 0;
  // Every key of the user (revoked ones too), or of everyone when user_id is empty.
  virtual Result<std::vector<ApiKeyRecord>> ListKeys(const std::string& user_id) = 0;
  // NotFound unless the key exists (and belongs to user_id, when given).
  virtual Status RevokeKey(const std::string& user_id, const std::string& key_id) = 0;
  // Records when keys were last used: (key id, RFC 3339 time). Does not bump Generation.
  virtual Status TouchKeys(const std::vector<std::pair<std::string, std::string>>& used) = 0;

  virtual Result<std::vector<PlanRecord>> ListPlans() = 0;
  // Creates or replaces the plan.
  virtual Status PutPlan(const PlanRecord& plan) = 0;

  // Adds predicted rows and training seconds to each (user, day), and sets stored_bytes
  // where it is >= 0. One transaction. Does not bump Generation.
  virtual Status AddUsage(const std::vector<UsageRecord>& deltas) = 0;
  // Every (user, day) row whose day starts with `month` ("2026-11").
  virtual Result<std::vector<UsageRecord>> UsageForMonth(const std::string& month) = 0;

  // Creates or updates the process's row. Does not bump Generation.
  virtual Status Heartbeat(const ReplicaRecord& replica) = 0;
  virtual Status RemoveReplica(const std::string& id) = 0;
  virtual Result<std::vector<ReplicaRecord>> ListReplicas() = 0;
};

}  // namespace diamond::store
