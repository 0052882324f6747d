#include "accounts/meter.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/sql_metadata_store.h"

namespace diamond::accounts {
namespace {

// The real SQL store, with AddUsage made to fail on demand (a full disk, a lost database).
class FlakyUsageStore final : public store::AccountStore {
 public:
  explicit FlakyUsageStore(store::SqlMetadataStore& real) : real_(real) {}
  bool fail = false;

  Result<int64_t> Generation() override { return real_.Generation(); }
  Status CreateUser(const UserRecord& u) override { return real_.CreateUser(u); }
  Result<UserRecord> GetUser(const std::string& id) override { return real_.GetUser(id); }
  Result<std::vector<UserRecord>> ListUsers() override { return real_.ListUsers(); }
  Status UpdateUser(const std::string& id, const std::optional<std::string>& r,
                    const std::optional<std::string>& p, const std::optional<bool>& d) override {
    return real_.UpdateUser(id, r, p, d);
  }
  Result<int64_t> CountUsers() override { return real_.CountUsers(); }
  Status CreateKey(const ApiKeyRecord& k) override { return real_.CreateKey(k); }
  Result<std::vector<ApiKeyRecord>> ListKeys(const std::string& u) override {
    return real_.ListKeys(u);
  }
  Status RevokeKey(const std::string& u, const std::string& k) override {
    return real_.RevokeKey(u, k);
  }
  Status TouchKeys(const std::vector<std::pair<std::string, std::string>>& used) override {
    return real_.TouchKeys(used);
  }
  Result<std::vector<PlanRecord>> ListPlans() override { return real_.ListPlans(); }
  Status PutPlan(const PlanRecord& p) override { return real_.PutPlan(p); }
  Status AddUsage(const std::vector<UsageRecord>& d) override {
    if (fail) return Status::IoError("disk full");
    return real_.AddUsage(d);
  }
  Result<std::vector<UsageRecord>> UsageForMonth(const std::string& m) override {
    return real_.UsageForMonth(m);
  }
  Status Heartbeat(const ReplicaRecord& r) override { return real_.Heartbeat(r); }
  Status RemoveReplica(const std::string& id) override { return real_.RemoveReplica(id); }
  Result<std::vector<ReplicaRecord>> ListReplicas() override { return real_.ListReplicas(); }

 private:
  store::SqlMetadataStore& real_;
};

class MeterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sql_ = std::move(store::SqlMetadataStore::OpenSqlite(":memory:")).value();
    store_ = std::make_unique<FlakyUsageStore>(*sql_);
    ASSERT_TRUE(meter_.Load(*store_, "2026-11").ok());
  }
  int64_t RowsOn(const std::string& month, const std::string& user) {
    int64_t rows = 0;
    auto usage = store_->UsageForMonth(month);  // named: a range-for over *temporary would dangle
    for (const auto& r : *usage) {
      if (r.user_id == user) rows += r.predicted_rows;
    }
    return rows;
  }

  std::unique_ptr<store::SqlMetadataStore> sql_;
  std::unique_ptr<FlakyUsageStore> store_;
  Meter meter_;
};

TEST_F(MeterTest, TheQuotaIsExactUnderConcurrency) {
  auto alice = meter_.CountersFor("alice");
  std::atomic<int64_t> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        if (Meter::ChargeRows(*alice, 3, 10000).ok()) granted += 3;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 9999);  // 3333 charges of 3 fit under 10,000; not one more
  EXPECT_EQ(alice->month_rows.load(), 9999);
  Status refused = Meter::ChargeRows(*alice, 2, 10000);
  EXPECT_EQ(refused.code(), StatusCode::kQuotaExceeded);
  EXPECT_EQ(refused.limit(), "monthly_predicted_rows");
  EXPECT_EQ(refused.limit_value(), 10000);
  EXPECT_TRUE(Meter::ChargeRows(*alice, 1, 10000).ok());
  ASSERT_TRUE(meter_.Flush(*store_, *sql_, "2026-11-26", "2026-11-26T10:00:00.000Z").ok());
  EXPECT_EQ(RowsOn("2026-11", "alice"), 10000);
}

TEST_F(MeterTest, AFailedFlushKeepsTheCountsForTheNextOne) {
  auto bob = meter_.CountersFor("bob");
  ASSERT_TRUE(Meter::ChargeRows(*bob, 7, 100).ok());
  meter_.AddTrainingSeconds("bob", 1.5);
  store_->fail = true;
  EXPECT_FALSE(meter_.Flush(*store_, *sql_, "2026-11-26", "t").ok());
  ASSERT_TRUE(Meter::ChargeRows(*bob, 2, 100).ok());
  store_->fail = false;
  ASSERT_TRUE(meter_.Flush(*store_, *sql_, "2026-11-26", "t").ok());
  EXPECT_EQ(RowsOn("2026-11", "bob"), 9);
  double seconds = 0;
  auto usage = store_->UsageForMonth("2026-11");
  for (const auto& r : *usage) seconds += r.training_seconds;
  EXPECT_DOUBLE_EQ(seconds, 1.5);
  // Nothing pending: a second flush adds nothing.
  ASSERT_TRUE(meter_.Flush(*store_, *sql_, "2026-11-26", "t").ok());
  EXPECT_EQ(RowsOn("2026-11", "bob"), 9);
}

TEST_F(MeterTest, ANewMonthStartsTheQuotaOverAndLoadRestoresIt) {
  auto carol = meter_.CountersFor("carol");
  ASSERT_TRUE(Meter::ChargeRows(*carol, 10, 10).ok());
  EXPECT_FALSE(Meter::ChargeRows(*carol, 1, 10).ok());
  ASSERT_TRUE(meter_.Flush(*store_, *sql_, "2026-11-30", "t").ok());
  // A restart within the month: the quota stays used.
  Meter restarted;
  ASSERT_TRUE(restarted.Load(*store_, "2026-11").ok());
  EXPECT_FALSE(Meter::ChargeRows(*restarted.CountersFor("carol"), 1, 10).ok());
  // The first flush of December resets it.
  ASSERT_TRUE(meter_.Flush(*store_, *sql_, "2026-12-01", "t").ok());
  EXPECT_TRUE(Meter::ChargeRows(*carol, 10, 10).ok());
  EXPECT_EQ(meter_.ThisMonth("carol").predicted_rows, 10);
}

TEST_F(MeterTest, KeysUsedSinceTheLastFlushGetTheirLastUseStamped) {
  ASSERT_TRUE(store_->CreateUser({"dave", "member", "free", false, ""}).ok());
  ASSERT_TRUE(
      store_->CreateKey({"k1", "dave", "dmd_00000000", std::string(64, '0'), "", "", "", ""}).ok());
  meter_.KeyStateFor("k1")->used = true;
  ASSERT_TRUE(meter_.Flush(*store_, *sql_, "2026-11-26", "2026-11-26T10:00:00.000Z").ok());
  EXPECT_EQ((*store_->ListKeys("dave"))[0].last_used_at, "2026-11-26T10:00:00.000Z");
  EXPECT_FALSE(meter_.KeyStateFor("k1")->used.load());
}

}  // namespace
}  // namespace diamond::accounts
