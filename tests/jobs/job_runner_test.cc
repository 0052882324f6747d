// The job runner against a real SQLite store whose clock the test moves (issue 24, item 8):
// a worker that stops renewing its lease loses the job to another runner once the lease
// lapses — not before — and can record nothing after; a job whose workers keep dying fails
// at the attempt cap; a queued job cancelled never runs. No test waits for a lease: the
// fake clock jumps past it.
#include "jobs/job_runner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/sql_metadata_store.h"
#include "support/fake_clock.h"
#include "support/test_support.h"

namespace diamond::jobs {
namespace {

using namespace std::chrono_literals;

constexpr char kKind[] = "test-job";

// A gate an executor waits at until the test opens it.
class Latch {
 public:
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
};

class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(store::SqlMetadataStore::OpenSqlite((dir_.path() / "m.db").string(), clock_))
                 .value();
  }

  JobRecord Queue(const std::string& id, const std::string& owner = "alice",
                  const std::string& kind = kKind) {
    JobRecord job;
    job.owner = owner;
    job.id = id;
    job.kind = kind;
    job.payload_json = "{}";
    EXPECT_TRUE(store_->QueueJob(job).ok());
    return job;
  }
  JobRecord Get(const std::string& id, const std::string& owner = "alice") {
    return store_->GetJob(owner, id).value();
  }

  // Polls the store (real time, bounded) until `done` holds for the job.
  template <typename Done>
  bool Eventually(const std::string& id, Done done, const std::string& owner = "alice") {
    for (int i = 0; i < 400; ++i) {
      if (done(Get(id, owner))) return true;
      std::this_thread::sleep_for(25ms);
    }
    return false;
  }

  std::unique_ptr<JobRunner> Runner(JobRunner::Executor executor, int max_attempts = 3) {
    // A lease far longer than any test runs: its renewal thread (every third of it, in
    // real time) never fires, so only the fake clock decides when a lease lapses.
    auto runner = std::make_unique<JobRunner>(*store_, JobRunnerOptions{1, max_attempts, 1h});
    runner->SetExecutor(kKind, std::move(executor));
    EXPECT_TRUE(runner->Start().ok());
    return runner;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  std::unique_ptr<store::SqlMetadataStore> store_;
};

TEST_F(JobRunnerTest, AWorkerThatStopsRenewingLosesTheJobWhenTheLeaseLapsesAndRecordsNothingAfter) {
  Latch release_first;
  std::atomic<int> first_started{0};
  Status first_finish = Status::Ok();
  bool first_saw_cancel = false;
  auto first = Runner([&](const JobRecord& job, JobContext& context) {
    ++first_started;
    release_first.Wait();  // a worker stuck (or cut off) past its lease
    first_saw_cancel = context.CancelRequested();
    first_finish = store_->FinishJob(job.id, job.attempts, "first");
  });
  Queue("j1");
  first->Notify();
  ASSERT_TRUE(Eventually("j1", [](const JobRecord& j) { return j.state == JobState::kRunning; }));
  EXPECT_EQ(Get("j1").attempts, 1);

  auto second = Runner([&](const JobRecord& job, JobContext&) {
    EXPECT_TRUE(store_->FinishJob(job.id, job.attempts, "second").ok());
  });
  // The lease still holds: the second runner looks and leaves the job alone.
  second->Notify();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(Get("j1").attempts, 1);
  EXPECT_EQ(Get("j1").state, JobState::kRunning);

  clock_.Advance(1h + 1s);  // the first worker's lease lapses
  second->Notify();
  ASSERT_TRUE(Eventually("j1", [](const JobRecord& j) { return j.state == JobState::kSucceeded; }));
  EXPECT_EQ(Get("j1").attempts, 2);

  release_first.Open();
  first->Stop();
  EXPECT_EQ(first_started.load(), 1);
  EXPECT_TRUE(first_saw_cancel);
  EXPECT_EQ(first_finish.code(), StatusCode::kFailedPrecondition) << first_finish.message();
  const JobRecord end = Get("j1");
  EXPECT_EQ(end.state, JobState::kSucceeded);
  EXPECT_EQ(end.attempts, 2);
  second->Stop();
}

TEST_F(JobRunnerTest, AJobWhoseWorkersKeepDyingFailsAtTheAttemptCap) {
  Latch release;
  std::atomic<int> starts{0};
  auto stuck = [&](const JobRecord&, JobContext&) {
    ++starts;
    release.Wait();
  };
  auto first = Runner(stuck, 2);
  Queue("j2");
  first->Notify();
  ASSERT_TRUE(Eventually("j2", [](const JobRecord& j) { return j.attempts == 1; }));
  clock_.Advance(1h + 1s);
  auto second = Runner(stuck, 2);
  second->Notify();
  ASSERT_TRUE(Eventually("j2", [](const JobRecord& j) { return j.attempts == 2; }));
  clock_.Advance(1h + 1s);
  // A third runner settles the lapsed second attempt: the cap is reached, the job fails.
  auto third =
      Runner([&](const JobRecord&, JobContext&) { ADD_FAILURE() << "ran a third time"; }, 2);
  third->Notify();
  ASSERT_TRUE(Eventually("j2", [](const JobRecord& j) { return j.state == JobState::kFailed; }));
  EXPECT_EQ(Get("j2").attempts, 2);
  EXPECT_FALSE(Get("j2").error.empty());
  release.Open();
  first->Stop();
  second->Stop();
  third->Stop();
  EXPECT_EQ(starts.load(), 2);
}

TEST_F(JobRunnerTest, AQueuedJobCancelledBeforeAWorkerLooksNeverRuns) {
  Queue("j3");
  ASSERT_EQ(store_->CancelJob("alice", "j3").value().state, JobState::kCancelled);
  std::atomic<int> ran{0};
  auto runner = Runner([&](const JobRecord&, JobContext&) { ++ran; });
  runner->Notify();
  std::this_thread::sleep_for(300ms);
  runner->Stop();
  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(Get("j3").state, JobState::kCancelled);
}

TEST_F(JobRunnerTest, AWaiterHearsOfTheJobsEndOnce) {
  auto runner = Runner([&](const JobRecord& job, JobContext& context) {
    context.ReportProgress(0.5, "half");
    EXPECT_TRUE(store_->FinishJob(job.id, job.attempts, "done").ok());
  });
  std::mutex mutex;
  std::condition_variable told;
  int calls = 0;
  JobState state = JobState::kQueued;
  Queue("j4");
  runner->WhenFinished("alice", "j4", 60s, [&](Result<JobRecord> job) {
    std::lock_guard lock(mutex);
    ++calls;
    if (job.ok()) state = job->state;
    told.notify_all();
  });
  runner->Notify();
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(told.wait_for(lock, 10s, [&] { return calls > 0; }));
  }
  runner->Stop();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(state, JobState::kSucceeded);
}

// Issue 30, finding 4. Two workers (the default) and a lane for a short kind: alice's two
// long jobs take one worker, bob's the other while alice's second waits, and alice's short
// job runs at once although both workers are busy.
TEST_F(JobRunnerTest, OneOwnerTakesAllButOneWorkerAndShortJobsHaveTheirOwnLane) {
  Latch release;
  JobRunnerOptions options;
  options.lease = 1h;
  options.short_kinds = {"short"};
  ASSERT_EQ(options.workers, 2);
  JobRunner runner(*store_, options);
  runner.SetExecutor(kKind, [&](const JobRecord& job, JobContext&) {
    release.Wait();
    EXPECT_TRUE(store_->FinishJob(job.id, job.attempts, "").ok());
  });
  runner.SetExecutor("short", [&](const JobRecord& job, JobContext&) {
    EXPECT_TRUE(store_->FinishJob(job.id, job.attempts, "").ok());
  });
  ASSERT_TRUE(runner.Start().ok());
  auto running = [](const JobRecord& j) { return j.state == JobState::kRunning; };
  auto succeeded = [](const JobRecord& j) { return j.state == JobState::kSucceeded; };
  Queue("a1");
  Queue("a2");
  Queue("b1", "bob");
  runner.Notify();
  EXPECT_TRUE(Eventually("a1", running));
  EXPECT_TRUE(Eventually("b1", running, "bob"));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(Get("a2").state, JobState::kQueued) << "alice already holds all but one worker";
  Queue("s1", "alice", "short");
  runner.Notify();
  EXPECT_TRUE(Eventually("s1", succeeded)) << "a short job waited behind long ones";
  release.Open();
  EXPECT_TRUE(Eventually("a2", succeeded));
  runner.Stop();
}

}  // namespace
}  // namespace diamond::jobs
