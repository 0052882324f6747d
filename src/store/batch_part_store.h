// BatchPartStore: the parts of a batch prediction's result, each recorded with the job's
// progress and fenced by the attempt that computed it, so a later attempt resumes after
// the last one recorded.
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

class BatchPartStore {
 public:
  virtual ~BatchPartStore() = default;

  // Records part `part` of attempt `attempt`'s result (replacing one of that number a lost
  // attempt may have left) with the job's progress, in one transaction; FailedPrecondition
  // if the attempt no longer holds the job. The parts recorded are what a later attempt
  // resumes after.
  virtual Status CommitBatchPart(const std::string& job_id, int64_t attempt, const BatchPart& part,
                                 double progress, const std::string& detail) = 0;
  // The owner's job's committed parts, by number.
  virtual Result<std::vector<BatchPart>> ListBatchParts(const std::string& owner,
                                                        const std::string& job_id) = 0;
};

}  // namespace diamond::store
