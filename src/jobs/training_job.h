// The "train" job: fit a model on the dataset version pinned in the job's payload, store
// the model file, and make it the model's next version. The "reproduce" job: fit a kept
// version again from its pinned data and record whether its model file came out the same.
#pragma once

#include <functional>
#include <string>

#include "jobs/job_runner.h"
#include "service/dataset_service.h"
#include "service/model_cache.h"
#include "store/blob_store.h"
#include "store/job_queue.h"
#include "store/model_store.h"

namespace diamond::jobs {

// Told the owner and the seconds each training attempt took (for metering).
using TrainingObserver = std::function<void(const std::string& owner, double seconds)>;

JobRunner::Executor MakeTrainingExecutor(store::ModelStore& models, store::JobQueue& job_queue,
                                         store::BlobStore& blobs, service::DatasetService& datasets,
                                         service::ModelCache& cache, TrainingObserver trained = {});

JobRunner::Executor MakeReproductionExecutor(store::ModelStore& models, store::JobQueue& job_queue,
                                             store::BlobStore& blobs,
                                             service::DatasetService& datasets,
                                             TrainingObserver trained = {});

}  // namespace diamond::jobs
