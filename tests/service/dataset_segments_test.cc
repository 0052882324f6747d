// Versions without copies: an append stores only the rows it adds (one more segment after
// the base version's), every reader sees the whole CSV, the hash covers the whole CSV,
// shared segments count once and are freed with the last version using them, and past
// DatasetService::kMaxSegments an append writes the version whole again.
#include <gtest/gtest.h>

#include <span>

#include "core/dataset_stats.h"
#include "core/diamond_csv_writer.h"
#include "core/sha256.h"
#include "service/dataset_service.h"
#include "store/blob_chain_source.h"
#include "store/file_blob_store.h"
#include "store/sql_metadata_store.h"
#include "support/test_support.h"

namespace diamond::testing {
namespace {

constexpr char kOwner[] = "u";

class DatasetSegments : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sql = store::SqlMetadataStore::OpenSqlite((dir_ / "metadata.db").string());
    auto files = store::FileBlobStore::Open(dir_ / "blobs");
    ASSERT_TRUE(sql.ok() && files.ok());
    metadata_ = std::move(sql).value();
    blobs_ = std::move(files).value();
    datasets_ = std::make_unique<service::DatasetService>(*metadata_, *blobs_);
  }

  std::vector<std::string> DatasetBlobs() {
    std::vector<std::string> keys;
    auto listed = blobs_->List("datasets/");
    EXPECT_TRUE(listed.ok());
    if (listed.ok()) {
      for (const auto& info : *listed) keys.push_back(info.key);
    }
    return keys;
  }

  // What a reader of the current version gets, checked against the rows expected.
  void ExpectCurrentIs(std::span<const Diamond> expected) {
    const std::string csv = StonesToCanonicalCsv(expected);
    auto current = metadata_->GetDataset(kOwner, "d");
    ASSERT_TRUE(current.ok());
    auto reader = datasets_->ReadCurrent(kOwner, "d");  // what a download sends, 7 bytes at a time
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ((*reader)->size(), static_cast<int64_t>(csv.size()));
    std::string read;
    while (static_cast<int64_t>(read.size()) < (*reader)->size()) {
      auto piece = (*reader)->Next(7);
      ASSERT_TRUE(piece.ok()) << piece.status().message();
      ASSERT_FALSE(piece->empty());
      read += *piece;
    }
    auto end = (*reader)->Next(7);  // nothing left: an empty piece
    ASSERT_TRUE(end.ok());
    EXPECT_TRUE(end->empty());
    EXPECT_EQ(read, csv);
    EXPECT_EQ(current->current.sha256, Sha256Hex(csv));
    EXPECT_EQ(current->current.bytes, static_cast<int64_t>(csv.size()));
    EXPECT_EQ(current->current.rows, static_cast<int64_t>(expected.size()));
    auto loaded = datasets_->LoadVersion(store::SegmentKeys(current->current));
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->size(), expected.size());
  }

  TempDir dir_;
  std::unique_ptr<store::SqlMetadataStore> metadata_;
  std::unique_ptr<store::FileBlobStore> blobs_;
  std::unique_ptr<service::DatasetService> datasets_;
  service::DatasetService::Limits limits_;
  std::vector<Diamond> stones_ = SyntheticStones(400, 7);
};

TEST_F(DatasetSegments, AnAppendStoresOnlyTheRowsItAdds) {
  bool created = false;
  ASSERT_TRUE(
      datasets_->Replace(kOwner, "d", std::span(stones_).first(100), limits_, &created).ok());
  const auto v1 = metadata_->GetDataset(kOwner, "d")->current;
  ASSERT_EQ(v1.segments.size(), 1u);

  ASSERT_TRUE(datasets_->Append(kOwner, "d", std::span(stones_).subspan(100, 50), limits_).ok());
  const auto v2 = metadata_->GetDataset(kOwner, "d")->current;
  ASSERT_EQ(v2.segments.size(), 2u);
  EXPECT_EQ(v2.segments[0].blob_key, v1.segments[0].blob_key)
      << "the first version's rows are not copied";
  std::string added;
  for (const auto& stone : std::span(stones_).subspan(100, 50)) AppendCsvRow(stone, &added);
  EXPECT_EQ(*blobs_->Get(v2.segments[1].blob_key), added)
      << "the new segment holds the new rows only";
  EXPECT_EQ(v2.segments[1].rows, 50);
  ExpectCurrentIs(std::span(stones_).first(150));
  EXPECT_EQ(DatasetBlobs().size(), 2u);
  // Both versions are kept, but their rows are stored once.
  EXPECT_EQ(*datasets_->StoredBytes(kOwner), v2.bytes);

  // The old version can go; the new one still reads the segment they shared.
  ASSERT_TRUE(datasets_->DeleteVersion(kOwner, "d", 1).ok());
  ExpectCurrentIs(std::span(stones_).first(150));
  EXPECT_EQ(DatasetBlobs().size(), 2u);
  ASSERT_TRUE(datasets_->Delete(kOwner, "d").ok());
  EXPECT_TRUE(DatasetBlobs().empty()) << "the last version's segments are freed with it";
  EXPECT_EQ(*datasets_->StoredBytes(kOwner), 0);
}

TEST_F(DatasetSegments, PastTheSegmentLimitAnAppendWritesTheVersionWhole) {
  bool created = false;
  ASSERT_TRUE(
      datasets_->Replace(kOwner, "d", std::span(stones_).first(10), limits_, &created).ok());
  size_t rows = 10;
  for (size_t i = 1; i < service::DatasetService::kMaxSegments; ++i, rows += 2) {
    ASSERT_TRUE(datasets_->Append(kOwner, "d", std::span(stones_).subspan(rows, 2), limits_).ok());
  }
  auto full = metadata_->GetDataset(kOwner, "d")->current;
  EXPECT_EQ(full.segments.size(), service::DatasetService::kMaxSegments);
  ExpectCurrentIs(std::span(stones_).first(rows));

  ASSERT_TRUE(datasets_->Append(kOwner, "d", std::span(stones_).subspan(rows, 3), limits_).ok());
  rows += 3;
  auto compacted = metadata_->GetDataset(kOwner, "d")->current;
  EXPECT_EQ(compacted.segments.size(), 1u);
  ExpectCurrentIs(std::span(stones_).first(rows));
  // And appending goes on from the rewritten version.
  ASSERT_TRUE(datasets_->Append(kOwner, "d", std::span(stones_).subspan(rows, 4), limits_).ok());
  EXPECT_EQ(metadata_->GetDataset(kOwner, "d")->current.segments.size(), 2u);
  ExpectCurrentIs(std::span(stones_).first(rows + 4));
}

// A version written before hashes were resumable has no saved state: the next append
// reads it once to hash, and the result is the same.
TEST_F(DatasetSegments, AVersionWithoutASavedHashStateIsReadOnceToHash) {
  const std::string csv = StonesToCanonicalCsv(std::span(stones_).first(20));
  ASSERT_TRUE(blobs_->Put("datasets/u/d/old.csv", csv).ok());
  DatasetVersion old;
  old.version = 1;
  old.segments = {{"datasets/u/d/old.csv", 20, static_cast<int64_t>(csv.size())}};
  old.rows = 20;
  old.bytes = static_cast<int64_t>(csv.size());
  old.sha256 = Sha256Hex(csv);
  DatasetStats stats;
  stats.AddAll(std::span(stones_).first(20));
  old.stats_json = stats.ToJson().dump();
  ASSERT_TRUE(metadata_->CommitDatasetVersion(kOwner, "d", 0, old, {}).ok());
  ASSERT_TRUE(datasets_->Append(kOwner, "d", std::span(stones_).subspan(20, 5), limits_).ok());
  ExpectCurrentIs(std::span(stones_).first(25));
}

}  // namespace
}  // namespace diamond::testing
