// The contract of a metadata port, run on every SQL engine (SQLite and PostgreSQL; see
// metadata_contract_support.h): ModelStore: the change log other replicas poll.
#include "store/metadata_contract_support.h"

namespace diamond::store {
namespace {

class ModelStoreContract : public MetadataStoreContract {};

TEST_P(ModelStoreContract, ModelChangesAreListedInOrderForTheOtherReplicas) {
  auto store = OpenStore(), other = OpenStore();
  ASSERT_TRUE(store && other);
  const int64_t start = other->ModelChangesSince(INT64_MAX)->latest;
  ASSERT_TRUE(
      store->StartTraining("m", "{}", TrainingJob("u", "j1", "m"), {10, 10}).ok());  // new model
  auto job = store->ClaimNextJob({"w", 60000, 3});
  ASSERT_TRUE(job.ok() && job->has_value());
  ASSERT_TRUE(store->FinishTraining("j1", 1, "models/u/m/j1-a1.json", "d", 1, "{}", true, 5).ok());
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

// Issue 25: every training is a version; the newest five are kept (older ones leave the
// referenced blobs), the champion moves with each training and back with a rollback, each
// move is in the history, a rollback reaches the other store object's change log, and
// version numbers are never reused.
TEST_P(ModelStoreContract, TrainingsAreVersionsKeptFiveDeepAndTheChampionRollsBack) {
  auto store = OpenStore(), other = OpenStore();
  ASSERT_TRUE(store && other);
  auto train = [&](int n, bool promote = true) {
    const std::string job_id = Name("j", n);
    ASSERT_TRUE(
        store
            ->StartTraining("m", Name("{\"n\": ", n) + "}", TrainingJob("u", job_id, "m"), {10, 10})
            .ok());
    auto job = store->ClaimNextJob({"w", 60000, 3});
    ASSERT_TRUE(job.ok() && job->has_value());
    ASSERT_TRUE(
        store->FinishTraining(job_id, 1, Name("models/u/m/", n), "d", n, "{}", promote, 5).ok());
  };
  for (int n = 1; n <= 7; ++n) train(n);
  auto versions = other->ListModelVersions("u", "m");
  ASSERT_TRUE(versions.ok()) << versions.status().message();
  ASSERT_EQ(versions->size(), 5u);
  EXPECT_EQ(versions->front().version, 7);
  EXPECT_TRUE(versions->front().champion);
  EXPECT_EQ(versions->back().version, 3);
  EXPECT_FALSE(versions->back().champion);
  EXPECT_EQ(versions->back().artifact_key, "models/u/m/3");
  EXPECT_EQ(versions->back().dataset_version, 3);
  EXPECT_EQ(versions->back().request_json, "{\"n\": 3}");
  auto referenced = other->ReferencedBlobKeys();
  ASSERT_TRUE(referenced.ok());
  auto references = [&](const std::string& key) {
    return std::count(referenced->begin(), referenced->end(), key) > 0;
  };
  EXPECT_TRUE(references("models/u/m/3"));
  EXPECT_FALSE(references("models/u/m/2")) << "pruned versions' files are the GC's";
  EXPECT_EQ(other->ListModelVersions("v", "m").status().code(), StatusCode::kNotFound);

  const int64_t seen = other->ModelChangesSince(INT64_MAX)->latest;
  auto back = store->MoveAlias("u", "m", "champion", 0, "u", "bad upload");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->version, 6);
  EXPECT_EQ(back->artifact_key, "models/u/m/6");
  EXPECT_EQ(back->dataset_version, 6);
  EXPECT_EQ(other->GetModel("u", "m")->artifact_key, "models/u/m/6");
  EXPECT_EQ(other->ModelChangesSince(seen)->models.size(), 1u) << "replicas drop their copy";
  // Twice is back where it started; an explicit version, a missing one, the champion.
  EXPECT_EQ(store->MoveAlias("u", "m", "champion", 0, "u", "undo")->version, 7);
  EXPECT_EQ(store->MoveAlias("u", "m", "champion", 4, "admin", "rollback")->version, 4);
  EXPECT_EQ(store->MoveAlias("u", "m", "champion", 2, "u", "x").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store->MoveAlias("u", "m", "champion", 4, "u", "x").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->MoveAlias("v", "m", "champion", 3, "v", "x").status().code(),
            StatusCode::kNotFound);

  auto history = other->AliasHistory("u", "m");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 10u);  // seven trainings, three moves back
  EXPECT_EQ((*history)[0].from_version, 7);
  EXPECT_EQ((*history)[0].to_version, 4);
  EXPECT_EQ((*history)[0].actor, "admin");
  EXPECT_EQ((*history)[2].reason, "bad upload");
  EXPECT_EQ((*history)[3].reason, "training job j7");
  EXPECT_EQ(history->back().from_version, 0);
  EXPECT_EQ(history->back().to_version, 1);
  EXPECT_EQ(history->back().alias, "champion");

  // The next training numbers on from the newest (8, not 5) and is the champion.
  train(8);
  versions = other->ListModelVersions("u", "m");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->front().version, 8);
  EXPECT_TRUE(versions->front().champion);
  EXPECT_EQ(versions->back().version, 4);
  EXPECT_EQ(other->GetModel("u", "m")->version, 8);

  // Another alias keeps its version; a training that is not promoted leaves the champion.
  ASSERT_TRUE(store->MoveAlias("u", "m", "challenger", 5, "u", "compare").ok());
  EXPECT_EQ(store->MoveAlias("u", "m", "challenger", 5, "u", "x").status().code(),
            StatusCode::kFailedPrecondition);
  for (int n = 9; n <= 13; ++n) train(n, /*promote=*/false);
  EXPECT_EQ(other->GetModel("u", "m")->version, 8);
  EXPECT_EQ(other->GetModel("u", "m")->artifact_key, "models/u/m/8");
  versions = other->ListModelVersions("u", "m");
  ASSERT_TRUE(versions.ok());
  std::vector<int64_t> kept;
  for (const auto& v : *versions) kept.push_back(v.version);
  EXPECT_EQ(kept, (std::vector<int64_t>{13, 12, 11, 10, 9, 8, 5}));
  EXPECT_TRUE((*versions)[5].champion);
  EXPECT_EQ(versions->back().aliases, std::vector<std::string>{"challenger"});
  EXPECT_TRUE(versions->front().aliases.empty());
  ASSERT_TRUE(store->MoveAlias("u", "m", "challenger", 0, "u", "done").ok());
  EXPECT_EQ(store->MoveAlias("u", "m", "challenger", 0, "u", "again").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(other->AliasHistory("u", "m")->front().to_version, 0);  // removed

  auto keys = store->DeleteModel("u", "m");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 7u) << "every kept version's file goes with the model";
  EXPECT_EQ(other->ListModelVersions("u", "m").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(other->AliasHistory("u", "m").status().code(), StatusCode::kNotFound);
}

// Issue 25: a dataset version is kept while any kept model version was trained on it (not
// only the champion), so an old version can still be reproduced after its dataset was
// deleted; deleting or pruning the last such model version releases it. A version is
// deleted only when no alias names it.
TEST_P(ModelStoreContract, DatasetVersionsStayWhileAnyKeptModelVersionWasTrainedOnThem) {
  auto store = OpenStore(), other = OpenStore();
  ASSERT_TRUE(store && other);
  for (int64_t v = 1; v <= 3; ++v) {
    ASSERT_TRUE(store->CommitDatasetVersion("u", "d", v - 1, Version(v, Name("seg", v)), {}).ok());
  }
  auto train = [&](int n, int64_t dataset_version) {
    const std::string job_id = Name("j", n);
    ASSERT_TRUE(store->StartTraining("m", "{}", TrainingJob("u", job_id, "m"), {10, 10}).ok());
    auto job = store->ClaimNextJob({"w", 60000, 3});
    ASSERT_TRUE(job.ok() && job->has_value());
    ASSERT_TRUE(
        store
            ->FinishTraining(job_id, 1, Name("models/u/m/", n), "d", dataset_version, "{}", true, 5)
            .ok());
  };
  train(1, 1);
  train(2, 2);
  train(3, 3);  // the champion; versions 1 and 2 of the model name dataset versions 1 and 2

  // A live dataset's version that an older model version names is not deleted...
  auto refused = store->DeleteDatasetVersion("u", "d", 1);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("version 1 of model 'm'"), std::string::npos)
      << refused.status().message();
  // ...and deleting the dataset keeps every version a kept model version names.
  ASSERT_TRUE(store->DeleteDataset("u", "d").ok());
  for (int64_t v = 1; v <= 3; ++v) {
    auto kept = other->GetDatasetVersion("u", "d", v);
    ASSERT_TRUE(kept.ok()) << v << ": " << kept.status().message();
    ASSERT_EQ(kept->segments.size(), 1u);
    EXPECT_EQ(kept->segments[0].blob_key, Name("seg", v));
  }
  EXPECT_EQ(other->GetDatasetVersion("u", "d", 4).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(other->GetDatasetVersion("v", "d", 1).status().code(), StatusCode::kNotFound);

  // The champion and an aliased version cannot be deleted; another can, and the dataset
  // version kept only for it goes with it (its segment returned to be deleted).
  EXPECT_EQ(store->DeleteModelVersion("u", "m", 3).status().code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store->MoveAlias("u", "m", "challenger", 2, "u", "keep").ok());
  auto aliased = store->DeleteModelVersion("u", "m", 2);
  EXPECT_EQ(aliased.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(aliased.status().message().find("challenger"), std::string::npos);
  EXPECT_EQ(store->DeleteModelVersion("u", "m", 9).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->DeleteModelVersion("v", "m", 1).status().code(), StatusCode::kNotFound);
  auto keys = store->DeleteModelVersion("u", "m", 1);
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  EXPECT_EQ(*keys, (std::vector<std::string>{"models/u/m/1", "seg1"}));
  EXPECT_EQ(other->GetDatasetVersion("u", "d", 1).status().code(), StatusCode::kNotFound);
  std::vector<int64_t> kept;
  auto listed = other->ListModelVersions("u", "m");  // named: a loop over *temporary dangles
  ASSERT_TRUE(listed.ok());
  for (const auto& v : *listed) kept.push_back(v.version);
  EXPECT_EQ(kept, (std::vector<int64_t>{3, 2}));

  // Pruning releases too: five more trainings push version 2 out once its alias goes.
  ASSERT_TRUE(store->MoveAlias("u", "m", "challenger", 0, "u", "done").ok());
  ASSERT_TRUE(store->CommitDatasetVersion("u", "e", 0, Version(1, "seg-e"), {}).ok());
  for (int n = 4; n <= 8; ++n) {
    const std::string job_id = Name("j", n);
    ASSERT_TRUE(store->StartTraining("m", "{}", TrainingJob("u", job_id, "m"), {10, 10}).ok());
    ASSERT_TRUE(store->ClaimNextJob({"w", 60000, 3})->has_value());
    ASSERT_TRUE(
        store->FinishTraining(job_id, 1, Name("models/u/m/", n), "e", 1, "{}", true, 5).ok());
  }
  EXPECT_EQ(other->GetDatasetVersion("u", "d", 2).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(other->GetDatasetVersion("u", "d", 3).status().code(), StatusCode::kNotFound);
  auto referenced = other->ReferencedBlobKeys();
  ASSERT_TRUE(referenced.ok());
  EXPECT_EQ(std::count(referenced->begin(), referenced->end(), "seg2"), 0);
  EXPECT_EQ(std::count(referenced->begin(), referenced->end(), "seg-e"), 1);
}

// A reproduction is a job counted like a training; its result is recorded on the version,
// fenced by the attempt, and the job ends with the detail.
TEST_P(ModelStoreContract, AReproductionIsRecordedOnItsVersion) {
  auto store = OpenStore(), other = OpenStore();
  ASSERT_TRUE(store && other);
  ASSERT_TRUE(store->StartTraining("m", "{}", TrainingJob("u", "j1", "m"), {10, 10}).ok());
  ASSERT_TRUE(store->ClaimNextJob({"w", 60000, 3})->has_value());
  ASSERT_TRUE(store->FinishTraining("j1", 1, "models/u/m/1", "d", 1, "{}", true, 5).ok());

  JobRecord job = TrainingJob("u", "r1", "m");
  job.kind = "reproduce";
  EXPECT_EQ(store->StartReproduction(job, 2, {10, 10}).code(), StatusCode::kNotFound);
  JobRecord others = TrainingJob("v", "r0", "m");
  EXPECT_EQ(store->StartReproduction(others, 1, {10, 10}).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store->StartReproduction(job, 1, {10, 1}).ok());
  JobRecord second = job;
  second.id = "r2";
  EXPECT_EQ(store->StartReproduction(second, 1, {10, 1}).code(), StatusCode::kQuotaExceeded)
      << "one job at a time on this plan";
  auto claimed = store->ClaimNextJob({"w", 60000, 3});
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  EXPECT_EQ((*claimed)->kind, "reproduce");
  EXPECT_EQ(store->FinishReproduction("r1", 2, 1, "{}", "x").code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store->FinishReproduction("r1", 1, 1, R"({"identical": true})", "identical").ok());
  auto versions = other->ListModelVersions("u", "m");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->front().reproduction_json, R"({"identical": true})");
  auto finished = other->GetJob("u", "r1");
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(finished->state, JobState::kSucceeded);
  EXPECT_EQ(finished->progress_detail, "identical");
  EXPECT_EQ(store->FinishReproduction("r1", 1, 1, "{}", "again").code(),
            StatusCode::kFailedPrecondition);
}

// The number of versions kept is the caller's (the owner's plan): the newest that many,
// plus the champion wherever it is.
TEST_P(ModelStoreContract, AsManyVersionsAreKeptAsThePlanSays) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto train = [&](int n, bool promote, int64_t kept) {
    const std::string job_id = Name("j", n);
    ASSERT_TRUE(store->StartTraining("m", "{}", TrainingJob("u", job_id, "m"), {10, 10}).ok());
    ASSERT_TRUE(store->ClaimNextJob({"w", 60000, 3})->has_value());
    ASSERT_TRUE(
        store->FinishTraining(job_id, 1, Name("models/u/m/", n), "d", 1, "{}", promote, kept).ok());
  };
  for (int n = 1; n <= 4; ++n) train(n, true, 5);
  ASSERT_EQ(store->MoveAlias("u", "m", "champion", 2, "u", "back")->version, 2);
  train(5, false, 2);
  std::vector<int64_t> kept;
  {
    auto listed = store->ListModelVersions("u", "m");  // named: *temporary would dangle
    ASSERT_TRUE(listed.ok());
    for (const auto& v : *listed) kept.push_back(v.version);
  }
  EXPECT_EQ(kept, (std::vector<int64_t>{5, 4, 2}));
  train(6, true, 1);
  kept.clear();
  {
    auto listed = store->ListModelVersions("u", "m");  // named: *temporary would dangle
    ASSERT_TRUE(listed.ok());
    for (const auto& v : *listed) kept.push_back(v.version);
  }
  EXPECT_EQ(kept, (std::vector<int64_t>{6}));
}

INSTANTIATE_TEST_SUITE_P(Engines, ModelStoreContract, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace diamond::store
