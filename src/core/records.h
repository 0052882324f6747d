// The application's records — datasets and their versions, models, jobs, price queries,
// uploads, batch parts — as plain structs: what the metadata store keeps and what the
// services and the API show. In core so that every layer may name them (the HTTP layer
// prints them without including the store). Times are RFC 3339 UTC strings; *_json fields
// hold JSON documents the services own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diamond {

// One immutable piece of a dataset version's CSV. The first segment starts with the
// header; the others hold rows only, so a version's CSV is its segments, concatenated.
// An append adds a segment to the segments of the version it builds on, so versions
// share segments instead of copying rows.
struct DatasetSegment {
  std::string blob_key;
  int64_t rows = 0;
  int64_t bytes = 0;
};

struct DatasetVersion {
  int64_t version = 0;
  std::vector<DatasetSegment> segments;  // in order; their concatenation is the canonical CSV
  int64_t rows = 0;
  int64_t bytes = 0;
  std::string sha256;        // of the whole canonical CSV
  std::string sha256_state;  // the hash's running state at the end (Sha256::SaveState); "" if
                             // the version predates it
  std::string stats_json;    // per-column min/mean/max and counts per grade
  std::string created_at;
};

struct DatasetRecord {
  std::string owner;  // the user who created it; only they see it
  std::string id;     // chosen by the owner, unique per owner
  std::string created_at;
  std::string updated_at;
  DatasetVersion current;
};

enum class ModelStatus { kTraining, kReady, kFailed };
std::string_view ModelStatusName(ModelStatus status);

struct ModelRecord {
  std::string owner;    // the user who trained it
  std::string id;       // chosen by the owner, unique per owner
  bool shared = false;  // an admin's model every user may list and predict with
  ModelStatus status = ModelStatus::kTraining;
  std::string request_json;  // the training request (dataset, algorithm, hyperparameters, ...)
  std::string job_id;        // the latest training job
  std::string error;         // why the latest training failed
  int64_t version = 0;       // how many trainings succeeded; 0 = never ready
  std::string artifact_key;  // blob of the current model file; empty until ready
  std::string dataset_id;    // lineage of the current artifact
  int64_t dataset_version = 0;
  std::string summary_json;  // metrics, coefficients, timings of the current artifact
  std::string created_at;
  std::string updated_at;
};

// One training's result, immutable once made: version numbers count up per model and are
// never reused. The model row (ModelRecord) carries the champion's fields.
struct ModelVersionRecord {
  std::string owner;
  std::string model_id;
  int64_t version = 0;
  std::string artifact_key;
  std::string dataset_id;  // lineage
  int64_t dataset_version = 0;
  std::string summary_json;  // metrics, coefficients, timings
  std::string request_json;  // the training request that made it
  std::string job_id;
  std::string created_at;
  std::string reproduction_json;     // the latest reproduction's result; empty if never tried
  bool champion = false;             // what the model serves now
  std::vector<std::string> aliases;  // other names pointing at it ("challenger"), sorted
};

// A move of a model's alias: the champion (a training's new version, a rollback, a
// promotion) or another name set or removed by its owner.
struct AliasMove {
  std::string alias;
  int64_t from_version = 0;  // 0: the alias named no version before
  int64_t to_version = 0;    // 0: the alias was removed
  std::string actor;         // the user who moved it (a training: its owner)
  std::string reason;        // "training job <id>", "rollback", or the caller's words
  std::string at;
};

enum class JobState { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
std::string_view JobStateName(JobState state);
// The state JobStateName names, or nullopt for any other text.
std::optional<JobState> JobStateNamed(std::string_view name);
bool IsFinished(JobState state);

struct JobRecord {
  std::string owner;  // the user who started it (and owns its model)
  std::string id;
  std::string kind;  // "train"
  std::string model_id;
  JobState state = JobState::kQueued;
  double progress = 0;          // 0..1
  std::string progress_detail;  // what a running job is doing, e.g. "round 140 of 1000"
  std::string error;
  std::string payload_json;
  int64_t attempts = 0;  // times a worker claimed it (a crash mid-run makes it > 1)
  bool cancel_requested = false;
  std::string created_at;
  std::string started_at;
  std::string finished_at;
};

struct QueryRecord {
  std::string owner;  // the user who opened it
  std::string id;
  std::string model_owner;  // the model's owner: the caller, or an admin for a shared model
  std::string model_id;
  int64_t batches = 0;
  int64_t rows = 0;
  std::string results_key;    // blob of the computed prices; empty until computed
  int64_t model_version = 0;  // the model version the results were computed with
  std::string created_at;
};

// A multipart upload of rows into a dataset (the S3 multipart model over the public API):
// parts arrive in any order, each replaceable, until the upload is completed (its rows
// become one dataset version) or aborted, or it expires.
// An upload's body format, what its rows do to the dataset, and where it stands:
// open (takes parts) → completing (a job is completing it; back to open if that fails)
// → completed. The names are the API's and the database's.
enum class UploadFormat { kCsv, kJson };
enum class UploadMode { kReplace, kAppend };
enum class UploadState { kOpen, kCompleting, kCompleted };
std::string_view UploadFormatName(UploadFormat format);
std::string_view UploadModeName(UploadMode mode);
std::string_view UploadStateName(UploadState state);
// The value a name names, or nullopt for any other text.
std::optional<UploadFormat> UploadFormatNamed(std::string_view name);
std::optional<UploadMode> UploadModeNamed(std::string_view name);
std::optional<UploadState> UploadStateNamed(std::string_view name);

struct UploadRecord {
  std::string owner;
  std::string id;
  std::string dataset_id;
  UploadFormat format = UploadFormat::kCsv;
  UploadMode mode = UploadMode::kReplace;
  UploadState state = UploadState::kOpen;
  int64_t dataset_version = 0;  // the version it became, once completed
  std::string created_at;
  int64_t expires_ms = 0;  // Unix ms: an upload still open then is deleted with its parts
  std::string job_id;      // the job completing it (or that last tried), if any
  std::string error_json;  // why the last completion job failed (a problem document), or ""
  // The parts are the blob store's (BlobStore::StartParts): the blob they assemble into
  // and the store's handle of them. "" for an upload from before schema v9, whose parts
  // are blobs of their own (UploadPart::blob_key).
  std::string parts_key;
  std::string parts_id;
  bool parts_closed = false;  // a completion has begun: no more parts until reopened
};

struct UploadPart {
  int64_t part = 0;  // 1..10000
  int64_t bytes = 0;
  std::string sha256;    // hex, of the part's bytes
  std::string blob_key;  // only for an upload from before schema v9 (parts_key "")
  std::string etag;      // the blob store's tag of the part (BlobStore::PutPart)
};

// One committed piece of a batch prediction's result (part 0 is the header line).
struct BatchPart {
  int64_t part = 0;
  std::string blob_key;
  int64_t bytes = 0;
  int64_t rows = 0;     // input rows it covers
  int64_t skipped = 0;  // of those, rows no model can price (left out, counted)
};

struct Page {
  int64_t offset = 0;
  int64_t limit = 100;
};

// Every owner's jobs narrowed by whichever fields are not empty (for operators:
// GET /admin/jobs, `diamond admin jobs`).
struct JobFilter {
  std::string id, owner, state, kind;
};

}  // namespace diamond
