// Accounts as a replica sees them: a key issued elsewhere (another replica, `diamond admin`)
// must work on its very first use here, however many unknown keys arrive at the same
// moment. The store is shared SQLite in memory; "elsewhere" is writing to it directly.
#include "accounts/accounts.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "accounts/account_admin.h"
#include "store/sql_metadata_store.h"

namespace diamond::accounts {
namespace {

TEST(AccountsTest, AKeyIssuedElsewhereWorksOnItsFirstUseDuringAFloodOfUnknownKeys) {
  auto sql = std::move(store::SqlMetadataStore::OpenSqlite(":memory:")).value();
  ASSERT_TRUE(sql->PutPlan(UnlimitedPlan("small")).ok());
  ASSERT_TRUE(CreateUser(*sql, "alice", "member", "small").ok());
  auto accounts = std::move(Accounts::Open(*sql, *sql)).value();

  // Other clients keep presenting keys nobody issued, each miss looking at the store.
  std::atomic<bool> stop{false};
  std::atomic<int64_t> flood_looks{0};
  std::vector<std::thread> flood;
  for (int t = 0; t < 4; ++t) {
    flood.emplace_back([&] {
      const std::string unknown = GenerateApiKey().key;
      while (!stop.load()) {
        if (accounts->directory().Authenticate(unknown).failure == AuthFailure::kUnknown) {
          accounts->ReloadIfChangedAfterMiss();
          flood_looks.fetch_add(1);
        }
      }
    });
  }
  // Each new key is used at once, before the once-every-100-ms poll is likely to have
  // reloaded: the miss itself must bring it in.
  int refused = 0;
  for (int i = 0; i < 30; ++i) {
    std::string label = "key ";
    label += std::to_string(i);
    const std::string key = IssueKey(*sql, "alice", label).value().key;
    AuthResult auth = accounts->directory().Authenticate(key);
    if (auth.failure == AuthFailure::kUnknown && accounts->ReloadIfChangedAfterMiss()) {
      auth = accounts->directory().Authenticate(key);
    }
    if (auth.failure != AuthFailure::kNone) ++refused;
  }
  stop.store(true);
  for (auto& t : flood) t.join();
  EXPECT_EQ(refused, 0);
  EXPECT_GT(flood_looks.load(), 0);
  // Still unknown after all that: a miss does not make a key.
  const std::string never_issued = GenerateApiKey().key;
  EXPECT_TRUE(accounts->ReloadIfChangedAfterMiss());
  EXPECT_EQ(accounts->directory().Authenticate(never_issued).failure, AuthFailure::kUnknown);
}

}  // namespace
}  // namespace diamond::accounts
