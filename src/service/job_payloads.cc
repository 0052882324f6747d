#include "service/job_payloads.h"

#include <algorithm>

#include "core/ids.h"

namespace diamond::service {
namespace {

using nlohmann::json;

// Reads the members of one payload, remembering the first problem; every getter returns a
// harmless value after a problem, so a reader can read on and check once at the end.
class Reader {
 public:
  Reader(const json& object, std::string kind) : object_(object), kind_(std::move(kind)) {
    if (!object_.is_object()) Fail("", "is not a JSON object");
  }

  std::string String(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return {};
    if (!v->is_string()) {
      Fail(key, "is not a string");
      return {};
    }
    return v->get<std::string>();
  }
  int64_t Integer(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return 0;
    if (!v->is_number_integer()) {
      Fail(key, "is not an integer");
      return 0;
    }
    return v->get<int64_t>();
  }
  double Number(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return 0;
    if (!v->is_number()) {
      Fail(key, "is not a number");
      return 0;
    }
    return v->get<double>();
  }
  bool Boolean(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) {
      Fail(key, "is not true or false");
      return false;
    }
    return v->get<bool>();
  }
  std::vector<std::string> Strings(const char* key) {
    const json* v = Find(key);
    std::vector<std::string> out;
    if (v == nullptr) return out;
    if (!v->is_array()) {
      Fail(key, "is not an array");
      return out;
    }
    for (const json& item : *v) {
      if (!item.is_string()) {
        Fail(key, "holds a non-string");
        return {};
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  const json& Object(const char* key) {
    static const json kEmpty = json::object();
    const json* v = Find(key);
    if (v == nullptr) return kEmpty;
    if (!v->is_object()) {
      Fail(key, "is not an object");
      return kEmpty;
    }
    return *v;
  }
  bool Has(const char* key) const { return object_.is_object() && object_.contains(key); }

  // Records a problem found by the caller (a value out of range).
  void Fail(const std::string& key, const std::string& what) {
    if (problem_.empty()) problem_ = key.empty() ? what : "'" + key + "' " + what;
  }
  Status Finish() const {
    if (problem_.empty()) return Status::Ok();
    return Status::Corruption("damaged " + kind_ + " job payload: " + problem_);
  }

 private:
  const json* Find(const char* key) {
    if (!object_.is_object()) return nullptr;
    auto it = object_.find(key);
    if (it == object_.end()) {
      Fail(key, "is missing");
      return nullptr;
    }
    return &*it;
  }

  const json& object_;
  std::string kind_;
  std::string problem_;
};

Result<json> ParseObject(std::string_view text, std::string_view kind) {
  json parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status::Corruption("damaged " + std::string(kind) + " job payload: not valid JSON");
  }
  return parsed;
}

PinnedDataset ReadPinned(const json& object, const std::string& kind, Reader* outer,
                         const char* key) {
  Reader reader(object, kind);
  PinnedDataset d;
  d.id = reader.String("id");
  d.version = reader.Integer("version");
  // Jobs queued before datasets had segments name one blob.
  d.segments = reader.Has("blob_key") && !reader.Has("segments")
                   ? std::vector<std::string>{reader.String("blob_key")}
                   : reader.Strings("segments");
  d.sha256 = reader.String("sha256");
  d.rows = reader.Integer("rows");
  if (Status s = reader.Finish(); !s.ok()) outer->Fail(key, "is damaged (" + s.message() + ")");
  return d;
}

template <typename Payload>
Result<Payload> Done(const Reader& reader, Payload payload) {
  if (Status s = reader.Finish(); !s.ok()) return s;
  return payload;
}

}  // namespace

json PinnedDatasetJson(const PinnedDataset& d) {
  return {{"id", d.id},
          {"version", d.version},
          {"segments", d.segments},
          {"sha256", d.sha256},
          {"rows", d.rows}};
}

bool IsJobKind(std::string_view kind) {
  return std::find(std::begin(kJobKinds), std::end(kJobKinds), kind) != std::end(kJobKinds);
}

JobRecord NewJob(std::string owner, std::string_view kind, std::string model_id,
                 std::string payload_json) {
  JobRecord job;
  job.owner = std::move(owner);
  job.id = NewId();
  job.kind = std::string(kind);
  job.model_id = std::move(model_id);
  job.payload_json = std::move(payload_json);
  return job;
}

namespace {

// A training's fields, in a train job's payload or a reproduction's.
json TrainingFields(const TrainJobPayload& payload) {
  json out = {{"request", payload.request}, {"dataset", PinnedDatasetJson(payload.dataset)}};
  if (payload.validation_dataset) {
    out["validation_dataset"] = PinnedDatasetJson(*payload.validation_dataset);
  }
  return out;
}

TrainJobPayload ReadTrainingFields(Reader& reader, const std::string& kind) {
  TrainJobPayload payload;
  payload.request = reader.Object("request");
  payload.dataset = ReadPinned(reader.Object("dataset"), kind, &reader, "dataset");
  if (reader.Has("validation_dataset")) {
    payload.validation_dataset =
        ReadPinned(reader.Object("validation_dataset"), kind, &reader, "validation_dataset");
  }
  return payload;
}

}  // namespace

std::string TrainJobPayload::ToJson() const {
  json out = TrainingFields(*this);
  out["versions_kept"] = versions_kept;
  return out.dump();
}

Result<TrainJobPayload> TrainJobPayload::Parse(std::string_view text) {
  const std::string kind(kTrainJobKind);
  auto parsed = ParseObject(text, kind);
  if (!parsed.ok()) return parsed.status();
  Reader reader(*parsed, kind);
  TrainJobPayload payload = ReadTrainingFields(reader, kind);
  if (reader.Has("versions_kept")) payload.versions_kept = reader.Integer("versions_kept");
  return Done(reader, std::move(payload));
}

std::string ReproduceJobPayload::ToJson() const {
  json out = TrainingFields(training);
  out["version"] = version;
  out["artifact_key"] = artifact_key;
  return out.dump();
}

Result<ReproduceJobPayload> ReproduceJobPayload::Parse(std::string_view text) {
  const std::string kind(kReproduceJobKind);
  auto parsed = ParseObject(text, kind);
  if (!parsed.ok()) return parsed.status();
  Reader reader(*parsed, kind);
  ReproduceJobPayload payload;
  payload.version = reader.Integer("version");
  payload.artifact_key = reader.String("artifact_key");
  payload.training = ReadTrainingFields(reader, kind);
  return Done(reader, std::move(payload));
}

std::string BatchPredictJobPayload::ToJson() const {
  return json{{"model_owner", model_owner},
              {"model_version", model_version},
              {"artifact_key", artifact_key},
              {"dataset_id", dataset_id},
              {"dataset_version", dataset_version},
              {"dataset_segments", dataset_segments},
              {"rows", rows},
              {"explain", explain},
              {"interval", interval},
              {"rows_reserved", rows_reserved}}
      .dump();
}

Result<BatchPredictJobPayload> BatchPredictJobPayload::Parse(std::string_view text) {
  const std::string kind(kBatchPredictJobKind);
  auto parsed = ParseObject(text, kind);
  if (!parsed.ok()) return parsed.status();
  Reader reader(*parsed, kind);
  BatchPredictJobPayload p;
  p.model_owner = reader.String("model_owner");
  p.model_version = reader.Integer("model_version");
  p.artifact_key = reader.String("artifact_key");
  p.dataset_id = reader.String("dataset_id");
  p.dataset_version = reader.Integer("dataset_version");
  // Jobs queued before datasets had segments name one blob.
  p.dataset_segments = reader.Has("dataset_blob_key") && !reader.Has("dataset_segments")
                           ? std::vector<std::string>{reader.String("dataset_blob_key")}
                           : reader.Strings("dataset_segments");
  p.rows = reader.Integer("rows");
  p.explain = reader.Boolean("explain");
  p.interval = reader.Number("interval");
  p.rows_reserved = reader.Has("rows_reserved") && reader.Boolean("rows_reserved");
  if (p.rows < 0) reader.Fail("rows", "is negative");
  if (!(p.interval >= 0 && p.interval < 1)) reader.Fail("interval", "is not in [0, 1)");
  return Done(reader, std::move(p));
}

std::string UploadCompleteJobPayload::ToJson() const {
  return json{{"upload_id", upload_id},
              {"dataset_id", dataset_id},
              {"bytes", bytes},
              {"max_rows", max_rows},
              {"max_stored_bytes", max_stored_bytes},
              {"max_datasets", max_datasets}}
      .dump();
}

Result<UploadCompleteJobPayload> UploadCompleteJobPayload::Parse(std::string_view text) {
  const std::string kind(kUploadCompleteJobKind);
  auto parsed = ParseObject(text, kind);
  if (!parsed.ok()) return parsed.status();
  Reader reader(*parsed, kind);
  UploadCompleteJobPayload p;
  p.upload_id = reader.String("upload_id");
  p.dataset_id = reader.String("dataset_id");
  p.bytes = reader.Integer("bytes");
  p.max_rows = reader.Integer("max_rows");
  p.max_stored_bytes = reader.Integer("max_stored_bytes");
  p.max_datasets = reader.Integer("max_datasets");
  if (p.upload_id.empty() && reader.Finish().ok()) reader.Fail("upload_id", "is empty");
  return Done(reader, std::move(p));
}

}  // namespace diamond::service
