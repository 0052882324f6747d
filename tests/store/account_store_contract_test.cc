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

// Issue 30 (finding 9): no change leaves the service without an enabled admin, even when
// two admins demote each other at the same moment through two processes.
TEST_P(AccountStoreContract, TheLastEnabledAdminIsNeverRemovedEvenByConcurrentDemotions) {
  auto first = OpenStore(), second = OpenStore();
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->CreateUser(UserRecord{"ann", "admin", "free", false, ""}).ok());
  ASSERT_TRUE(first->CreateUser(UserRecord{"bob", "admin", "free", false, ""}).ok());
  const std::optional<std::string> member = "member", admin = "admin";
  EXPECT_TRUE(first->UpdateUser("ann", member, std::nullopt, std::nullopt).ok());
  EXPECT_EQ(second->UpdateUser("bob", member, std::nullopt, std::nullopt).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(second->UpdateUser("bob", std::nullopt, std::nullopt, true).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(second->GetUser("bob")->role, "admin");
  EXPECT_FALSE(second->GetUser("bob")->disabled);
  EXPECT_TRUE(second->UpdateUser("bob", std::nullopt, "pro", std::nullopt).ok())
      << "other changes to the last admin are fine";

  SqlMetadataStore* stores[] = {first.get(), second.get()};
  const char* names[] = {"ann", "bob"};
  for (int round = 0; round < 20; ++round) {
    ASSERT_TRUE(first->UpdateUser("ann", admin, std::nullopt, false).ok());
    std::atomic<int> go{0};
    Status results[2];
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        ++go;
        while (go.load() < 2) {
        }
        // One demotes, the other disables: both would remove the last other admin.
        results[t] = t == 0 ? stores[t]->UpdateUser(names[t], member, std::nullopt, std::nullopt)
                            : stores[t]->UpdateUser(names[t], std::nullopt, std::nullopt, true);
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_NE(results[0].ok(), results[1].ok())
        << "round " << round << ": " << results[0].message() << " / " << results[1].message();
    int64_t enabled_admins = 0;
    auto users = first->ListUsers();  // named: a loop over *temporary would dangle
    ASSERT_TRUE(users.ok());
    for (const UserRecord& user : *users) {
      enabled_admins += user.role == "admin" && !user.disabled;
    }
    ASSERT_EQ(enabled_admins, 1) << "round " << round;
    // Back to two enabled admins for the next round.
    ASSERT_TRUE(first->UpdateUser("ann", admin, std::nullopt, false).ok());
    ASSERT_TRUE(first->UpdateUser("bob", admin, std::nullopt, false).ok());
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, AccountStoreContract, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace diamond::store
