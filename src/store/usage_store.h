// UsageStore: what accounts used (rows predicted, training seconds, bytes stored, per user
// and day; when each key was last used) and which processes serve now (heartbeats, for
// sharing a key's rate among replicas). Nothing here bumps UserStore's Generation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/account_records.h"
#include "core/status.h"

namespace diamond::store {

class UsageStore {
 public:
  virtual ~UsageStore() = default;

  // Records when keys were last used: (key id, RFC 3339 time). Does not bump Generation.
  virtual Status TouchKeys(const std::vector<std::pair<std::string, std::string>>& used) = 0;

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
