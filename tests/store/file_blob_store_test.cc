// The file blob store's errors and listing, and blob GC beside writers: a read that fails
// for another reason than a missing file is an error (never "not found", which the API
// would turn into a 404), and GC spares blobs younger than its grace period.
#include "store/file_blob_store.h"

#include <gtest/gtest.h>
#include <utime.h>

#include <algorithm>
#include <filesystem>
#include <thread>
#include <vector>

#include "store/blob_gc.h"
#include "store/sql_metadata_store.h"
#include "support/test_support.h"

namespace diamond::store {
namespace {

namespace fs = std::filesystem;

TEST(FileBlobStore, OnlyAMissingBlobIsNotFound) {
  testing::TempDir dir;
  auto blobs = FileBlobStore::Open(dir / "blobs");
  ASSERT_TRUE(blobs.ok());
  EXPECT_EQ((*blobs)->Get("a/missing.csv").status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*blobs)->Get("nodir/at/all.csv").status().code(), StatusCode::kNotFound);
  // A key whose file cannot be read (here: it is a directory) is an I/O error.
  fs::create_directories(dir / "blobs" / "a" / "dir.csv");
  auto unreadable = (*blobs)->Get("a/dir.csv");
  ASSERT_FALSE(unreadable.ok());
  EXPECT_EQ(unreadable.status().code(), StatusCode::kIoError) << unreadable.status().message();
}

TEST(FileBlobStore, PutCreatesItsPathAndListShowsSizes) {
  testing::TempDir dir;
  auto blobs = FileBlobStore::Open(dir / "blobs");
  ASSERT_TRUE(blobs.ok());
  ASSERT_TRUE((*blobs)->Put("x/y/z/one.csv", "12345").ok());
  ASSERT_TRUE((*blobs)->Put("x/two.csv", "12").ok());
  EXPECT_EQ(*(*blobs)->Get("x/y/z/one.csv"), "12345");
  auto listed = (*blobs)->List("x/");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].key, "x/two.csv");
  EXPECT_EQ((*listed)[0].size, 2);
  EXPECT_EQ((*listed)[1].key, "x/y/z/one.csv");
  EXPECT_EQ((*listed)[1].size, 5);
  EXPECT_GT((*listed)[1].modified_unix, 1700000000);
}

TEST(FileBlobStore, EveryDirectoryANewKeyNeedsIsSynced) {
  testing::TempDir dir;
  std::vector<fs::path> synced;
  auto blobs = FileBlobStore::Open(dir / "blobs", [&](const fs::path& p) { synced.push_back(p); });
  ASSERT_TRUE(blobs.ok());
  ASSERT_TRUE((*blobs)->Put("a/b/c/key.csv", "x").ok());
  // Each new directory's entry lives in its parent: after a power loss, the key's whole
  // path must exist, so every parent of a created directory is synced, and the last one.
  auto was_synced = [&](const fs::path& p) {
    return std::find(synced.begin(), synced.end(), p) != synced.end();
  };
  EXPECT_TRUE(was_synced(dir / "blobs")) << "the root holds the new 'a'";
  EXPECT_TRUE(was_synced(dir / "blobs" / "a"));
  EXPECT_TRUE(was_synced(dir / "blobs" / "a" / "b"));
  EXPECT_TRUE(was_synced(dir / "blobs" / "a" / "b" / "c")) << "it holds the key";
  // A second key in the same directory creates nothing: only its directory is synced.
  synced.clear();
  ASSERT_TRUE((*blobs)->Put("a/b/c/other.csv", "y").ok());
  EXPECT_EQ(synced, std::vector<fs::path>{dir / "blobs" / "a" / "b" / "c"});
}

TEST(BlobGc, RemovesOldUnreferencedBlobsAndSparesYoungOnes) {
  testing::TempDir dir;
  auto blobs = FileBlobStore::Open(dir / "blobs");
  auto metadata = SqlMetadataStore::OpenSqlite(":memory:");
  ASSERT_TRUE(blobs.ok() && metadata.ok());
  DatasetVersion version;
  version.version = 1;
  const std::string key = "datasets/u/d/v1.csv";
  version.segments = {{key, 0, 7}};
  version.rows = 0;
  version.stats_json = "{}";
  ASSERT_TRUE((*blobs)->Put(key, "header\n").ok());
  ASSERT_TRUE((*metadata)->CommitDatasetVersion("u", "d", 0, version, {}).ok());
  ASSERT_TRUE((*blobs)->Put("datasets/u/d/old-orphan.csv", "x").ok());
  ASSERT_TRUE((*blobs)->Put("datasets/u/d/young-orphan.csv", "x").ok());
  // The old orphan was written two hours ago (a crash between blob and row, long past).
  const fs::path old_path = dir / "blobs" / "datasets/u/d/old-orphan.csv";
  const time_t two_hours_ago = time(nullptr) - 7200;
  utimbuf times{two_hours_ago, two_hours_ago};
  ASSERT_EQ(::utime(old_path.c_str(), &times), 0);

  auto removed = RemoveUnreferencedBlobs(**metadata, **blobs, std::chrono::seconds(3600));
  ASSERT_TRUE(removed.ok()) << removed.status().message();
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ((*blobs)->Get("datasets/u/d/old-orphan.csv").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE((*blobs)->Get("datasets/u/d/young-orphan.csv").ok());  // its row may be on its way
  EXPECT_TRUE((*blobs)->Get(key).ok());
  // With no grace, the young one goes too; the referenced one never.
  EXPECT_EQ(*RemoveUnreferencedBlobs(**metadata, **blobs, std::chrono::seconds(0)), 1);
  EXPECT_TRUE((*blobs)->Get(key).ok());
}

TEST(BlobGc, RunsPeriodicallyAndOnlyWhileNoOtherProcessHoldsTheLease) {
  testing::TempDir dir;
  auto blobs = FileBlobStore::Open(dir / "blobs");
  auto metadata = SqlMetadataStore::OpenSqlite((dir / "metadata.db").string());
  ASSERT_TRUE(blobs.ok() && metadata.ok());
  ASSERT_TRUE((*blobs)->Put("models/u/m/orphan.json", "x").ok());
  // Another process runs a GC round now: this one skips its round.
  ASSERT_TRUE(*(*metadata)->TryTakeLease("blob-gc", "another-process", 60000));
  PeriodicBlobGc gc(**metadata, **metadata, **blobs, std::chrono::seconds(1),
                    std::chrono::seconds(0));
  auto skipped = gc.RunOnce();
  ASSERT_TRUE(skipped.ok());
  EXPECT_FALSE(skipped->has_value());
  EXPECT_TRUE((*blobs)->Get("models/u/m/orphan.json").ok());
  // Its round over (the lease released), the next periodic round here removes the orphan.
  ASSERT_TRUE((*metadata)->ReleaseLease("blob-gc", "another-process").ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*blobs)->Get("models/u/m/orphan.json").ok() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ((*blobs)->Get("models/u/m/orphan.json").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace diamond::store
