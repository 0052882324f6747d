// A plan's limits on what a user keeps and runs, written once: the store applies them
// inside the transaction that commits a dataset version or starts a training, on the
// counts it read there (so that concurrent writers cannot both slip under a limit), but
// what a limit allows and what the client is told is decided here. Each returns OK, or
// LimitExceeded / QuotaExceeded naming the limit and its value.
#pragma once

#include <cstdint>

#include "core/status.h"

namespace diamond {

// A new dataset, when the owner already has `owned`.
Status CheckDatasetCount(int64_t owned, int64_t max_datasets);
// A version adding `added` bytes not stored yet to the `stored` bytes the owner's kept
// versions hold.
Status CheckStoredBytes(int64_t stored, int64_t added, int64_t max_stored_bytes);
// A new model, when the owner already has `owned`.
Status CheckModelCount(int64_t owned, int64_t max_models);
// Another training job, when `active` of the owner's are queued or running (a quota: it
// frees itself, so the client may retry).
Status CheckTrainingJobs(int64_t active, int64_t max_training_jobs);

}  // namespace diamond
