// The contract of a metadata port, run on every SQL engine (SQLite and PostgreSQL; see
// metadata_contract_support.h): AccountStore: users, keys (unique prefixes), usage summed from two
// processes, heartbeats.
#include "store/metadata_contract_support.h"

namespace diamond::store {
namespace {

class AccountStoreContract : public MetadataStoreContract {};

TEST_P(AccountStoreContract, AccountsKeysUsageAndReplicas) {
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

INSTANTIATE_TEST_SUITE_P(Engines, AccountStoreContract, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace diamond::store
