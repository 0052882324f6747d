// What a job carries from the service that queues it to the executor that runs it
// (src/jobs): one struct per kind, the kinds' names in one place, JSON both ways.
//
// Reading is strict: a missing or mistyped field is a Corruption status, so a damaged
// payload fails its job instead of running with a default — an upload completion without
// its plan limits must not run as "no limit".
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/records.h"
#include "core/status.h"

namespace diamond::service {

inline constexpr std::string_view kTrainJobKind = "train";
inline constexpr std::string_view kBatchPredictJobKind = "batch-predict";
inline constexpr std::string_view kUploadCompleteJobKind = "upload-complete";
inline constexpr std::string_view kReproduceJobKind = "reproduce";

// Every kind a job may have, for filters and checks.
inline constexpr std::string_view kJobKinds[] = {kTrainJobKind, kBatchPredictJobKind,
                                                 kUploadCompleteJobKind, kReproduceJobKind};
bool IsJobKind(std::string_view kind);

// A job ready to queue: a fresh id, queued by `owner` (who owns its model), of `kind`,
// naming the model it trains or uses (empty for none), carrying `payload_json`.
JobRecord NewJob(std::string owner, std::string_view kind, std::string model_id,
                 std::string payload_json);

// A dataset version pinned when the job was queued: lineage names what was used even if
// the dataset changes while the job waits.
struct PinnedDataset {
  std::string id;
  int64_t version = 0;
  std::vector<std::string> segments;  // blob keys, in order
  std::string sha256;
  int64_t rows = 0;
};

// {"id", "version", "segments", "sha256", "rows"}.
nlohmann::json PinnedDatasetJson(const PinnedDataset& dataset);

struct TrainJobPayload {
  nlohmann::json request;  // the training request (service/training_request.h), as sent
  PinnedDataset dataset;
  std::optional<PinnedDataset> validation_dataset;  // for validation on a separate dataset
  // The owner's plan's model_versions_kept when training was asked for (jobs queued
  // before it was a plan setting: 5, as then).
  int64_t versions_kept = 5;

  std::string ToJson() const;
  static Result<TrainJobPayload> Parse(std::string_view text);
};

// Retrains a kept model version from the data it was trained on and compares the result
// with its file (POST /models/{id}/versions/{v}/reproduce).
struct ReproduceJobPayload {
  int64_t version = 0;
  std::string artifact_key;  // the version's model file
  TrainJobPayload training;  // its training request and pinned data, as when it was trained

  std::string ToJson() const;
  static Result<ReproduceJobPayload> Parse(std::string_view text);
};

struct BatchPredictJobPayload {
  std::string model_owner;
  int64_t model_version = 0;
  std::string artifact_key;  // the model file of that version
  std::string dataset_id;
  int64_t dataset_version = 0;
  std::vector<std::string> dataset_segments;
  int64_t rows = 0;
  bool explain = false;
  double interval = 0;  // 0 = no interval
  // The submission reserved `rows` of the owner's monthly quota: the job gives back what it
  // did not price when it ends. False for jobs queued before reservations (absent from
  // their payloads): those are charged as their parts commit.
  bool rows_reserved = false;

  std::string ToJson() const;
  static Result<BatchPredictJobPayload> Parse(std::string_view text);
};

struct UploadCompleteJobPayload {
  std::string upload_id;
  std::string dataset_id;
  int64_t bytes = 0;
  // The plan's limits as they were when the completion was asked for.
  int64_t max_rows = 0;
  int64_t max_stored_bytes = 0;
  int64_t max_datasets = 0;

  std::string ToJson() const;
  static Result<UploadCompleteJobPayload> Parse(std::string_view text);
};

}  // namespace diamond::service
