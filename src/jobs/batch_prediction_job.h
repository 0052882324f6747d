// The "batch-predict" job (the batch-transform job of the original design): prices every
// row of a stored dataset version with a pinned model version and stores the priced CSV
// (input columns + price_predicted, and interval and factors when asked) as numbered parts
// committed one chunk at a time (store: CommitBatchPart). An attempt that follows a crash
// skips the chunks already committed — the input is cut the same way every time, so the
// result is the same bytes as an uninterrupted run.
#pragma once

#include <functional>
#include <string>

#include "jobs/job_runner.h"
#include "service/batch_prediction_service.h"
#include "store/batch_part_store.h"
#include "store/blob_store.h"
#include "store/job_queue.h"

namespace diamond::jobs {

// Told the owner and a change in the rows charged to them (for metering): the rows of each
// committed chunk for a batch charged as it goes, and, for a batch whose rows were reserved
// at submission, minus the rows it did not price, once, when it ends.
using RowsObserver = std::function<void(const std::string& owner, int64_t rows)>;

struct BatchPredictionOptions {
  size_t chunk_bytes = 8 << 20;  // of input per committed part
  std::string temp_dir;          // where the dataset is staged while it is read; "" = the system's
};

JobRunner::Executor MakeBatchPredictionExecutor(store::JobQueue& job_queue,
                                                store::BatchPartStore& parts,
                                                store::BlobStore& blobs,
                                                BatchPredictionOptions options,
                                                RowsObserver priced = {});

// The blob key of part `part` of a batch prediction's result.
std::string BatchPartKey(const std::string& owner, const std::string& job_id, int64_t part);

}  // namespace diamond::jobs
