// The accounts' records — users, API keys, plans, replicas, daily usage — as plain
// structs: what the account store keeps and what the gate and the API show. In core so
// that every layer may name them without including the store.
#pragma once

#include <cstdint>
#include <string>

namespace diamond {

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
  // Versions kept per model: the newest this many, plus the champion and any an alias
  // names (issue 25). At least 1.
  int64_t model_versions_kept = 5;
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

}  // namespace diamond
