// Models: training requests become jobs; ready models are served from the cache.
// Safe for concurrent use.
//
// Tenancy: a model belongs to its owner. A viewer resolves a model id to their own model,
// else to a shared one (an admin's model shared with everyone), which they may read and
// predict with but not retrain or delete (PermissionDenied).
#pragma once

#include <future>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "service/dataset_service.h"
#include "service/job_payloads.h"
#include "service/model_cache.h"
#include "service/training_request.h"
#include "store/blob_store.h"
#include "store/dataset_store.h"
#include "store/model_store.h"

namespace diamond::service {

// The alias every model serves (/predict, OIP, price queries): routes name it without
// reaching into the store.
inline constexpr const char* kChampionAlias = store::ModelStore::kChampionAlias;

// The owner's plan limits that training checks (atomically, in the store).
using TrainingLimits = store::ModelStore::TrainingLimits;

class ModelService {
 public:
  ModelService(store::DatasetStore& dataset_store, store::ModelStore& model_store,
               store::BlobStore& blobs, ModelCache& cache)
      : dataset_store_(dataset_store), model_store_(model_store), blobs_(blobs), cache_(cache) {}

  // Resolves the owner's datasets (NotFound if one is missing) and queues a training job;
  // returns the job id. FailedPrecondition if the model is already training another
  // request; the same request again (a retry) gets the job in progress.
  Result<std::string> StartTraining(const std::string& owner, const std::string& model_id,
                                    const TrainingRequest& request, const TrainingLimits& limits);

  // The model `viewer` means by `id`.
  Result<ModelRecord> Get(const std::string& viewer, const std::string& id);
  Result<std::pair<std::vector<ModelRecord>, int64_t>> List(const std::string& viewer, Page page);
  Status Delete(const std::string& owner, const std::string& id);
  // Shares the owner's model with every user, or stops sharing it.
  Status SetShared(const std::string& owner, const std::string& id, bool shared);

  // Versions (issue 25): the owner's own model only (a shared model's versions are its
  // owner's business: NotFound for others). Newest first; `champion` marks the served one.
  Result<std::vector<ModelVersionRecord>> Versions(const std::string& owner, const std::string& id);
  Result<ModelVersionRecord> Version(const std::string& owner, const std::string& id,
                                     int64_t version);
  // Points `alias` at `version` (store::ModelStore::MoveAlias: for the champion, 0 is the
  // one before; for another alias, 0 removes it), recorded as done by `actor` for
  // `reason`. A champion moved is served by this process at once and by other replicas
  // when they next read the change log. Returns the model as it now is.
  Result<ModelRecord> MoveAlias(const std::string& owner, const std::string& id,
                                const std::string& alias, int64_t version, const std::string& actor,
                                const std::string& reason);
  Result<std::vector<AliasMove>> AliasHistory(const std::string& owner, const std::string& id);
  // The model card of a kept version (service/model_card.h), with the ranges of the
  // dataset version it was trained on while that is kept.
  Result<nlohmann::ordered_json> Card(const std::string& owner, const std::string& id,
                                      int64_t version);

  // Deletes a kept version no alias names, with its file (store::ModelStore::
  // DeleteModelVersion): FailedPrecondition for the champion or an aliased version.
  Status DeleteVersion(const std::string& owner, const std::string& id, int64_t version);
  // Queues a job that trains the kept version again from the dataset version(s) it was
  // trained on and records whether the model came out identical (on the version, as
  // `reproduction`, and in the job's detail); returns the job id. FailedPrecondition if
  // that data is no longer kept; limits as for a training.
  Result<std::string> Reproduce(const std::string& owner, const std::string& id, int64_t version,
                                const TrainingLimits& limits);

  // The model to price with: NotFound, or FailedPrecondition while it has never been
  // trained successfully (still training, or failed).
  Result<std::shared_ptr<const LoadedModel>> ForPrediction(const std::string& viewer,
                                                           const std::string& id);

  // A kept version of the viewer's own model to price with (issue 25): the champion's
  // path when it is the champion; else that version's file, cached under a key naming the
  // file, so an old copy can never answer for a model deleted and trained again. Reads
  // the database on every call (the version must still be kept). NotFound for a version
  // not kept, or another user's model.
  Result<std::shared_ptr<const LoadedModel>> ForPrediction(const std::string& viewer,
                                                           const std::string& id, int64_t version);
  // The same for the version `alias` names ("champion" or the owner's own); NotFound when
  // it names none. One database read, as above.
  Result<std::shared_ptr<const LoadedModel>> ForAlias(const std::string& viewer,
                                                      const std::string& id,
                                                      const std::string& alias);
  // True if a prediction with this model would be served from memory.
  bool IsWarm(const std::string& viewer, const std::string& id) const {
    return cache_.Contains(viewer, id);
  }

  ModelCache& cache() { return cache_; }

 private:
  using LoadResult = Result<std::shared_ptr<const LoadedModel>>;
  // Reads and parses the model file of `record`.
  LoadResult Load(const ModelRecord& record);
  // Prices with `kept`, a version of the viewer's own model just read from the store.
  Result<std::shared_ptr<const LoadedModel>> ForKept(const std::string& viewer,
                                                     const std::string& id,
                                                     const ModelVersionRecord& kept);

  // A kept dataset version pinned again for a training (FailedPrecondition if gone).
  Result<PinnedDataset> PinKept(const std::string& owner, const std::string& dataset_id,
                                int64_t version);

  // PermissionDenied if `id` is someone else's model shared with `owner`.
  Status CheckWritable(const std::string& owner, const std::string& id);

  store::DatasetStore& dataset_store_;
  store::ModelStore& model_store_;
  store::BlobStore& blobs_;
  ModelCache& cache_;
  Mutex loading_mutex_;
  std::map<std::string, std::shared_future<LoadResult>> loading_ GUARDED_BY(loading_mutex_);
};

}  // namespace diamond::service
