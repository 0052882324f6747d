// The contract of a metadata port, run on every SQL engine (SQLite and PostgreSQL; see
// metadata_contract_support.h): MaintenanceStore: a named lease has one holder at a time.
#include "store/metadata_contract_support.h"

namespace diamond::store {
namespace {

class MaintenanceStoreContract : public MetadataStoreContract {};

TEST_P(MaintenanceStoreContract, ALeaseHasOneHolderAtATimeUntilReleasedOrExpired) {
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

INSTANTIATE_TEST_SUITE_P(Engines, MaintenanceStoreContract,
                         ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace diamond::store
