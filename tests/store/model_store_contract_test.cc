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

INSTANTIATE_TEST_SUITE_P(Engines, ModelStoreContract, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace diamond::store
