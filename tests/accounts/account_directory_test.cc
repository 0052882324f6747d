#include "accounts/account_directory.h"

#include <gtest/gtest.h>

#include "accounts/account_admin.h"
#include "store/sql_metadata_store.h"
#include "support/test_support.h"

namespace diamond::accounts {
namespace {

class DirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sql_ = std::move(store::SqlMetadataStore::OpenSqlite(":memory:")).value();
    ASSERT_TRUE(CreateUser(*sql_, "alice", "member", "pro").ok());
    ASSERT_TRUE(CreateUser(*sql_, "root", "admin", "enterprise").ok());
    alice_ = std::move(IssueKey(*sql_, "alice", "laptop")).value();
    root_ = std::move(IssueKey(*sql_, "root", "")).value();
    ASSERT_TRUE(directory_.Reload(*sql_, meter_).ok());
  }

  std::unique_ptr<store::SqlMetadataStore> sql_;
  Meter meter_;
  AccountDirectory directory_;
  IssuedKey alice_, root_;
};

TEST_F(DirectoryTest, AuthenticatesKeysToTheirUserRoleAndPlan) {
  AuthResult a = directory_.Authenticate(alice_.key);
  ASSERT_EQ(a.failure, AuthFailure::kNone);
  EXPECT_EQ(a.principal->user_id, "alice");
  EXPECT_FALSE(a.principal->is_admin());
  EXPECT_EQ(a.principal->plan.name, "pro");
  EXPECT_EQ(a.principal->plan.requests_per_second, 50);
  EXPECT_EQ(a.principal->key_prefix, alice_.key.substr(0, 12));
  AuthResult r = directory_.Authenticate(root_.key);
  ASSERT_EQ(r.failure, AuthFailure::kNone);
  EXPECT_TRUE(r.principal->is_admin());
  // Both of alice's keys share her counters; each key has its own bucket.
  IssuedKey second = std::move(IssueKey(*sql_, "alice", "ci")).value();
  ASSERT_TRUE(directory_.Reload(*sql_, meter_).ok());
  AuthResult b = directory_.Authenticate(second.key);
  ASSERT_EQ(b.failure, AuthFailure::kNone);
  EXPECT_EQ(b.principal->counters, directory_.Authenticate(alice_.key).principal->counters);
  EXPECT_NE(b.principal->key_state, directory_.Authenticate(alice_.key).principal->key_state);
}

TEST_F(DirectoryTest, SaysWhyAKeyIsRefused) {
  EXPECT_EQ(directory_.Authenticate("").failure, AuthFailure::kMissing);
  EXPECT_EQ(directory_.Authenticate("secret").failure, AuthFailure::kMalformed);
  std::string forged = alice_.key;  // same prefix, different secret
  forged.back() = forged.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(directory_.Authenticate(forged).failure, AuthFailure::kUnknown);
  EXPECT_EQ(directory_.Authenticate("dmd_" + std::string(40, 'f')).failure, AuthFailure::kUnknown);

  ASSERT_TRUE(sql_->RevokeKey("alice", alice_.record.id).ok());
  // (Another admin first: the last enabled admin cannot be disabled.)
  ASSERT_TRUE(CreateUser(*sql_, "root2", "admin", "free").ok());
  ASSERT_TRUE(UpdateUser(*sql_, "root", std::nullopt, std::nullopt, true).ok());
  // Until the reload the old snapshot answers; after it, the new state.
  EXPECT_EQ(directory_.Authenticate(alice_.key).failure, AuthFailure::kNone);
  ASSERT_TRUE(directory_.Reload(*sql_, meter_).ok());
  EXPECT_EQ(directory_.Authenticate(alice_.key).failure, AuthFailure::kRevoked);
  EXPECT_EQ(directory_.Authenticate(root_.key).failure, AuthFailure::kDisabled);
}

TEST_F(DirectoryTest, BucketsAndCountersSurviveAReload) {
  auto before = directory_.Authenticate(alice_.key).principal;
  ASSERT_TRUE(Meter::ChargeRows(*before->counters, 5, 100).ok());
  ASSERT_TRUE(directory_.Reload(*sql_, meter_).ok());
  auto after = directory_.Authenticate(alice_.key).principal;
  EXPECT_EQ(after->counters->month_rows.load(), 5);
  EXPECT_EQ(after->key_state, before->key_state);
}

TEST(AccountAdmin, ValidatesWhatAnOperatorTypes) {
  auto sql = std::move(store::SqlMetadataStore::OpenSqlite(":memory:")).value();
  EXPECT_EQ(CreateUser(*sql, "bad/id", "member", "free").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateUser(*sql, "ok", "root", "free").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateUser(*sql, "ok", "member", "platinum").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(CreateUser(*sql, "ok", "member", "free").ok());
  EXPECT_EQ(CreateUser(*sql, "ok", "member", "free").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(IssueKey(*sql, "nobody", "").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(IssueKey(*sql, "ok", "tab\there").status().code(), StatusCode::kInvalidArgument);
  PlanRecord plan = UnlimitedPlan("big");
  EXPECT_TRUE(ValidatePlan(plan).ok());
  plan.price_per_1k_rows = -1;
  EXPECT_FALSE(ValidatePlan(plan).ok());
  EXPECT_TRUE(IsValidMonth("2026-11"));
  for (const char* bad : {"2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-11-01"}) {
    EXPECT_FALSE(IsValidMonth(bad)) << bad;
  }
}

TEST(AccountAdmin, TheFirstAdminIsCreatedOnceWithAPrivateKeyFile) {
  testing::TempDir dir;
  auto sql = std::move(store::SqlMetadataStore::OpenSqlite(":memory:")).value();
  auto created = EnsureFirstAdmin(*sql, dir / "admin.key");
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_TRUE(*created);
  const std::string key = testing::ReadFile(dir / "admin.key");
  EXPECT_TRUE(IsWellFormedKey(key.substr(0, key.size() - 1)));
  EXPECT_EQ(std::filesystem::status(dir / "admin.key").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_FALSE(*EnsureFirstAdmin(*sql, dir / "admin.key"));
  EXPECT_EQ(testing::ReadFile(dir / "admin.key"), key);
}

}  // namespace
}  // namespace diamond::accounts
