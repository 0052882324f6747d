#include "service/batch_prediction_service.h"

#include <nlohmann/json.hpp>

#include "store/blob_chain_source.h"

namespace diamond::service {

Result<JobRecord> BatchPredictionService::Start(const std::string& viewer,
                                                const BatchRequest& request, RowAccount& payer) {
  auto loaded = models_.ForPrediction(viewer, request.model_id);
  if (!loaded.ok()) return loaded.status();
  if (request.interval > 0) {
    if (!(*loaded)->calibration) {
      return Status::InvalidArgument(
          "interval: the model has no interval calibration (it was trained without held-out rows)");
    }
    if (auto width = (*loaded)->calibration->HalfWidth(request.interval); !width.ok()) {
      return Status::InvalidArgument("interval: " + width.status().message());
    }
  }
  auto model = model_store_.FindModelFor(viewer, request.model_id);
  if (!model.ok()) return model.status();
  auto versions = dataset_store_.ListDatasetVersions(viewer, request.dataset_id);
  if (!versions.ok()) return versions.status();
  auto dataset = dataset_store_.GetDataset(viewer, request.dataset_id);
  if (!dataset.ok()) return dataset.status();
  const int64_t wanted = request.dataset_version.value_or(dataset->current.version);
  const DatasetVersion* version = nullptr;
  for (const auto& v : *versions) {
    if (v.version == wanted) version = &v;
  }
  if (version == nullptr) {
    return Status::NotFound("dataset '" + request.dataset_id + "' has no version " +
                            std::to_string(wanted));
  }
  // Reserved now, not checked: quick submissions must not each see the same rows left.
  if (Status s = payer.Reserve(version->rows); !s.ok()) return s;
  const JobRecord job = NewJob(
      viewer, kBatchPredictJobKind, request.model_id,
      BatchPredictJobPayload{model->owner, model->version, model->artifact_key, request.dataset_id,
                             version->version, store::SegmentKeys(*version), version->rows,
                             request.explain, request.interval,
                             /*rows_reserved=*/true}
          .ToJson());
  if (Status s = job_queue_.QueueJob(job); !s.ok()) {
    payer.Refund(version->rows);
    return s;
  }
  return job_queue_.GetJob(viewer, job.id);
}

Result<JobRecord> BatchPredictionService::Get(const std::string& viewer, const std::string& id) {
  auto job = job_queue_.GetJob(viewer, id);
  if (!job.ok()) return job.status();
  if (job->kind != kBatchPredictJobKind)
    return Status::NotFound("no batch prediction '" + id + "'");
  return job;
}

Result<JobRecord> BatchPredictionService::Cancel(const std::string& viewer, const std::string& id,
                                                 RowAccount& payer) {
  if (auto job = Get(viewer, id); !job.ok()) return job.status();
  auto cancelled = job_queue_.CancelJob(viewer, id);
  if (!cancelled.ok()) return cancelled;
  // Cancelled by this call while queued (a finished job is refused above): the job will
  // never run to give its reservation back, so it goes back here, once.
  if (cancelled->state == JobState::kCancelled) {
    if (auto payload = BatchPredictJobPayload::Parse(cancelled->payload_json);
        payload.ok() && payload->rows_reserved) {
      payer.Refund(payload->rows);
    }
  }
  return cancelled;
}

Result<std::vector<BatchPart>> BatchPredictionService::FinishedParts(const std::string& viewer,
                                                                     const std::string& id) {
  auto job = Get(viewer, id);
  if (!job.ok()) return job.status();
  if (job->state != JobState::kSucceeded) {
    return Status::FailedPrecondition("batch prediction '" + id + "' is " +
                                      std::string(JobStateName(job->state)) +
                                      ": its result exists once it has succeeded");
  }
  return batch_parts_.ListBatchParts(viewer, id);
}

Result<std::unique_ptr<RangeReader>> BatchPredictionService::ReadResult(const std::string& viewer,
                                                                        const std::string& id) {
  auto parts = FinishedParts(viewer, id);
  if (!parts.ok()) return parts.status();
  std::vector<store::BlobExtent> extents;
  extents.reserve(parts->size());
  for (const auto& p : *parts) extents.push_back({p.blob_key, p.bytes});
  return std::unique_ptr<RangeReader>(
      std::make_unique<store::BlobRangeReader>(blobs_, std::move(extents)));
}

}  // namespace diamond::service
