#include "service/model_service.h"

#include <algorithm>

#include "ml/model_file.h"
#include "service/job_payloads.h"
#include "service/model_card.h"
#include "store/blob_chain_source.h"

namespace diamond::service {

Status ModelService::CheckWritable(const std::string& owner, const std::string& id) {
  auto visible = model_store_.FindModelFor(owner, id);
  if (visible.ok() && visible->owner != owner) {
    return Status::PermissionDenied(
        "model '" + id + "' is a shared model: you may predict with it but not change it");
  }
  if (!visible.ok() && visible.status().code() != StatusCode::kNotFound) return visible.status();
  return Status::Ok();
}

Result<std::string> ModelService::StartTraining(const std::string& owner,
                                                const std::string& model_id,
                                                const TrainingRequest& request,
                                                const TrainingLimits& limits) {
  // No CheckWritable here: a user's own id always wins over a model another user shares
  // under the same id (training makes the user's own model, which hides the shared one
  // from them); only the shared model itself cannot be changed by its viewers.
  // Pin the exact dataset versions now: lineage names what the model was trained on, even
  // if the dataset changes while the job waits in the queue.
  auto dataset = dataset_store_.GetDataset(owner, request.dataset_id);
  if (!dataset.ok()) return dataset.status();
  auto pinned = [](const DatasetRecord& d) {
    return PinnedDataset{d.id, d.current.version, store::SegmentKeys(d.current), d.current.sha256,
                         d.current.rows};
  };
  TrainJobPayload payload{request.ToJson(), pinned(*dataset), std::nullopt, limits.versions_kept};
  if (request.validation.kind == ml::Validation::Kind::kSeparateSet) {
    auto validation = dataset_store_.GetDataset(owner, request.validation_dataset_id);
    if (!validation.ok()) return validation.status();
    payload.validation_dataset = pinned(*validation);
  }
  const JobRecord job = NewJob(owner, kTrainJobKind, model_id, payload.ToJson());
  const std::string request_json = request.ToJson().dump();
  if (Status s = model_store_.StartTraining(model_id, request_json, job, limits); !s.ok()) {
    // The same request again while its training is in progress is a retry (a proxy resends
    // a PUT whose replica died before answering): it gets that training's job, as a PUT
    // repeated should, not a conflict with itself.
    if (s.code() == StatusCode::kFailedPrecondition) {
      auto existing = model_store_.FindModelFor(owner, model_id);
      if (existing.ok() && existing->owner == owner && existing->status == ModelStatus::kTraining &&
          existing->request_json == request_json) {
        return existing->job_id;
      }
    }
    return s;
  }
  cache_.Invalidate(owner, model_id);  // a new own model hides a shared one with the same id
  return job.id;
}

Result<ModelRecord> ModelService::Get(const std::string& viewer, const std::string& id) {
  return model_store_.FindModelFor(viewer, id);
}

Result<std::pair<std::vector<ModelRecord>, int64_t>> ModelService::List(const std::string& viewer,
                                                                        Page page) {
  return model_store_.ListModels(viewer, page);
}

Status ModelService::SetShared(const std::string& owner, const std::string& id, bool shared) {
  if (Status s = CheckWritable(owner, id); !s.ok()) return s;
  if (Status s = model_store_.SetModelShared(owner, id, shared); !s.ok()) return s;
  cache_.Invalidate(owner, id);
  return Status::Ok();
}

Status ModelService::Delete(const std::string& owner, const std::string& id) {
  if (Status s = CheckWritable(owner, id); !s.ok()) return s;
  auto keys = model_store_.DeleteModel(owner, id);
  if (!keys.ok()) return keys.status();
  cache_.Invalidate(owner, id);
  store::DeleteUnreferencedBlobs(blobs_, *keys);
  return Status::Ok();
}

Result<std::vector<ModelVersionRecord>> ModelService::Versions(const std::string& owner,
                                                               const std::string& id) {
  return model_store_.ListModelVersions(owner, id);
}

Result<ModelVersionRecord> ModelService::Version(const std::string& owner, const std::string& id,
                                                 int64_t version) {
  auto versions = model_store_.ListModelVersions(owner, id);
  if (!versions.ok()) return versions.status();
  for (ModelVersionRecord& kept : *versions) {
    if (kept.version == version) return std::move(kept);
  }
  return Status::NotFound("model '" + id + "' keeps no version " + std::to_string(version));
}

Result<ModelRecord> ModelService::MoveAlias(const std::string& owner, const std::string& id,
                                            const std::string& alias, int64_t version,
                                            const std::string& actor, const std::string& reason) {
  if (Status s = CheckWritable(owner, id); !s.ok()) return s;
  auto moved = model_store_.MoveAlias(owner, id, alias, version, actor, reason);
  if (moved.ok() && alias == kChampionAlias) cache_.Invalidate(owner, id);
  return moved;
}

Result<nlohmann::ordered_json> ModelService::Card(const std::string& owner, const std::string& id,
                                                  int64_t version) {
  auto kept = Version(owner, id, version);
  if (!kept.ok()) return kept.status();
  std::optional<DatasetVersion> dataset;
  if (auto found = dataset_store_.GetDatasetVersion(owner, kept->dataset_id, kept->dataset_version);
      found.ok()) {
    dataset = *std::move(found);
  }
  return ModelCard(*kept, dataset);
}

Status ModelService::DeleteVersion(const std::string& owner, const std::string& id,
                                   int64_t version) {
  auto keys = model_store_.DeleteModelVersion(owner, id, version);
  if (!keys.ok()) return keys.status();
  store::DeleteUnreferencedBlobs(blobs_, *keys);
  return Status::Ok();
}

Result<PinnedDataset> ModelService::PinKept(const std::string& owner, const std::string& dataset_id,
                                            int64_t version) {
  auto kept = dataset_store_.GetDatasetVersion(owner, dataset_id, version);
  if (!kept.ok() && kept.status().code() == StatusCode::kNotFound) {
    return Status::FailedPrecondition("version " + std::to_string(version) + " of dataset '" +
                                      dataset_id +
                                      "' is no longer kept: it cannot be trained on "
                                      "again");
  }
  if (!kept.ok()) return kept.status();
  return PinnedDataset{dataset_id, version, store::SegmentKeys(*kept), kept->sha256, kept->rows};
}

Result<std::string> ModelService::Reproduce(const std::string& owner, const std::string& id,
                                            int64_t version, const TrainingLimits& limits) {
  auto kept = Version(owner, id, version);
  if (!kept.ok()) return kept.status();
  ReproduceJobPayload payload;
  payload.version = kept->version;
  payload.artifact_key = kept->artifact_key;
  auto request = nlohmann::json::parse(kept->request_json, nullptr, /*allow_exceptions=*/false);
  if (!request.is_object()) {
    return Status::Corruption("version " + std::to_string(version) + " of model '" + id +
                              "' has no readable training request");
  }
  payload.training.request = std::move(request);
  auto dataset = PinKept(owner, kept->dataset_id, kept->dataset_version);
  if (!dataset.ok()) return dataset.status();
  payload.training.dataset = *std::move(dataset);
  // A separate validation set is named in the version's summary, as it was pinned.
  auto summary = nlohmann::json::parse(kept->summary_json, nullptr, /*allow_exceptions=*/false);
  if (summary.is_object() && summary.contains("validation_dataset") &&
      summary["validation_dataset"].is_object()) {
    const nlohmann::json& pinned = summary["validation_dataset"];
    auto validation = PinKept(owner, pinned.value("id", ""), pinned.value("version", int64_t{0}));
    if (!validation.ok()) return validation.status();
    payload.training.validation_dataset = *std::move(validation);
  }
  const JobRecord job = NewJob(owner, kReproduceJobKind, id, payload.ToJson());
  if (Status s = model_store_.StartReproduction(job, version, limits); !s.ok()) return s;
  return job.id;
}

Result<std::vector<AliasMove>> ModelService::AliasHistory(const std::string& owner,
                                                          const std::string& id) {
  return model_store_.AliasHistory(owner, id);
}

Result<std::shared_ptr<const LoadedModel>> ModelService::ForPrediction(const std::string& viewer,
                                                                       const std::string& id) {
  ModelCache::Lookup lookup = cache_.Find(viewer, id);
  if (lookup.model) return lookup.model;
  auto record = model_store_.FindModelFor(viewer, id);
  if (!record.ok()) return record.status();
  if (record->version == 0) {
    if (record->status == ModelStatus::kTraining) {
      return Status::FailedPrecondition("model '" + id + "' is still training (job " +
                                        record->job_id + "); try again when it is ready");
    }
    return Status::FailedPrecondition("model '" + id +
                                      "' has no trained version: " + record->error);
  }
  // Another viewer of the same model version (a shared model) already parsed it.
  if (auto loaded = cache_.FindLoaded(record->owner, id, record->version)) {
    cache_.Put(viewer, loaded, lookup.generation);
    return loaded;
  }
  // One load per model version at a time: the first caller parses, the others wait for
  // its result instead of parsing the same file again.
  const std::string key = record->owner + "/" + id + "@" + std::to_string(record->version);
  std::promise<LoadResult> promise;
  std::shared_future<LoadResult> pending;
  bool leader = false;
  {
    MutexLock lock(loading_mutex_);
    auto it = loading_.find(key);
    if (it == loading_.end()) {
      leader = true;
      pending = promise.get_future().share();
      loading_.emplace(key, pending);
    } else {
      pending = it->second;
    }
  }
  if (!leader) {
    LoadResult loaded = pending.get();
    if (loaded.ok()) cache_.Put(viewer, *loaded, lookup.generation);
    return loaded;
  }
  // Whatever happens, the waiters get an answer and the entry goes: a throw left here
  // would leave every later request for this version waiting on a broken promise.
  LoadResult loaded = Status::Internal("loading model '" + id + "' failed");
  try {
    loaded = Load(*record);
  } catch (const std::exception& e) {
    loaded = Status::Internal("loading model '" + id + "' failed: " + e.what());
  }
  if (loaded.ok()) cache_.Put(viewer, *loaded, lookup.generation);
  promise.set_value(loaded);
  MutexLock lock(loading_mutex_);
  loading_.erase(key);
  return loaded;
}

Result<std::shared_ptr<const LoadedModel>> ModelService::ForPrediction(const std::string& viewer,
                                                                       const std::string& id,
                                                                       int64_t version) {
  auto kept = Version(viewer, id, version);
  if (!kept.ok()) return kept.status();
  return ForKept(viewer, id, *kept);
}

Result<std::shared_ptr<const LoadedModel>> ModelService::ForAlias(const std::string& viewer,
                                                                  const std::string& id,
                                                                  const std::string& alias) {
  auto versions = model_store_.ListModelVersions(viewer, id);
  if (!versions.ok()) return versions.status();
  for (const ModelVersionRecord& v : *versions) {
    const bool named = alias == kChampionAlias ? v.champion
                                               : std::find(v.aliases.begin(), v.aliases.end(),
                                                           alias) != v.aliases.end();
    if (named) return ForKept(viewer, id, v);
  }
  return Status::NotFound("model '" + id + "' has no alias '" + alias + "'");
}

Result<std::shared_ptr<const LoadedModel>> ModelService::ForKept(const std::string& viewer,
                                                                 const std::string& id,
                                                                 const ModelVersionRecord& kept) {
  if (kept.champion) return ForPrediction(viewer, id);
  ModelRecord record;
  record.owner = viewer;
  record.id = id + "@" + kept.artifact_key;  // the cache's key for this file
  record.version = kept.version;
  record.artifact_key = kept.artifact_key;
  ModelCache::Lookup lookup = cache_.Find(viewer, record.id);
  if (lookup.model) return lookup.model;
  LoadResult loaded = Load(record);
  if (loaded.ok()) cache_.Put(viewer, *loaded, lookup.generation);
  return loaded;
}

ModelService::LoadResult ModelService::Load(const ModelRecord& record) {
  cache_.RecordLoad();
  auto text = blobs_.Get(record.artifact_key);
  if (!text.ok() && text.status().code() == StatusCode::kNotFound) {
    // The row names a file the store does not have: lost, not "try again".
    return Status::Corruption("model '" + record.id + "' version " +
                              std::to_string(record.version) + ": its file " + record.artifact_key +
                              " is missing from the blob store");
  }
  if (!text.ok()) return text.status();
  auto document = ml::ParseModelFile(*text);
  if (!document.ok()) return document.status();
  const size_t bytes =
      document->model->MemoryBytes() + sizeof(LoadedModel) +
      (document->calibration ? document->calibration->residuals.capacity() * sizeof(double) : 0);
  return std::make_shared<const LoadedModel>(LoadedModel{record.owner, record.id, record.version,
                                                         std::move(document->model),
                                                         std::move(document->calibration), bytes});
}

}  // namespace diamond::service
