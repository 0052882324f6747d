// Batch predictions: price a stored dataset version with a model, as a job (the job
// itself is jobs/batch_prediction_job.h), and read its result in byte ranges. A batch is
// a job of kind "batch-predict": same queue, leases, cancellation and states as training.
// Safe for concurrent use.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "service/job_payloads.h"
#include "service/model_service.h"
#include "service/row_account.h"
#include "store/batch_part_store.h"
#include "store/blob_range_reader.h"
#include "store/blob_store.h"
#include "store/dataset_store.h"
#include "store/job_queue.h"
#include "store/model_store.h"

namespace diamond::service {

struct BatchRequest {
  std::string model_id;
  std::string dataset_id;
  std::optional<int64_t> dataset_version;  // default: the current one
  bool explain = false;
  double interval = 0;  // > 0: price_low and price_high at this level
};

class BatchPredictionService {
 public:
  BatchPredictionService(store::DatasetStore& dataset_store, store::ModelStore& model_store,
                         store::JobQueue& job_queue, store::BatchPartStore& batch_parts,
                         store::BlobStore& blobs, ModelService& models)
      : dataset_store_(dataset_store),
        model_store_(model_store),
        job_queue_(job_queue),
        batch_parts_(batch_parts),
        blobs_(blobs),
        models_(models) {}

  // Pins the model's and the dataset's versions, reserves the version's rows on `payer`
  // (QuotaExceeded, and nothing queued, when the month's quota cannot take them all), and
  // queues the job; the job gives back the rows it did not price when it ends. NotFound
  // for a model or dataset the viewer cannot see, FailedPrecondition for a model never
  // trained, InvalidArgument for an interval the model cannot give.
  Result<JobRecord> Start(const std::string& viewer, const BatchRequest& request,
                          RowAccount& payer);
  // The viewer's batch (NotFound for anything else, a training job included).
  Result<JobRecord> Get(const std::string& viewer, const std::string& id);
  // A queued batch is cancelled at once and its reserved rows go back to `payer`; a running
  // one stops at its next part and gives back what it did not price.
  Result<JobRecord> Cancel(const std::string& viewer, const std::string& id, RowAccount& payer);

  // The finished result's size, and bytes [offset, offset + length) of it.
  // A succeeded batch's result (its header, then its parts), read a piece at a time.
  Result<std::unique_ptr<RangeReader>> ReadResult(const std::string& viewer, const std::string& id);

 private:
  // The succeeded batch's parts (FailedPrecondition while it is not finished).
  Result<std::vector<BatchPart>> FinishedParts(const std::string& viewer, const std::string& id);

  store::DatasetStore& dataset_store_;
  store::ModelStore& model_store_;
  store::JobQueue& job_queue_;
  store::BatchPartStore& batch_parts_;
  store::BlobStore& blobs_;
  ModelService& models_;
};

}  // namespace diamond::service
