#include "core/plan_rules.h"

#include <cstdint>
#include <string>

namespace diamond {

Status CheckDatasetCount(int64_t owned, int64_t max_datasets) {
  if (owned < max_datasets) return Status::Ok();
  return Status::LimitExceeded("max_datasets", max_datasets,
                               "the plan allows " + std::to_string(max_datasets) +
                                   " datasets; delete one to create another");
}

Status CheckStoredBytes(int64_t stored, int64_t added, int64_t max_stored_bytes) {
  // Compared without the sum, which could overflow for a limit near INT64_MAX.
  if (added <= max_stored_bytes && stored <= max_stored_bytes - added) return Status::Ok();
  const int64_t total = added > INT64_MAX - stored ? INT64_MAX : stored + added;
  return Status::LimitExceeded(
      "max_stored_bytes", max_stored_bytes,
      "this version (" + std::to_string(added) + " new bytes) would bring the datasets kept to " +
          std::to_string(total) + " bytes; the plan allows " + std::to_string(max_stored_bytes) +
          " (delete old versions or datasets to free space)");
}

Status CheckModelCount(int64_t owned, int64_t max_models) {
  if (owned < max_models) return Status::Ok();
  return Status::LimitExceeded(
      "max_models", max_models,
      "the plan allows " + std::to_string(max_models) + " models; delete one to train another");
}

Status CheckTrainingJobs(int64_t active, int64_t max_training_jobs) {
  if (active < max_training_jobs) return Status::Ok();
  return Status::QuotaExceeded("max_training_jobs", max_training_jobs,
                               "the plan allows " + std::to_string(max_training_jobs) +
                                   " training jobs at once; wait for one to finish");
}

}  // namespace diamond
