// The "train" job: fit a model on the dataset version pinned in the job's payload, store
// the model file, and make it the model's current version.
#pragma once

#include <functional>
#include <string>

#include "jobs/job_runner.h"
#include "service/dataset_service.h"
#include "service/model_cache.h"
#include "store/blob_store.h"
#include "store/metadata_store.h"

namespace diamond::jobs {

// Told the owner and the seconds each training attempt took (for metering).
using TrainingObserver = std::function<void(const std::string& owner, double seconds)>;

JobRunner::Executor MakeTrainingExecutor(store::MetadataStore& metadata, store::BlobStore& blobs,
                                         service::DatasetService& datasets,
                                         service::ModelCache& cache, TrainingObserver trained = {});

}  // namespace diamond::jobs
