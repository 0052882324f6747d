#include "jobs/upload_completion_job.h"

#include "core/diamond_json.h"

namespace diamond::jobs {
namespace {

using nlohmann::json;

void Run(store::MetadataStore& metadata, service::UploadService& uploads, const DescribeCompletionFailure& describe,
         const store::JobRecord& job, JobContext& context) {
  auto parsed = ParseJson(job.payload_json);
  if (!parsed.ok() || !parsed->is_object()) {
    RecordJobFailure(metadata, job, "the job's payload is damaged");
    return;
  }
  const json& payload = *parsed;
  const std::string upload_id = payload.value("upload_id", "");
  const service::DatasetService::Limits limits{
      payload.value("max_rows", INT64_MAX),
      {payload.value("max_stored_bytes", INT64_MAX), payload.value("max_datasets", INT64_MAX)}};
  context.ReportProgress(0, "validating and storing " + std::to_string(payload.value("bytes", int64_t{0})) + " bytes");
  InvalidRows invalid;
  auto done = uploads.Complete(job.owner, upload_id, limits, &invalid, job.id);
  if (!done.ok()) {
    // An earlier attempt of this job committed, then died before it could say so.
    auto upload = metadata.GetUpload(job.owner, upload_id);
    if (upload.ok() && upload->state == "completed" && upload->job_id == job.id) {
      if (Status s = metadata.FinishJob(job.id, job.attempts, "dataset version " + std::to_string(upload->dataset_version));
          !s.ok()) {
        RecordJobFailure(metadata, job, s.message());
      }
      return;
    }
    if (Status s = metadata.FailUploadCompletion(job.owner, upload_id, job.id, describe(done.status(), invalid));
        !s.ok()) {
      RecordJobFailure(metadata, job, "the upload's completion failed (" + done.status().message() +
                                          ") and could not be recorded: " + s.message());
      return;
    }
    RecordJobFailure(metadata, job, done.status().message());
    return;
  }
  const std::string detail = "dataset '" + done->id + "' version " + std::to_string(done->current.version) + ", " +
                             std::to_string(done->current.rows) + " rows";
  if (Status s = metadata.FinishJob(job.id, job.attempts, detail); !s.ok()) RecordJobFailure(metadata, job, s.message());
}

}  // namespace

JobRunner::Executor MakeUploadCompletionExecutor(store::MetadataStore& metadata, service::UploadService& uploads,
                                                 DescribeCompletionFailure describe) {
  return [&metadata, &uploads, describe = std::move(describe)](const store::JobRecord& job, JobContext& context) {
    try {
      Run(metadata, uploads, describe, job, context);
    } catch (const std::exception& e) {
      RecordJobFailure(metadata, job, std::string("the upload's completion failed: ") + e.what());
    }
  };
}

}  // namespace diamond::jobs
