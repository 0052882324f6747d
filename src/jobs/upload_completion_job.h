// The "upload-complete" job: completes a large multipart upload (UploadService::Complete,
// the same streaming validation and commit a request runs for a small one) on the job
// workers, so the request that asked for it answers 202 at once and no proxy timeout cuts a
// long completion short. A worker that dies mid-way leaves the job to the next attempt,
// which simply runs the completion again (the upload commits once). When the completion
// fails, the upload is open again and keeps the reason as the problem document a request
// would have answered (`describe`), for GET /uploads/{id}.
#pragma once

#include <functional>
#include <string>

#include "core/diamond_csv.h"
#include "jobs/job_runner.h"
#include "service/upload_service.h"
#include "store/job_queue.h"
#include "store/upload_store.h"

namespace diamond::jobs {

// The problem document (JSON text) for a completion that failed with `status` (and, for
// invalid rows, `invalid`).
using DescribeCompletionFailure =
    std::function<std::string(const Status& status, const InvalidRows& invalid)>;

JobRunner::Executor MakeUploadCompletionExecutor(store::UploadStore& upload_store,
                                                 store::JobQueue& job_queue,
                                                 service::UploadService& uploads,
                                                 DescribeCompletionFailure describe);

}  // namespace diamond::jobs
