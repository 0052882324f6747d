// Models: training requests become jobs; ready models are served from the cache.
// Safe for concurrent use.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "service/dataset_service.h"
#include "service/model_cache.h"
#include "service/training_request.h"
#include "store/blob_store.h"
#include "store/metadata_store.h"

namespace diamond::service {

class ModelService {
 public:
  ModelService(store::MetadataStore& metadata, store::BlobStore& blobs, ModelCache& cache)
      : metadata_(metadata), blobs_(blobs), cache_(cache) {}

  // Resolves the datasets (NotFound if one is missing) and queues a training job;
  // returns the job id. FailedPrecondition if the model is already training.
  Result<std::string> StartTraining(const std::string& model_id, const TrainingRequest& request);

  Result<store::ModelRecord> Get(const std::string& id);
  Result<std::pair<std::vector<store::ModelRecord>, int64_t>> List(store::Page page);
  Status Delete(const std::string& id);

  // The model to price with: NotFound, or FailedPrecondition while it has never been
  // trained successfully (still training, or failed).
  Result<std::shared_ptr<const LoadedModel>> ForPrediction(const std::string& id);

  ModelCache& cache() { return cache_; }

 private:
  store::MetadataStore& metadata_;
  store::BlobStore& blobs_;
  ModelCache& cache_;
};

}  // namespace diamond::service
