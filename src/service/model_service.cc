#include "service/model_service.h"

#include "ml/model_file.h"
#include "service/ids.h"

namespace diamond::service {

Result<std::string> ModelService::StartTraining(const std::string& model_id,
                                                const TrainingRequest& request) {
  // Pin the exact dataset versions now: lineage names what the model was trained on, even
  // if the dataset changes while the job waits in the queue.
  auto dataset = metadata_.GetDataset(request.dataset_id);
  if (!dataset.ok()) return dataset.status();
  nlohmann::json payload = {
      {"request", request.ToJson()},
      {"dataset",
       {{"id", dataset->id},
        {"version", dataset->current.version},
        {"blob_key", dataset->current.blob_key},
        {"sha256", dataset->current.sha256},
        {"rows", dataset->current.rows}}}};
  if (request.validation.kind == ml::Validation::Kind::kSeparateSet) {
    auto validation = metadata_.GetDataset(request.validation_dataset_id);
    if (!validation.ok()) return validation.status();
    payload["validation_dataset"] = {{"id", validation->id},
                                     {"version", validation->current.version},
                                     {"blob_key", validation->current.blob_key},
                                     {"sha256", validation->current.sha256},
                                     {"rows", validation->current.rows}};
  }
  store::JobRecord job;
  job.id = NewId();
  job.kind = "train";
  job.model_id = model_id;
  job.payload_json = payload.dump();
  if (Status s = metadata_.StartTraining(model_id, request.ToJson().dump(), job); !s.ok()) return s;
  return job.id;
}

Result<store::ModelRecord> ModelService::Get(const std::string& id) { return metadata_.GetModel(id); }

Result<std::pair<std::vector<store::ModelRecord>, int64_t>> ModelService::List(store::Page page) {
  return metadata_.ListModels(page);
}

Status ModelService::Delete(const std::string& id) {
  auto keys = metadata_.DeleteModel(id);
  if (!keys.ok()) return keys.status();
  cache_.Invalidate(id);
  for (const auto& key : *keys) blobs_.Delete(key);
  return Status::Ok();
}

Result<std::shared_ptr<const LoadedModel>> ModelService::ForPrediction(const std::string& id) {
  ModelCache::Lookup lookup = cache_.Find(id);
  if (lookup.model) return lookup.model;
  auto record = metadata_.GetModel(id);
  if (!record.ok()) return record.status();
  if (record->version == 0) {
    if (record->status == store::ModelStatus::kTraining) {
      return Status::FailedPrecondition("model '" + id + "' is still training (job " +
                                        record->job_id + "); try again when it is ready");
    }
    return Status::FailedPrecondition("model '" + id + "' has no trained version: " +
                                      record->error);
  }
  auto text = blobs_.Get(record->artifact_key);
  if (!text.ok()) return text.status();
  auto document = ml::ParseModelFile(*text);
  if (!document.ok()) return document.status();
  auto loaded = std::make_shared<const LoadedModel>(
      LoadedModel{id, record->version, std::move(document->model)});
  cache_.Put(loaded, lookup.generation);
  return loaded;
}

}  // namespace diamond::service
