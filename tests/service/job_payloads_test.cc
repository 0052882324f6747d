// Typed job payloads (service/job_payloads.h): each kind round-trips, payloads queued by
// older builds still read, and a missing or mistyped field fails closed with its name —
// never a default such as "no limit".
#include "service/job_payloads.h"

#include <gtest/gtest.h>

namespace diamond::service {
namespace {

using nlohmann::json;

// Every top-level member of `text`'s object in turn removed: each must be refused by name.
template <typename Payload>
void ExpectEveryFieldRequired(const std::string& text,
                              std::initializer_list<const char*> optional = {}) {
  const json full = json::parse(text);
  for (const auto& [key, value] : full.items()) {
    if (std::find(optional.begin(), optional.end(), key) != optional.end()) continue;
    json without = full;
    without.erase(key);
    auto parsed = Payload::Parse(without.dump());
    ASSERT_FALSE(parsed.ok()) << "without " << key;
    EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption) << key;
    EXPECT_NE(parsed.status().message().find("'" + key + "' is missing"), std::string::npos)
        << parsed.status().message();
  }
}

PinnedDataset Pinned(const std::string& id) {
  return {id, 3, {"a/1", "a/2"}, std::string(64, 'f'), 4000};
}

TEST(JobPayloads, TrainingRoundTripsAndRequiresEveryField) {
  TrainJobPayload payload{json{{"dataset_id", "stones"}, {"algorithm", "gbdt"}}, Pinned("stones"),
                          Pinned("check"), 12};
  auto back = TrainJobPayload::Parse(payload.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->request, payload.request);
  EXPECT_EQ(back->versions_kept, 12);
  EXPECT_EQ(back->dataset.segments, payload.dataset.segments);
  EXPECT_EQ(back->dataset.rows, 4000);
  ASSERT_TRUE(back->validation_dataset.has_value());
  EXPECT_EQ(back->validation_dataset->id, "check");
  // A job queued before versions kept were a plan setting keeps 5, as then.
  ExpectEveryFieldRequired<TrainJobPayload>(payload.ToJson(),
                                            {"validation_dataset", "versions_kept"});
  json older = json::parse(payload.ToJson());
  older.erase("versions_kept");
  EXPECT_EQ(TrainJobPayload::Parse(older.dump())->versions_kept, 5);
  // Inside a pinned dataset too.
  json damaged = json::parse(payload.ToJson());
  damaged["dataset"].erase("sha256");
  auto refused = TrainJobPayload::Parse(damaged.dump());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("'dataset' is damaged"), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("'sha256' is missing"), std::string::npos)
      << refused.status().message();
}

TEST(JobPayloads, AReproductionRoundTripsAndRequiresEveryField) {
  ReproduceJobPayload payload{
      3, "models/ann/m/j-a1.json",
      TrainJobPayload{json{{"dataset_id", "stones"}}, Pinned("stones"), std::nullopt, 5}};
  auto back = ReproduceJobPayload::Parse(payload.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->version, 3);
  EXPECT_EQ(back->artifact_key, "models/ann/m/j-a1.json");
  EXPECT_EQ(back->training.dataset.segments, payload.training.dataset.segments);
  EXPECT_FALSE(back->training.validation_dataset.has_value());
  ExpectEveryFieldRequired<ReproduceJobPayload>(payload.ToJson());
}

TEST(JobPayloads, BatchPredictionRoundTripsAndRequiresEveryField) {
  BatchPredictJobPayload payload{
      "ann", 4, "models/ann/m/j-a1.json", "stones", 2, {"s/1"}, 5000, true, 0.9, true};
  auto back = BatchPredictJobPayload::Parse(payload.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->artifact_key, payload.artifact_key);
  EXPECT_EQ(back->dataset_segments, payload.dataset_segments);
  EXPECT_TRUE(back->explain);
  EXPECT_EQ(back->interval, 0.9);
  EXPECT_TRUE(back->rows_reserved);
  // Jobs queued before reservations carry no such field: charged as they go, as then.
  ExpectEveryFieldRequired<BatchPredictJobPayload>(payload.ToJson(), {"rows_reserved"});
  json older = json::parse(payload.ToJson());
  older.erase("rows_reserved");
  auto old_job = BatchPredictJobPayload::Parse(older.dump());
  ASSERT_TRUE(old_job.ok()) << old_job.status().message();
  EXPECT_FALSE(old_job->rows_reserved);
  json odd = json::parse(payload.ToJson());
  odd["interval"] = 1.5;
  EXPECT_FALSE(BatchPredictJobPayload::Parse(odd.dump()).ok());
  odd = json::parse(payload.ToJson());
  odd["rows"] = "many";
  auto refused = BatchPredictJobPayload::Parse(odd.dump());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("'rows' is not an integer"), std::string::npos);
}

TEST(JobPayloads, UploadCompletionWithoutItsLimitsFailsClosed) {
  UploadCompleteJobPayload payload{"up1", "stones", 1 << 20, 1000000, 1 << 30, 50};
  auto back = UploadCompleteJobPayload::Parse(payload.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->max_rows, 1000000);
  EXPECT_EQ(back->max_stored_bytes, 1 << 30);
  EXPECT_EQ(back->max_datasets, 50);
  ExpectEveryFieldRequired<UploadCompleteJobPayload>(payload.ToJson());
  auto refused =
      UploadCompleteJobPayload::Parse(R"({"upload_id": "up1", "dataset_id": "d", "bytes": 10})");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "damaged upload-complete job payload: 'max_rows' is missing");
  EXPECT_FALSE(UploadCompleteJobPayload::Parse("not json").ok());
  EXPECT_FALSE(UploadCompleteJobPayload::Parse("[1]").ok());
}

TEST(JobPayloads, PayloadsQueuedBeforeSegmentsStillRead) {
  auto train = TrainJobPayload::Parse(
      R"({"request": {"dataset_id": "d"}, "dataset": {"id": "d", "version": 1, "blob_key": "datasets/d/1.csv",
          "sha256": "ab", "rows": 10}})");
  ASSERT_TRUE(train.ok()) << train.status().message();
  EXPECT_EQ(train->dataset.segments, std::vector<std::string>{"datasets/d/1.csv"});
  auto batch = BatchPredictJobPayload::Parse(
      R"({"model_owner": "o", "model_version": 1, "artifact_key": "m", "dataset_id": "d",
          "dataset_version": 1, "dataset_blob_key": "datasets/d/1.csv", "rows": 10, "explain": false,
          "interval": 0})");
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  EXPECT_EQ(batch->dataset_segments, std::vector<std::string>{"datasets/d/1.csv"});
}

TEST(JobPayloads, KindsAreKnownInOnePlace) {
  for (std::string_view kind : kJobKinds) EXPECT_TRUE(IsJobKind(kind));
  EXPECT_FALSE(IsJobKind("trian"));
  EXPECT_FALSE(IsJobKind(""));
}

}  // namespace
}  // namespace diamond::service
