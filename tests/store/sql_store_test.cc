// The SQL metadata store beside other connections and after crashes: write transactions
// that read first never fail because another process (`diamond admin`, a second server)
// holds the write lock, and a job that keeps killing its worker is not retried for ever.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/sql_metadata_store.h"
#include "support/test_support.h"

namespace diamond::store {
namespace {

DatasetVersion Version(int64_t v, const std::string& key) {
  DatasetVersion version;
  version.version = v;
  version.blob_key = key;
  version.rows = 1;
  version.bytes = 10;
  version.sha256 = "x";
  version.stats_json = "{}";
  return version;
}

TEST(SqlStore, WritersOnTwoConnectionsWaitForEachOtherInsteadOfFailing) {
  testing::TempDir dir;
  const std::string path = (dir / "metadata.db").string();
  auto first = SqlMetadataStore::OpenSqlite(path);
  auto second = SqlMetadataStore::OpenSqlite(path);
  ASSERT_TRUE(first.ok() && second.ok());
  SqlMetadataStore* stores[] = {first->get(), second->get()};
  // Each thread commits versions of its own dataset (read the current version, then
  // insert): no logical conflict, only the two connections contending for the lock.
  constexpr int kThreads = 4, kCommits = 150;
  std::atomic<int> failures{0};
  std::string first_failure;
  std::mutex failure_mutex;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      SqlMetadataStore& store = *stores[t % 2];
      const std::string id = "d" + std::to_string(t);
      for (int v = 1; v <= kCommits; ++v) {
        Status s = store.CommitDatasetVersion("u", id, v - 1, Version(v, id + "/" + std::to_string(v)), {}).status();
        if (s.ok() && t % 2 == 1) s = store.CreateUser(UserRecord{id + "-" + std::to_string(v), "member", "free", false, ""});
        if (!s.ok()) {
          ++failures;
          std::lock_guard lock(failure_mutex);
          if (first_failure.empty()) first_failure = s.message();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << first_failure;
  for (int t = 0; t < kThreads; ++t) {
    auto dataset = stores[0]->GetDataset("u", "d" + std::to_string(t));
    ASSERT_TRUE(dataset.ok());
    EXPECT_EQ(dataset->current.version, kCommits);
  }
}

TEST(SqlStore, AJobThatKeepsStoppingItsWorkerFailsAfterTheAttemptCap) {
  testing::TempDir dir;
  auto opened = SqlMetadataStore::OpenSqlite((dir / "metadata.db").string());
  ASSERT_TRUE(opened.ok());
  SqlMetadataStore& store = **opened;
  JobRecord job;
  job.owner = "u";
  job.id = "j1";
  job.kind = "train";
  job.model_id = "m";
  job.payload_json = "{}";
  ASSERT_TRUE(store.StartTraining("m", "{}", job, {10, 10}).ok());
  // Each round: a worker claims the job, then its process dies (the job stays running)
  // and the next start requeues it.
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto claimed = store.ClaimNextJob();
    ASSERT_TRUE(claimed.ok() && claimed->has_value()) << "attempt " << attempt;
    EXPECT_EQ((*claimed)->attempts, attempt);
    auto requeued = store.RequeueRunningJobs(3);
    ASSERT_TRUE(requeued.ok());
    EXPECT_EQ(*requeued, attempt < 3 ? 1 : 0) << "attempt " << attempt;
  }
  auto failed = store.GetJob("u", "j1");
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->state, JobState::kFailed);
  EXPECT_NE(failed->error.find("stopped the worker running it 3 times"), std::string::npos) << failed->error;
  auto claimed = store.ClaimNextJob();
  ASSERT_TRUE(claimed.ok());
  EXPECT_FALSE(claimed->has_value());  // nothing left to run
  auto model = store.GetModel("u", "m");
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model->status, ModelStatus::kFailed);
}

}  // namespace
}  // namespace diamond::store
