// A database and its blob store are one deployment's (store/store_binding.h, issue 28): a
// process given a blob store with another database's blobs, or half of a shared pair,
// refuses to start (exit 2, a message naming the mix-up) and deletes nothing.
#include <gtest/gtest.h>

#include <filesystem>

#include "integration/server_process.h"
#include "integration/test_data.h"
#include "support/test_support.h"

namespace diamond::testing {
namespace {

namespace fs = std::filesystem;

size_t CountFiles(const fs::path& dir) {
  size_t n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    n += entry.is_regular_file() ? 1 : 0;
  return n;
}

// `diamond serve` with `args`, expected to refuse: bounded, so that a server that starts
// after all fails the test instead of hanging it.
CommandResult ServeExpectingRefusal(std::vector<std::string> args) {
  std::vector<std::string> argv = {
      "/usr/bin/timeout", "20",      DIAMOND_BINARY, "serve", "--listen",
      "127.0.0.1:0",      "--quiet", "--blob-grace", "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

TEST(StorageBinding, AnotherDatabaseOnTheseBlobsRefusesToStartAndDeletesNothing) {
  TempDir dir;
  const fs::path data = dir / "data";
  {
    ServerProcess server(data, {"--quiet"});
    ASSERT_EQ(server.Request("PUT", "/datasets/d", kSmallCsv, "text/csv").status, 200);
    ASSERT_EQ(
        server.PutJson("/models/m", R"({"dataset_id": "d", "validation": {"holdout": 0}})").status,
        201);
    server.Stop(15);
  }
  const size_t files = CountFiles(data / "blobs");
  ASSERT_GE(files, 3u);  // a segment, a model, the binding

  // A fresh database (another data dir) on the first one's blobs, with a zero GC grace:
  // before the binding, its start-up GC deleted every blob.
  CommandResult other = ServeExpectingRefusal(
      {"--data-dir", (dir / "other").string(), "--blobs", "file:" + (data / "blobs").string()});
  EXPECT_EQ(other.exit_code, 2) << other.err;
  EXPECT_NE(other.err.find("belongs to another database"), std::string::npos) << other.err;
  EXPECT_EQ(CountFiles(data / "blobs"), files);

  // The first database on an empty blob store: its blobs are elsewhere.
  CommandResult empty = ServeExpectingRefusal(
      {"--data-dir", (dir / "x").string(), "--db", "sqlite:" + (data / "metadata.db").string(),
       "--blobs", "file:" + (dir / "empty-blobs").string()});
  EXPECT_EQ(empty.exit_code, 2) << empty.err;
  EXPECT_NE(empty.err.find("is empty, but this database refers to"), std::string::npos)
      << empty.err;

  // Half of a shared pair, without --data-dir to supply the other half.
  CommandResult half = ServeExpectingRefusal({"--blobs", "file:" + (data / "blobs").string()});
  EXPECT_EQ(half.exit_code, 2) << half.err;
  EXPECT_NE(half.err.find("--blobs is given without --db"), std::string::npos) << half.err;
  CommandResult other_half =
      ServeExpectingRefusal({"--db", "sqlite:" + (data / "metadata.db").string()});
  EXPECT_EQ(other_half.exit_code, 2) << other_half.err;
  EXPECT_NE(other_half.err.find("--db is given without --blobs"), std::string::npos)
      << other_half.err;
  EXPECT_EQ(CountFiles(data / "blobs"), files);

  // The rightful pair still starts and serves what it stored.
  ServerProcess again(data, {"--quiet"});
  EXPECT_EQ(again.PostJson("/models/m/predict", kStone).status, 200);
}

TEST(StorageBinding, AStoreFromBeforeBindingsIsBoundToTheDatabaseWhoseBlobsItHolds) {
  TempDir dir;
  const fs::path data = dir / "data";
  {
    ServerProcess server(data, {"--quiet"});
    ASSERT_EQ(server.Request("PUT", "/datasets/d", kSmallCsv, "text/csv").status, 200);
    server.Stop(15);
  }
  // As a deployment from before this check: no binding object.
  fs::remove(data / "blobs" / "diamond-store-binding.json");
  ServerProcess again(data, {"--quiet"});
  EXPECT_TRUE(fs::exists(data / "blobs" / "diamond-store-binding.json"));
  EXPECT_EQ(again.Get("/datasets/d").status, 200);
}

}  // namespace
}  // namespace diamond::testing
