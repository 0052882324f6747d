#include "jobs/upload_completion_job.h"

#include "service/job_payloads.h"

namespace diamond::jobs {
namespace {

void Run(store::UploadStore& upload_store, store::JobQueue& job_queue,
         service::UploadService& uploads, const DescribeCompletionFailure& describe,
         const JobRecord& job, JobContext& context) {
  auto parsed = service::UploadCompleteJobPayload::Parse(job.payload_json);
  if (!parsed.ok()) {
    // Fail closed: without its plan limits the completion must not run as "no limit".
    RecordJobFailure(job_queue, job, parsed.status().message());
    return;
  }
  const service::UploadCompleteJobPayload& payload = *parsed;
  const std::string& upload_id = payload.upload_id;
  const service::DatasetService::Limits limits{payload.max_rows,
                                               {payload.max_stored_bytes, payload.max_datasets}};
  context.ReportProgress(0, "validating and storing " + std::to_string(payload.bytes) + " bytes");
  InvalidRows invalid;
  auto done = uploads.Complete(job.owner, upload_id, limits, &invalid, job.id);
  if (!done.ok()) {
    // An earlier attempt of this job committed, then died before it could say so.
    auto upload = upload_store.GetUpload(job.owner, upload_id);
    if (upload.ok() && upload->state == UploadState::kCompleted && upload->job_id == job.id) {
      if (Status s = job_queue.FinishJob(
              job.id, job.attempts, "dataset version " + std::to_string(upload->dataset_version));
          !s.ok()) {
        RecordJobFailure(job_queue, job, s.message());
      }
      return;
    }
    if (Status s = upload_store.FailUploadCompletion(job.owner, upload_id, job.id,
                                                     describe(done.status(), invalid));
        !s.ok()) {
      RecordJobFailure(job_queue, job,
                       "the upload's completion failed (" + done.status().message() +
                           ") and could not be recorded: " + s.message());
      return;
    }
    RecordJobFailure(job_queue, job, done.status().message());
    return;
  }
  const std::string detail = "dataset '" + done->id + "' version " +
                             std::to_string(done->current.version) + ", " +
                             std::to_string(done->current.rows) + " rows";
  if (Status s = job_queue.FinishJob(job.id, job.attempts, detail); !s.ok())
    RecordJobFailure(job_queue, job, s.message());
}

}  // namespace

JobRunner::Executor MakeUploadCompletionExecutor(store::UploadStore& upload_store,
                                                 store::JobQueue& job_queue,
                                                 service::UploadService& uploads,
                                                 DescribeCompletionFailure describe) {
  return [&upload_store, &job_queue, &uploads, describe = std::move(describe)](
             const JobRecord& job, JobContext& context) {
    try {
      Run(upload_store, job_queue, uploads, describe, job, context);
    } catch (const std::exception& e) {
      RecordJobFailure(job_queue, job, std::string("the upload's completion failed: ") + e.what());
    }
  };
}

}  // namespace diamond::jobs
