// MaintenanceStore: what keeps the store tidy and watched — a named lease shared by every
// process (one blob collector at a time), the blob keys rows point at, and whether the
// database answers.
//
// A port of the metadata store (metadata_store.h): every method is atomic (one
// transaction) and safe to call from many threads. Expected failures are values: NotFound
// for unknown ids, FailedPrecondition for a conflicting state (the message says which),
// IoError when the database fails.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/records.h"
#include "core/status.h"

namespace diamond::store {

class MaintenanceStore {
 public:
  virtual ~MaintenanceStore() = default;

  // A named, expiring lock shared by every process on the store: true if `holder` has it
  // now (it was free, expired, or already theirs) until ttl_ms from now.
  virtual Result<bool> TryTakeLease(const std::string& name, const std::string& holder,
                                    int64_t ttl_ms) = 0;
  virtual Status ReleaseLease(const std::string& name, const std::string& holder) = 0;

  // Every blob key any row points at (dataset versions, model artifacts, query batches
  // and results, upload parts, batch prediction parts): what the blob store must keep.
  virtual Result<std::vector<std::string>> ReferencedBlobKeys() = 0;

  // True if the database answers.
  virtual Status Ping() = 0;
};

}  // namespace diamond::store
