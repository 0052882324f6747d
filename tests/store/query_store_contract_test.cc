// The contract of a metadata port, run on every SQL engine (SQLite and PostgreSQL; see
// metadata_contract_support.h): QueryStore: batches appended concurrently are numbered once.
#include "store/metadata_contract_support.h"

namespace diamond::store {
namespace {

class QueryStoreContract : public MetadataStoreContract {};

TEST_P(QueryStoreContract, ConcurrentBatchesOfOneQueryAreNumberedOnce) {
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

INSTANTIATE_TEST_SUITE_P(Engines, QueryStoreContract, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace diamond::store
