// The contract of a metadata port, run on every SQL engine (SQLite and PostgreSQL; see
// metadata_contract_support.h): JobQueue and BatchPartStore: every job claimed once, leases lapsing
// up to the attempt cap, attempts fencing late workers, operators' listings, batch parts fenced by
// attempt.
#include "store/metadata_contract_support.h"

namespace diamond::store {
namespace {

class JobQueueContract : public MetadataStoreContract {};

// A batch job's parts: recorded only by the attempt that holds the job, listed in order,
// kept from the blob GC, and the job finishes succeeded with its detail.
TEST_P(JobQueueContract, BatchPartsAreFencedByAttemptAndReferenced) {
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

// Fair claiming (issue 30, finding 4): the owner with the fewest jobs running goes first, an
// owner at the cap gets nothing more while another's job waits or not, short kinds pass the
// cap without counting toward it, and a lane claims its kinds only. Claims from two store
// objects (two processes on PostgreSQL) see one count.
TEST_P(JobQueueContract, ClaimsAreFairBetweenOwnersAndShortKindsNeverWait) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  // Queued in this order: alice's three, then bob's one, then alice's upload completion.
  for (const char* id : {"j1", "j2", "j3"})
    ASSERT_TRUE(first->QueueJob(TrainingJob("alice", id, "m")).ok());
  ASSERT_TRUE(first->QueueJob(TrainingJob("bob", "j4", "m")).ok());
  JobRecord upload = TrainingJob("alice", "j5", "");
  upload.kind = "upload-complete";
  ASSERT_TRUE(first->QueueJob(upload).ok());

  JobQueue::JobClaim claim{"w", 60000, 3};
  claim.max_running_per_owner = 1;
  claim.short_kinds = {"upload-complete"};
  auto claim_id = [&](JobQueue& store, const JobQueue::JobClaim& c) -> std::string {
    auto job = store.ClaimNextJob(c);
    EXPECT_TRUE(job.ok()) << job.status().message();
    return job.ok() && job->has_value() ? (*job)->id : "";
  };
  EXPECT_EQ(claim_id(*first, claim), "j1");  // oldest first while nobody runs anything
  // Bob runs nothing, alice one: bob's job goes before alice's older ones.
  EXPECT_EQ(claim_id(*second, claim), "j4");
  // Alice is at the cap: her trainings wait, her upload completion does not.
  EXPECT_EQ(claim_id(*first, claim), "j5");
  EXPECT_EQ(claim_id(*second, claim), "") << "alice is at her cap of one running job";
  // Without a cap she gets the next one (the short job running does not count either way).
  JobQueue::JobClaim uncapped{"w", 60000, 3};
  EXPECT_EQ(claim_id(*first, uncapped), "j2");
  // When her first ends, she is over the cap still (j2 runs); when j2 ends too, j3 is hers.
  ASSERT_TRUE(first->FinishJob("j1", 1, "{}").ok());
  EXPECT_EQ(claim_id(*second, claim), "");
  ASSERT_TRUE(second->FinishJob("j2", 1, "{}").ok());
  EXPECT_EQ(claim_id(*second, claim), "j3");

  // A lane claims only its kinds, whatever else waits.
  JobQueue::JobClaim lane = claim;
  lane.only_kinds = {"upload-complete"};
  ASSERT_TRUE(first->QueueJob(TrainingJob("carol", "j6", "m")).ok());
  EXPECT_EQ(claim_id(*first, lane), "");
  JobRecord later_upload = TrainingJob("alice", "j7", "");
  later_upload.kind = "upload-complete";
  ASSERT_TRUE(first->QueueJob(later_upload).ok());
  EXPECT_EQ(claim_id(*second, lane), "j7");
  EXPECT_EQ(claim_id(*second, claim), "j6");
}

// Operators see every owner's jobs (GET /admin/jobs), narrowed by any of id, owner, state
// and kind, newest first, with the total for paging.
TEST_P(JobQueueContract, EveryOwnersJobsAreListedForOperatorsByAnyFilter) {
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

TEST_P(JobQueueContract, EveryQueuedJobIsClaimedExactlyOnce) {
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

TEST_P(JobQueueContract, AJobWhoseWorkerKeepsDyingFailsAfterTheAttemptCap) {
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

TEST_P(JobQueueContract, ALateWorkerCannotOverwriteANewerAttempt) {
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
  EXPECT_EQ(first->FinishTraining("j1", 1, "models/u/m/j1-a1.json", "d", 1, "{}", true, 5).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(first->FailJob("j1", 1, "stale failure").code(), StatusCode::kFailedPrecondition);
  auto running = second->GetJob("u", "j1");
  ASSERT_TRUE(running.ok());
  EXPECT_EQ(running->state, JobState::kRunning);
  EXPECT_NE(running->progress_detail, "stale");
  ASSERT_TRUE(second->FinishTraining("j1", 2, "models/u/m/j1-a2.json", "d", 1, "{}", true, 5).ok());
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

INSTANTIATE_TEST_SUITE_P(Engines, JobQueueContract, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace diamond::store
