// The metadata store's contract, run on every SQL engine it supports (SQLite and
// PostgreSQL): what a backend must do to be one. Each test opens fresh stores on a fresh
// database; "two processes" are two stores (two connection pools) on the same database.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "store/sql_metadata_store.h"
#include "support/test_databases.h"

// GCC 12 at -O3 warns -Wrestrict on string assignments inlined from libstdc++ (GCC bug
// 105329, a false positive); nothing here overlaps.
#pragma GCC diagnostic ignored "-Wrestrict"

namespace diamond::store {
namespace {

// prefix + n, appended (GCC 12 warns falsely, -Wrestrict, on "literal" + std::to_string).
std::string Name(std::string prefix, int64_t n) {
  prefix += std::to_string(n);
  return prefix;
}

DatasetVersion Version(int64_t v, const std::string& key) {
  DatasetVersion version;
  version.version = v;
  version.segments = {{key, 1, 10}};
  version.rows = 1;
  version.bytes = 10;
  version.sha256 = "x";
  version.stats_json = "{}";
  return version;
}

JobRecord TrainingJob(const std::string& owner, const std::string& id, const std::string& model) {
  JobRecord job;
  job.owner = owner;
  job.id = id;
  job.kind = "train";
  job.model_id = model;
  job.payload_json = "{}";
  return job;
}

// Records the first failure seen by any thread.
class Failures {
 public:
  void Add(const Status& s) {
    if (s.ok()) return;
    ++count_;
    std::lock_guard lock(mutex_);
    if (first_.empty()) first_ = s.message();
  }
  int count() const { return count_.load(); }
  std::string first() const {
    std::lock_guard lock(mutex_);
    return first_;
  }

 private:
  std::atomic<int> count_{0};
  mutable std::mutex mutex_;
  std::string first_;
};

class MetadataStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<SqlMetadataStore> OpenStore(size_t pool = 4) {
    auto opened = SqlMetadataStore::Open(db_.url(), pool);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }
  testing::TestDatabase db_{GetParam()};
};

TEST_P(MetadataStoreContract, WritersOnTwoProcessesNeverFailEachOther) {
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

TEST_P(MetadataStoreContract, RacingCreatorsOfOneDatasetOneWinsTheRestConflict) {
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

TEST_P(MetadataStoreContract, ListingsPageThroughIdsInByteOrder) {
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

TEST_P(MetadataStoreContract, VersionsDatasetsAndTheirDeletion) {
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
TEST_P(MetadataStoreContract, VersionsShareSegmentsAndFreeThemWhenTheLastUserGoes) {
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

TEST_P(MetadataStoreContract, ConcurrentBatchesOfOneQueryAreNumberedOnce) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->CreateQuery(QueryRecord{"u", "q", "u", "m", 0, 0, "", 0, ""}).ok());
  SqlMetadataStore* stores[] = {first.get(), second.get()};
  constexpr int kThreads = 6, kBatches = 20;
  Failures failures;
  std::mutex numbers_mutex;
  std::set<int64_t> numbers;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        const std::string key = Name(Name("q/", t) + "-", b);
        auto number = stores[t % 2]->AddQueryBatch("u", "m", "q", key, 3);
        failures.Add(number.status());
        if (number.ok()) {
          std::lock_guard lock(numbers_mutex);
          numbers.insert(*number);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.count(), 0) << failures.first();
  EXPECT_EQ(numbers.size(), size_t{kThreads * kBatches});
  if (!numbers.empty()) {
    EXPECT_EQ(*numbers.begin(), 1);
    EXPECT_EQ(*numbers.rbegin(), kThreads * kBatches);
  }
  auto query = first->GetQuery("u", "m", "q");
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->rows, 3 * kThreads * kBatches);
  EXPECT_EQ(first->QueryBatchKeys("q")->size(), size_t{kThreads * kBatches});
  EXPECT_EQ(db_.QueryInteger("SELECT COUNT(*) FROM query_batches"), kThreads * kBatches);
}

// Two completions of one upload racing from two processes: one version, one winner; the
// loser is told the upload is completed. Parts are replaced by number and referenced.
TEST_P(MetadataStoreContract, AnUploadCommitsOnceAndItsPartsAreReplacedAndReferenced) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  UploadRecord upload{"u",   "up",      "d", "csv", "replace", "open", 0,
                      "now", INT64_MAX, "",  "",    "",        ""};
  ASSERT_TRUE(first->CreateUpload(upload).ok());
  EXPECT_EQ(second->GetUpload("v", "up").status().code(), StatusCode::kNotFound)
      << "another owner's upload";
  auto replaced = first->PutUploadPart("u", "up", UploadPart{1, 10, "aa", "up/1a", ""}, "");
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(*replaced, "");
  replaced = second->PutUploadPart("u", "up", UploadPart{1, 12, "bb", "up/1b", ""}, "");
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(*replaced, "up/1a");
  ASSERT_TRUE(first->PutUploadPart("u", "up", UploadPart{2, 5, "cc", "up/2", ""}, "").ok());
  auto parts = second->ListUploadParts("u", "up");
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].blob_key, "up/1b");
  auto referenced = first->ReferencedBlobKeys();
  ASSERT_TRUE(referenced.ok());
  EXPECT_EQ(std::count(referenced->begin(), referenced->end(), "up/1b"), 1);
  EXPECT_EQ(std::count(referenced->begin(), referenced->end(), "up/1a"), 0);

  std::atomic<int> won{0}, told_completed{0};
  std::vector<std::thread> threads;
  SqlMetadataStore* stores[] = {first.get(), second.get()};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto committed = stores[t % 2]->CommitUploadedVersion(
          "u", "up", "", 0, Version(1, Name("d/1-", t)), {INT64_MAX, 100});
      if (committed.ok()) ++won;
      if (committed.status().code() == StatusCode::kFailedPrecondition) ++told_completed;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(told_completed.load(), 3);
  auto done = first->GetUpload("u", "up");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->state, "completed");
  EXPECT_EQ(done->dataset_version, 1);
  EXPECT_EQ(
      second->PutUploadPart("u", "up", UploadPart{3, 1, "dd", "up/3", ""}, "").status().code(),
      StatusCode::kFailedPrecondition);
  auto versions = second->ListDatasetVersions("u", "d");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 1u);

  ASSERT_TRUE(first
                  ->CreateUpload(UploadRecord{"u", "old", "d", "csv", "replace", "open", 0, "then",
                                              5, "", "", "", ""})
                  .ok());
  auto expired = second->ExpiredUploads(10);
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(*expired, (std::vector<std::pair<std::string, std::string>>{{"u", "old"}}));
  auto keys = second->DeleteUpload("u", "up");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_EQ(first->GetUpload("u", "up").status().code(), StatusCode::kNotFound);
}

// An upload's parts live in the blob store under a handle: a completion closes them (no
// part is recorded meanwhile), a failed one reopens them under a new handle with new tags;
// only the handle the parts are under can move them, and a part sent to an old handle is
// refused. The blob they assemble into is referenced until the upload is completed or deleted.
TEST_P(MetadataStoreContract, AnUploadsPartsAreClosedAndReopenedUnderOneHandleAtATime) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  UploadRecord upload{"u",   "up",      "d", "csv", "replace",        "open", 0,
                      "now", INT64_MAX, "",  "",    "uploads/u/up/a", "h1"};
  ASSERT_TRUE(first->CreateUpload(upload).ok());
  auto got = second->GetUpload("u", "up");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->parts_key, "uploads/u/up/a");
  EXPECT_EQ(got->parts_id, "h1");
  EXPECT_FALSE(got->parts_closed);
  ASSERT_TRUE(first->PutUploadPart("u", "up", UploadPart{1, 10, "aa", "", "t1"}, "h1").ok());
  ASSERT_TRUE(first->PutUploadPart("u", "up", UploadPart{2, 3, "bb", "", "t2"}, "h1").ok());
  EXPECT_EQ(first->PutUploadPart("u", "up", UploadPart{2, 3, "bb", "", "t2"}, "h0").status().code(),
            StatusCode::kFailedPrecondition)
      << "a part sent to another handle";
  auto referenced = second->ReferencedBlobKeys();
  EXPECT_EQ(std::count(referenced->begin(), referenced->end(), "uploads/u/up/a"), 1);

  ASSERT_TRUE(first->SetUploadParts("u", "up", "h1", "uploads/u/up/a", "h1", true, {})
                  .ok());  // a completion begins
  EXPECT_TRUE(second->GetUpload("u", "up")->parts_closed);
  EXPECT_EQ(
      second->PutUploadPart("u", "up", UploadPart{2, 4, "cc", "", "t3"}, "h1").status().code(),
      StatusCode::kFailedPrecondition)
      << "a part while the parts are closed";
  // It fails: two processes reopen; one moves the parts, the other is told.
  ASSERT_TRUE(
      first->SetUploadParts("u", "up", "h1", "uploads/u/up/b", "h2", false, {{1, "c1"}, {2, "c2"}})
          .ok());
  EXPECT_EQ(second->SetUploadParts("u", "up", "h1", "uploads/u/up/c", "h3", false, {}).code(),
            StatusCode::kFailedPrecondition);
  got = second->GetUpload("u", "up");
  EXPECT_EQ(got->parts_key, "uploads/u/up/b");
  EXPECT_EQ(got->parts_id, "h2");
  EXPECT_FALSE(got->parts_closed);
  auto parts = second->ListUploadParts("u", "up");
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].etag, "c1");
  EXPECT_EQ((*parts)[1].etag, "c2");
  EXPECT_EQ((*parts)[1].sha256, "bb");
  ASSERT_TRUE(second->PutUploadPart("u", "up", UploadPart{2, 4, "dd", "", "t4"}, "h2").ok());
  EXPECT_EQ(second->ListUploadParts("u", "up")->back().etag, "t4");
  auto keys = first->DeleteUpload("u", "up");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, std::vector<std::string>{"uploads/u/up/b"});
}

// A large upload completes in a job: queued once however often it is asked for, the upload
// closed to parts and to other completions meanwhile, open again (with the reason) if the
// job fails, and committed only by the job that holds it.
TEST_P(MetadataStoreContract, AnUploadCompletedByAJobIsQueuedOnceAndCommittedOnlyByIt) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first
                  ->CreateUpload(UploadRecord{"u", "up", "d", "csv", "replace", "open", 0, "now",
                                              INT64_MAX, "", "", "", ""})
                  .ok());
  ASSERT_TRUE(first->PutUploadPart("u", "up", UploadPart{1, 5, "aa", "up/1", ""}, "").ok());
  JobRecord job = TrainingJob("u", "c1", "");
  job.kind = "upload-complete";
  auto queued = first->QueueUploadCompletion("u", "up", job);
  ASSERT_TRUE(queued.ok()) << queued.status().message();
  EXPECT_EQ(queued->state, JobState::kQueued);
  JobRecord other = job;
  other.id = "c2";
  auto again = second->QueueUploadCompletion("u", "up", other);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, "c1") << "a completion already under way is the answer";
  EXPECT_EQ(second->GetJob("u", "c2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(second->GetUpload("u", "up")->state, "completing");
  EXPECT_EQ(
      second->PutUploadPart("u", "up", UploadPart{2, 5, "bb", "up/2", ""}, "").status().code(),
      StatusCode::kFailedPrecondition);
  EXPECT_EQ(second->CommitUploadedVersion("u", "up", "", 0, Version(1, "d/x"), {INT64_MAX, 100})
                .status()
                .code(),
            StatusCode::kFailedPrecondition);

  // The job fails: open again, with why; a new completion is a new job.
  ASSERT_TRUE(first->FailUploadCompletion("u", "up", "c1", R"({"status": 422})").ok());
  auto reopened = second->GetUpload("u", "up");
  EXPECT_EQ(reopened->state, "open");
  EXPECT_EQ(reopened->error_json, R"({"status": 422})");
  EXPECT_EQ(reopened->job_id, "c1");
  auto retried = second->QueueUploadCompletion("u", "up", other);
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried->id, "c2");
  EXPECT_EQ(second->GetUpload("u", "up")->error_json, "");
  // A stale job cannot fail or commit the new one's completion.
  ASSERT_TRUE(first->FailUploadCompletion("u", "up", "c1", "{}").ok());
  EXPECT_EQ(second->GetUpload("u", "up")->state, "completing");
  EXPECT_EQ(second->CommitUploadedVersion("u", "up", "c1", 0, Version(1, "d/y"), {INT64_MAX, 100})
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(
      second->CommitUploadedVersion("u", "up", "c2", 0, Version(1, "d/z"), {INT64_MAX, 100}).ok());
  EXPECT_EQ(first->GetUpload("u", "up")->state, "completed");
  EXPECT_EQ(first->QueueUploadCompletion("u", "up", job).status().code(),
            StatusCode::kFailedPrecondition);
}

// A batch job's parts: recorded only by the attempt that holds the job, listed in order,
// kept from the blob GC, and the job finishes succeeded with its detail.
TEST_P(MetadataStoreContract, BatchPartsAreFencedByAttemptAndReferenced) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  JobRecord job = TrainingJob("u", "b1", "m");
  job.kind = "batch-predict";
  ASSERT_TRUE(first->QueueJob(job).ok());
  EXPECT_EQ(first->CommitBatchPart("b1", 1, BatchPart{0, "b1/0", 10, 0, 0}, 0, "{}").code(),
            StatusCode::kFailedPrecondition)
      << "not running yet";
  auto claimed = second->ClaimNextJob({"w1", 60000, 3});
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  EXPECT_EQ((*claimed)->kind, "batch-predict");
  ASSERT_TRUE(second->CommitBatchPart("b1", 1, BatchPart{0, "b1/0", 10, 0, 0}, 0, "{}").ok());
  ASSERT_TRUE(
      first->CommitBatchPart("b1", 1, BatchPart{1, "b1/1", 100, 7, 1}, 0.5, R"({"rows_done": 7})")
          .ok());
  EXPECT_EQ(first->CommitBatchPart("b1", 2, BatchPart{2, "b1/2", 100, 7, 0}, 1, "{}").code(),
            StatusCode::kFailedPrecondition)
      << "attempt 2 does not hold the job";
  auto parts = first->ListBatchParts("u", "b1");
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[1].rows, 7);
  EXPECT_EQ((*parts)[1].skipped, 1);
  EXPECT_EQ(second->ListBatchParts("v", "b1").status().code(), StatusCode::kNotFound);
  auto referenced = second->ReferencedBlobKeys();
  ASSERT_TRUE(referenced.ok());
  EXPECT_EQ(std::count(referenced->begin(), referenced->end(), "b1/1"), 1);
  EXPECT_EQ(first->GetJob("u", "b1")->progress_detail, R"({"rows_done": 7})");
  ASSERT_TRUE(second->FinishJob("b1", 1, R"({"rows_done": 7, "done": true})").ok());
  auto finished = first->GetJob("u", "b1");
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(finished->state, JobState::kSucceeded);
  EXPECT_EQ(finished->progress, 1);
  EXPECT_EQ(first->FinishJob("b1", 1, "{}").code(), StatusCode::kFailedPrecondition) << "only once";
}

// Operators see every owner's jobs (GET /admin/jobs), narrowed by any of id, owner, state
// and kind, newest first, with the total for paging.
TEST_P(MetadataStoreContract, EveryOwnersJobsAreListedForOperatorsByAnyFilter) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  JobRecord a = TrainingJob("alice", "ja", "m");
  JobRecord b = TrainingJob("bob", "jb", "m");
  b.kind = "batch-predict";
  JobRecord c = TrainingJob("bob", "jc", "m2");
  ASSERT_TRUE(store->QueueJob(a).ok());
  ASSERT_TRUE(store->QueueJob(b).ok());
  ASSERT_TRUE(store->QueueJob(c).ok());
  ASSERT_TRUE(store->CancelJob("bob", "jc").ok());
  auto ids = [&](JobFilter filter, Page page = Page{0, 100}) {
    std::set<std::string> out;
    auto listed = store->ListAllJobs(filter, page);
    EXPECT_TRUE(listed.ok()) << listed.status().message();
    if (listed.ok()) {
      for (const auto& job : listed->first) out.insert(job.owner + "/" + job.id);
    }
    return out;
  };
  EXPECT_EQ(ids({}), (std::set<std::string>{"alice/ja", "bob/jb", "bob/jc"}));
  EXPECT_EQ(ids({"", "bob", "", ""}), (std::set<std::string>{"bob/jb", "bob/jc"}));
  EXPECT_EQ(ids({"", "", "cancelled", ""}), (std::set<std::string>{"bob/jc"}));
  EXPECT_EQ(ids({"", "", "", "batch-predict"}), (std::set<std::string>{"bob/jb"}));
  EXPECT_EQ(ids({"ja", "", "", ""}), (std::set<std::string>{"alice/ja"}));
  EXPECT_EQ(ids({"", "carol", "", ""}), (std::set<std::string>{}));
  auto page = store->ListAllJobs({}, Page{1, 1});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->first.size(), 1u);
  EXPECT_EQ(page->second, 3);
}

TEST_P(MetadataStoreContract, EveryQueuedJobIsClaimedExactlyOnce) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  constexpr int kJobs = 24;
  for (int j = 0; j < kJobs; ++j) {
    ASSERT_TRUE(first
                    ->StartTraining(Name("m", j), "{}",
                                    TrainingJob("u", Name("j", j), Name("m", j)), {100, 100})
                    .ok());
  }
  SqlMetadataStore* stores[] = {first.get(), second.get()};
  std::mutex claimed_mutex;
  std::multiset<std::string> claimed;
  Failures failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (;;) {
        auto job = stores[t % 2]->ClaimNextJob({Name("w", t), 60000, 3});
        failures.Add(job.status());
        if (!job.ok() || !job->has_value()) return;
        std::lock_guard lock(claimed_mutex);
        claimed.insert((*job)->id);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.count(), 0) << failures.first();
  EXPECT_EQ(claimed.size(), size_t{kJobs});
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), size_t{kJobs});
}

TEST_P(MetadataStoreContract, AJobWhoseWorkerKeepsDyingFailsAfterTheAttemptCap) {
  auto opened = OpenStore();
  ASSERT_TRUE(opened);
  SqlMetadataStore& store = *opened;
  ASSERT_TRUE(store.StartTraining("m", "{}", TrainingJob("u", "j1", "m"), {10, 10}).ok());
  // Each round a worker claims the job with a short lease, then dies (never renews): once
  // the lease lapses, the next claim takes the job again. The lease must outlast the two
  // statements between a claim and the "too early" one on the slowest build: at 20 ms, a
  // TSan run on a busy 2-core machine once took longer, and the early claim took the job.
  constexpr int kLeaseMs = 500;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto claimed = store.ClaimNextJob({Name("w", attempt), kLeaseMs, 3});
    ASSERT_TRUE(claimed.ok() && claimed->has_value()) << "attempt " << attempt;
    EXPECT_EQ((*claimed)->attempts, attempt);
    // Not before the lease lapses.
    auto early = store.ClaimNextJob({"other", kLeaseMs, 3});
    ASSERT_TRUE(early.ok());
    EXPECT_FALSE(early->has_value()) << "attempt " << attempt;
    std::this_thread::sleep_for(std::chrono::milliseconds(kLeaseMs + 100));
  }
  auto claimed = store.ClaimNextJob({"last", kLeaseMs, 3});
  ASSERT_TRUE(claimed.ok());
  EXPECT_FALSE(claimed->has_value());  // nothing left to run: the third lapse failed it
  auto failed = store.GetJob("u", "j1");
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->state, JobState::kFailed);
  EXPECT_NE(failed->error.find("stopped the worker running it 3 times"), std::string::npos)
      << failed->error;
  auto model = store.GetModel("u", "m");
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model->status, ModelStatus::kFailed);
}

TEST_P(MetadataStoreContract, ALateWorkerCannotOverwriteANewerAttempt) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->StartTraining("m", "{}", TrainingJob("u", "j1", "m"), {10, 10}).ok());
  auto slow = first->ClaimNextJob({"slow", 20, 5});
  ASSERT_TRUE(slow.ok() && slow->has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(40));  // the slow worker stalls
  auto fresh = second->ClaimNextJob({"fresh", 60000, 5});
  ASSERT_TRUE(fresh.ok() && fresh->has_value());
  EXPECT_EQ((*fresh)->attempts, 2);
  // Everything the stale attempt tries is refused; the fresh one's renewals hold.
  EXPECT_EQ(first->RenewJobLease("j1", 1, 60000).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(second->RenewJobLease("j1", 2, 60000).ok());
  ASSERT_TRUE(first->UpdateJobProgress("j1", 1, 0.99, "stale").ok());  // dropped, not an error
  EXPECT_EQ(first->FinishTraining("j1", 1, "models/u/m/j1-a1.json", "d", 1, "{}").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(first->FailTraining("j1", 1, "stale failure").code(), StatusCode::kFailedPrecondition);
  auto running = second->GetJob("u", "j1");
  ASSERT_TRUE(running.ok());
  EXPECT_EQ(running->state, JobState::kRunning);
  EXPECT_NE(running->progress_detail, "stale");
  ASSERT_TRUE(second->FinishTraining("j1", 2, "models/u/m/j1-a2.json", "d", 1, "{}").ok());
  auto model = first->GetModel("u", "m");
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model->artifact_key, "models/u/m/j1-a2.json");
  EXPECT_EQ(first->GetJob("u", "j1")->state, JobState::kSucceeded);
  // A lease held by a live worker is never taken: ExpireJobLeases is for a sole process.
  ASSERT_TRUE(first->StartTraining("m2", "{}", TrainingJob("u", "j2", "m2"), {10, 10}).ok());
  ASSERT_TRUE(first->ClaimNextJob({"a", 60000, 5})->has_value());
  EXPECT_FALSE(second->ClaimNextJob({"b", 60000, 5})->has_value());
  EXPECT_EQ(*second->ExpireJobLeases(), 1);
  auto reclaimed = second->ClaimNextJob({"b", 60000, 5});
  ASSERT_TRUE(reclaimed.ok() && reclaimed->has_value());
  EXPECT_EQ((*reclaimed)->id, "j2");
}

TEST_P(MetadataStoreContract, AccountsKeysUsageAndReplicas) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  const int64_t generation = *first->Generation();
  ASSERT_TRUE(first->CreateUser(UserRecord{"alice", "member", "free", false, ""}).ok());
  EXPECT_EQ(second->CreateUser(UserRecord{"alice", "member", "free", false, ""}).code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(
      first->CreateKey(ApiKeyRecord{"k1", "alice", "dk_abc", "h1", "laptop", "", "", ""}).ok());
  // The same prefix again: the unique constraint answers, as a conflict, not an I/O error.
  EXPECT_EQ(second->CreateKey(ApiKeyRecord{"k2", "alice", "dk_abc", "h2", "ci", "", "", ""}).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_GT(*second->Generation(), generation);  // every replica sees the change
  ASSERT_TRUE(second->RevokeKey("alice", "k1").ok());
  auto keys = first->ListKeys("alice");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_FALSE((*keys)[0].revoked_at.empty());

  // Usage added by two processes at once sums exactly.
  Failures failures;
  std::vector<std::thread> threads;
  SqlMetadataStore* stores[] = {first.get(), second.get()};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        failures.Add(stores[t % 2]->AddUsage({UsageRecord{"alice", "2026-11-30", 2, 0.5, -1}}));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.count(), 0) << failures.first();
  auto usage = first->UsageForMonth("2026-11");
  ASSERT_TRUE(usage.ok());
  ASSERT_EQ(usage->size(), 1u);
  EXPECT_EQ((*usage)[0].predicted_rows, 200);
  EXPECT_DOUBLE_EQ((*usage)[0].training_seconds, 50.0);

  ASSERT_TRUE(first->Heartbeat(ReplicaRecord{"r1", 3, 1000, "t", 1, "h", false}).ok());
  ASSERT_TRUE(second->Heartbeat(ReplicaRecord{"r1", 4, 2000, "t", 1, "h", false}).ok());
  auto replicas = first->ListReplicas();
  ASSERT_TRUE(replicas.ok());
  ASSERT_EQ(replicas->size(), 1u);
  EXPECT_EQ((*replicas)[0].loaded_generation, 4);
  EXPECT_FALSE((*replicas)[0].serving);
  ASSERT_TRUE(first->RemoveReplica("r1").ok());
  EXPECT_TRUE(first->ListReplicas()->empty());
}

TEST_P(MetadataStoreContract, ALeaseHasOneHolderAtATimeUntilReleasedOrExpired) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(*first->TryTakeLease("blob-gc", "a", 60000));
  EXPECT_FALSE(*second->TryTakeLease("blob-gc", "b", 60000));
  EXPECT_TRUE(*first->TryTakeLease("blob-gc", "a", 60000));  // renewing one's own
  EXPECT_TRUE(*second->TryTakeLease("other", "b", 60000));   // names are independent
  ASSERT_TRUE(first->ReleaseLease("blob-gc", "a").ok());
  EXPECT_TRUE(*second->TryTakeLease("blob-gc", "b", 20));
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  EXPECT_TRUE(*first->TryTakeLease("blob-gc", "a", 60000));  // b's expired
  // Many contenders at once: exactly one wins.
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      auto taken = (t % 2 ? first : second)->TryTakeLease("race", Name("h", t), 60000);
      if (taken.ok() && *taken) ++winners;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
}

TEST_P(MetadataStoreContract, ModelChangesAreListedInOrderForTheOtherReplicas) {
  auto store = OpenStore(), other = OpenStore();
  ASSERT_TRUE(store && other);
  const int64_t start = other->ModelChangesSince(INT64_MAX)->latest;
  ASSERT_TRUE(
      store->StartTraining("m", "{}", TrainingJob("u", "j1", "m"), {10, 10}).ok());  // new model
  auto job = store->ClaimNextJob({"w", 60000, 3});
  ASSERT_TRUE(job.ok() && job->has_value());
  ASSERT_TRUE(store->FinishTraining("j1", 1, "models/u/m/j1-a1.json", "d", 1, "{}").ok());
  ASSERT_TRUE(store->SetModelShared("u", "m", true).ok());
  auto changes = other->ModelChangesSince(start);
  ASSERT_TRUE(changes.ok());
  EXPECT_TRUE(changes->complete);
  EXPECT_EQ(changes->latest, start + 3);
  EXPECT_EQ(changes->models.size(), 3u);
  // The process that made them has applied them already: nothing for it.
  auto own = store->ModelChangesSince(start);
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->latest, start + 3);
  EXPECT_TRUE(own->models.empty());
  ASSERT_TRUE(store->DeleteModel("u", "m").ok());
  auto after = other->ModelChangesSince(changes->latest);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->models.size(), 1u);
  EXPECT_EQ(after->models[0], std::make_pair(std::string("u"), std::string("m")));
  EXPECT_TRUE(other->ModelChangesSince(after->latest)->models.empty());
}

TEST_P(MetadataStoreContract, ProcessesStartingTogetherMigrateOnce) {
  std::vector<std::unique_ptr<SqlMetadataStore>> stores(6);
  Failures failures;
  std::vector<std::thread> threads;
  for (size_t i = 0; i < stores.size(); ++i) {
    threads.emplace_back([&, i] {
      auto opened = SqlMetadataStore::Open(db_.url(), 2);
      failures.Add(opened.status());
      if (opened.ok()) stores[i] = std::move(opened).value();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.count(), 0) << failures.first();
  EXPECT_EQ(db_.QueryInteger("SELECT COUNT(*) FROM schema_version"), kSchemaVersion);
  EXPECT_EQ(db_.QueryInteger("SELECT COUNT(*) FROM plans"), 3);  // seeded once, not 6 times
}

TEST_P(MetadataStoreContract, ASchemaNewerThanTheBuildIsRefusedWithAReason) {
  ASSERT_TRUE(OpenStore());
  db_.Execute(Name("INSERT INTO schema_version (version) VALUES (", kSchemaVersion + 1) + ")");
  auto opened = SqlMetadataStore::Open(db_.url(), 2);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(opened.status().message().find("newer than this build"), std::string::npos)
      << opened.status().message();
}

INSTANTIATE_TEST_SUITE_P(Engines, MetadataStoreContract, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(DatabaseUrl, NamesTheEngineAndHidesThePassword) {
  auto lite = ParseDatabaseUrl("sqlite:/var/lib/diamond/metadata.db");
  ASSERT_TRUE(lite.ok());
  EXPECT_EQ(lite->engine, SqlEngine::kSqlite);
  EXPECT_EQ(lite->connect, "/var/lib/diamond/metadata.db");
  auto pg = ParseDatabaseUrl("postgresql://diamond:s3cret@db.internal:5433/prices");
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ(pg->engine, SqlEngine::kPostgresql);
  EXPECT_EQ(pg->display.find("s3cret"), std::string::npos) << pg->display;
  auto bad = ParseDatabaseUrl("mysql://diamond:s3cret@db/prices");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("s3cret"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(ParseDatabaseUrl("sqlite:").ok());
}

// The URL reaches the driver as libpq's keywords (issue 28: the documented form used to
// reach the server as database "diamond=").
TEST(DatabaseUrl, PostgresUrisBecomeLibpqKeywords) {
  auto pg = ParseDatabaseUrl("postgresql://diamond@db.internal:5432/diamond");
  ASSERT_TRUE(pg.ok()) << pg.status().message();
  EXPECT_EQ(pg->connect, "user=diamond dbname=diamond host=db.internal port=5432");
  auto quoted = PostgresKeywords("postgresql://di%20amond:p%27ss%20w@[::1]/prices?sslmode=require");
  ASSERT_TRUE(quoted.ok()) << quoted.status().message();
  EXPECT_EQ(*quoted,
            R"(user='di amond' password='p\'ss w' dbname=prices host=::1 sslmode=require)");
  auto socket = PostgresKeywords("postgresql://diamond@/diamond?host=/var/run/postgresql");
  ASSERT_TRUE(socket.ok());
  EXPECT_EQ(*socket, "user=diamond dbname=diamond host=/var/run/postgresql");
  EXPECT_EQ(*PostgresKeywords("postgres://db.internal"), "host=db.internal");
  auto bad = ParseDatabaseUrl("postgresql://diamond:s3cret@db/prices?nosuchkeyword=1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("nosuchkeyword"), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(bad.status().message().find("s3cret"), std::string::npos) << bad.status().message();
}

// Every form docs/operations.md writes, against the test cluster on 127.0.0.1.
TEST(DatabaseUrl, EveryDocumentedFormConnects) {
  const std::string port = DIAMOND_TEST_POSTGRES_PORT;
  const std::string socket_url = DIAMOND_TEST_POSTGRES_URL;
  for (const std::string& url : {
           "postgresql://postgres@127.0.0.1:" + port + "/postgres",
           "postgresql://postgres@localhost:" + port + "/postgres?sslmode=disable",
           "postgresql://postgres:unused%20secret@127.0.0.1:" + port + "/postgres",
           "postgres://postgres@127.0.0.1/postgres?port=" + port,
           socket_url,
       }) {
    SCOPED_TRACE(url);
    auto parsed = ParseDatabaseUrl(url);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    auto pool = OpenConnectionPool(*parsed, 1);
    EXPECT_TRUE(pool.ok()) << pool.status().message();
  }
}

}  // namespace
}  // namespace diamond::store
