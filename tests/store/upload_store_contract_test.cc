// The contract of a metadata port, run on every SQL engine (SQLite and PostgreSQL; see
// metadata_contract_support.h): UploadStore: parts under one handle at a time, one commit per
// upload, completion by its own job.
#include "store/metadata_contract_support.h"

namespace diamond::store {
namespace {

class UploadStoreContract : public MetadataStoreContract {};

// Two completions of one upload racing from two processes: one version, one winner; the
// loser is told the upload is completed. Parts are replaced by number and referenced.
TEST_P(UploadStoreContract, AnUploadCommitsOnceAndItsPartsAreReplacedAndReferenced) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  UploadRecord upload{"u",
                      "up",
                      "d",
                      UploadFormat::kCsv,
                      UploadMode::kReplace,
                      UploadState::kOpen,
                      0,
                      "now",
                      INT64_MAX,
                      "",
                      "",
                      "",
                      ""};
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
  EXPECT_EQ(done->state, UploadState::kCompleted);
  EXPECT_EQ(done->dataset_version, 1);
  EXPECT_EQ(
      second->PutUploadPart("u", "up", UploadPart{3, 1, "dd", "up/3", ""}, "").status().code(),
      StatusCode::kFailedPrecondition);
  auto versions = second->ListDatasetVersions("u", "d");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 1u);

  ASSERT_TRUE(
      first
          ->CreateUpload(UploadRecord{"u", "old", "d", UploadFormat::kCsv, UploadMode::kReplace,
                                      UploadState::kOpen, 0, "then", 5, "", "", "", ""})
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
TEST_P(UploadStoreContract, AnUploadsPartsAreClosedAndReopenedUnderOneHandleAtATime) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  UploadRecord upload{"u",
                      "up",
                      "d",
                      UploadFormat::kCsv,
                      UploadMode::kReplace,
                      UploadState::kOpen,
                      0,
                      "now",
                      INT64_MAX,
                      "",
                      "",
                      "uploads/u/up/a",
                      "h1"};
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
TEST_P(UploadStoreContract, AnUploadCompletedByAJobIsQueuedOnceAndCommittedOnlyByIt) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(
      first
          ->CreateUpload(UploadRecord{"u", "up", "d", UploadFormat::kCsv, UploadMode::kReplace,
                                      UploadState::kOpen, 0, "now", INT64_MAX, "", "", "", ""})
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
  EXPECT_EQ(second->GetUpload("u", "up")->state, UploadState::kCompleting);
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
  EXPECT_EQ(reopened->state, UploadState::kOpen);
  EXPECT_EQ(reopened->error_json, R"({"status": 422})");
  EXPECT_EQ(reopened->job_id, "c1");
  auto retried = second->QueueUploadCompletion("u", "up", other);
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried->id, "c2");
  EXPECT_EQ(second->GetUpload("u", "up")->error_json, "");
  // A stale job cannot fail or commit the new one's completion.
  ASSERT_TRUE(first->FailUploadCompletion("u", "up", "c1", "{}").ok());
  EXPECT_EQ(second->GetUpload("u", "up")->state, UploadState::kCompleting);
  EXPECT_EQ(second->CommitUploadedVersion("u", "up", "c1", 0, Version(1, "d/y"), {INT64_MAX, 100})
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(
      second->CommitUploadedVersion("u", "up", "c2", 0, Version(1, "d/z"), {INT64_MAX, 100}).ok());
  EXPECT_EQ(first->GetUpload("u", "up")->state, UploadState::kCompleted);
  EXPECT_EQ(first->QueueUploadCompletion("u", "up", job).status().code(),
            StatusCode::kFailedPrecondition);
}

INSTANTIATE_TEST_SUITE_P(Engines, UploadStoreContract, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace diamond::store
