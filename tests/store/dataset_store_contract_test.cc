// The contract of a metadata port, run on every SQL engine (SQLite and PostgreSQL; see
// metadata_contract_support.h): DatasetStore: datasets and versions committed by compare-and-set,
// listings, shared segments, deletion and storage limits.
#include "store/metadata_contract_support.h"

namespace diamond::store {
namespace {

class DatasetStoreContract : public MetadataStoreContract {};

TEST_P(DatasetStoreContract, WritersOnTwoProcessesNeverFailEachOther) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  SqlMetadataStore* stores[] = {first.get(), second.get()};
  // Each thread commits versions of its own dataset (read the current version, then
  // insert): no logical conflict, only connections contending for locks.
  constexpr int kThreads = 4, kCommits = 60;
  Failures failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      SqlMetadataStore& store = *stores[t % 2];
      const std::string id = Name("d", t);
      for (int v = 1; v <= kCommits; ++v) {
        const std::string key = Name(id + "/", v);
        Status s = store.CommitDatasetVersion("u", id, v - 1, Version(v, key), {}).status();
        if (s.ok() && t % 2 == 1) {
          s = store.CreateUser(UserRecord{Name(id + "-", v), "member", "free", false, ""});
        }
        failures.Add(s);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.count(), 0) << failures.first();
  for (int t = 0; t < kThreads; ++t) {
    auto dataset = stores[0]->GetDataset("u", Name("d", t));
    ASSERT_TRUE(dataset.ok());
    EXPECT_EQ(dataset->current.version, kCommits);
  }
}

TEST_P(DatasetStoreContract, RacingCreatorsOfOneDatasetOneWinsTheRestConflict) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  SqlMetadataStore* stores[] = {first.get(), second.get()};
  std::atomic<int> created{0}, conflicts{0};
  Failures other;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto result =
          stores[t % 2]->CommitDatasetVersion("u", "same", 0, Version(1, Name("k", t)), {});
      if (result.ok()) {
        ++created;
      } else if (result.status().code() == StatusCode::kFailedPrecondition) {
        ++conflicts;  // 409 at the API: never an I/O error (503)
      } else {
        other.Add(result.status());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), 7);
  EXPECT_EQ(other.count(), 0) << other.first();
}

TEST_P(DatasetStoreContract, ListingsPageThroughIdsInByteOrder) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  // Language collations put "a" before "B" and ignore "_"; byte order does not.
  const std::vector<std::string> ids = {"a", "B", "_x", "Z9", "b-2", "b.1"};
  for (const auto& id : ids)
    ASSERT_TRUE(store->CommitDatasetVersion("u", id, 0, Version(1, id), {}).ok());
  std::vector<std::string> seen;
  for (int64_t offset = 0; offset < 6; offset += 4) {
    auto page = store->ListDatasets("u", Page{offset, 4});
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->second, 6);
    for (const auto& d : page->first) seen.push_back(d.id);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"B", "Z9", "_x", "a", "b-2", "b.1"}));
}

TEST_P(DatasetStoreContract, VersionsDatasetsAndTheirDeletion) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->CommitDatasetVersion("u", "d", 0, Version(1, "d/1"), {}).ok());
  auto stale = store->CommitDatasetVersion("u", "d", 0, Version(1, "d/1b"), {});
  EXPECT_EQ(stale.status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store->CommitDatasetVersion("u", "d", 1, Version(2, "d/2"), {}).ok());
  auto versions = store->ListDatasetVersions("u", "d");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ(store->DeleteDatasetVersion("u", "d", 2).status().code(),
            StatusCode::kFailedPrecondition);
  auto freed = store->DeleteDatasetVersion("u", "d", 1);
  ASSERT_TRUE(freed.ok());
  EXPECT_EQ(*freed, std::vector<std::string>{"d/1"});
  EXPECT_EQ(*store->StoredBytes("u"), 10);
  // Another owner sees nothing of it.
  EXPECT_EQ(store->GetDataset("v", "d").status().code(), StatusCode::kNotFound);
  auto keys = store->DeleteDataset("u", "d");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, std::vector<std::string>{"d/2"});
  EXPECT_EQ(store->GetDataset("u", "d").status().code(), StatusCode::kNotFound);
  auto limited = store->CommitDatasetVersion("u", "e", 0, Version(1, "e/1"), {5, 100});
  EXPECT_EQ(limited.status().code(), StatusCode::kLimitExceeded);
}

// An append shares the segments of the version it builds on: they are stored (and
// counted) once, and freed only when the last version using them goes.
TEST_P(DatasetStoreContract, VersionsShareSegmentsAndFreeThemWhenTheLastUserGoes) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto version = [](int64_t v, std::vector<std::string> keys) {
    DatasetVersion out = Version(v, keys.front());
    out.segments.clear();
    for (const auto& key : keys) out.segments.push_back({key, 1, 10});
    out.rows = out.bytes = 0;
    for (const auto& segment : out.segments) out.bytes += segment.bytes;
    out.sha256_state = Name("state-", v);
    return out;
  };
  ASSERT_TRUE(store->CommitDatasetVersion("u", "d", 0, version(1, {"A"}), {}).ok());
  ASSERT_TRUE(store->CommitDatasetVersion("u", "d", 1, version(2, {"A", "B"}), {}).ok());
  // Only the new segment's bytes count against the plan: B and C are stored, D is not.
  auto over = store->CommitDatasetVersion("u", "d", 2, version(3, {"A", "B", "D", "E"}), {35, 100});
  EXPECT_EQ(over.status().code(), StatusCode::kLimitExceeded);
  ASSERT_TRUE(
      store->CommitDatasetVersion("u", "d", 2, version(3, {"A", "B", "C"}), {30, 100}).ok());
  EXPECT_EQ(*store->StoredBytes("u"), 30);

  auto current = store->GetDataset("u", "d");
  ASSERT_TRUE(current.ok());
  ASSERT_EQ(current->current.segments.size(), 3u);
  EXPECT_EQ(current->current.segments[2].blob_key, "C");
  EXPECT_EQ(current->current.bytes, 30);
  EXPECT_EQ(current->current.sha256_state, "state-3");
  auto versions = store->ListDatasetVersions("u", "d");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ((*versions)[1].segments.size(), 2u);
  EXPECT_EQ((*versions)[1].sha256_state, "state-2");

  // Versions 1 and 2 go without freeing a byte: version 3 still reads A and B.
  EXPECT_EQ(*store->DeleteDatasetVersion("u", "d", 2), std::vector<std::string>{});
  EXPECT_EQ(*store->DeleteDatasetVersion("u", "d", 1), std::vector<std::string>{});
  EXPECT_EQ(*store->StoredBytes("u"), 30);
  auto referenced = store->ReferencedBlobKeys();
  ASSERT_TRUE(referenced.ok());
  for (const char* key : {"A", "B", "C"}) {
    EXPECT_NE(std::find(referenced->begin(), referenced->end(), key), referenced->end()) << key;
  }
  auto keys = store->DeleteDataset("u", "d");
  ASSERT_TRUE(keys.ok());
  std::sort(keys->begin(), keys->end());
  EXPECT_EQ(*keys, (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(*store->StoredBytes("u"), 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, DatasetStoreContract, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace diamond::store
