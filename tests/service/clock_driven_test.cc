// What depends on the wall clock, driven by a fake one (issue 24, item 8): an upload past
// its expiry is gone for its owner and deleted by the collector, not a moment before; a
// month's quota starts over when the month turns. (Job leases: tests/jobs/job_runner_test.cc.)
#include <gtest/gtest.h>

#include <chrono>

#include "accounts/account_admin.h"
#include "accounts/accounts.h"
#include "service/upload_service.h"
#include "store/blob_gc.h"
#include "store/file_blob_store.h"
#include "store/sql_metadata_store.h"
#include "support/fake_clock.h"
#include "support/test_support.h"

namespace diamond {
namespace {

using namespace std::chrono_literals;

TEST(ClockDriven, AnUploadExpiresWhenItsTimeComesAndTheCollectorDeletesIt) {
  testing::TempDir dir;
  testing::FakeClock clock;
  auto sql = std::move(store::SqlMetadataStore::OpenSqlite((dir / "m.db").string(), clock)).value();
  auto files = std::move(store::FileBlobStore::Open(dir / "blobs")).value();
  service::UploadService::Options options;
  options.expiry = 1h;
  service::UploadService uploads(*sql, *sql, *files, nullptr, options, clock);
  auto upload = uploads.Create("alice", "d1", UploadFormat::kCsv, UploadMode::kReplace);
  ASSERT_TRUE(upload.ok()) << upload.status().message();
  EXPECT_EQ(upload->expires_ms, clock.UnixMs() + 3600 * 1000);

  clock.Advance(1h);  // at its expiry: still there
  EXPECT_TRUE(uploads.Get("alice", upload->id).ok());
  EXPECT_EQ(*store::DeleteExpiredUploads(*sql, *files, clock), 0);

  clock.Advance(1ms);  // past it: gone for its owner, then for the store
  auto expired = uploads.Get("alice", upload->id);
  EXPECT_EQ(expired.status().code(), StatusCode::kNotFound);
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos);
  EXPECT_EQ(*store::DeleteExpiredUploads(*sql, *files, clock), 1);
  EXPECT_EQ(sql->GetUpload("alice", upload->id).status().code(), StatusCode::kNotFound);
}

TEST(ClockDriven, TheMonthsQuotaStartsOverWhenTheMonthTurns) {
  testing::TempDir dir;
  testing::FakeClock clock;  // 2026-11-30T23:59:00Z
  auto sql = std::move(store::SqlMetadataStore::OpenSqlite((dir / "m.db").string(), clock)).value();
  ASSERT_TRUE(sql->PutPlan(accounts::UnlimitedPlan("small")).ok());
  ASSERT_TRUE(accounts::CreateUser(*sql, "alice", "member", "small").ok());
  auto accounts = std::move(accounts::Accounts::Open(*sql, *sql, true, clock)).value();
  accounts::Meter& meter = accounts->meter();

  ASSERT_TRUE(accounts::Meter::ChargeRows(*meter.CountersFor("alice"), 7, 10).ok());
  ASSERT_TRUE(accounts->Flush().ok());
  EXPECT_EQ(meter.ThisMonth("alice").predicted_rows, 7);
  // 3 more would pass the quota of 10 this month.
  EXPECT_EQ(accounts::Meter::ChargeRows(*meter.CountersFor("alice"), 4, 10).code(),
            StatusCode::kQuotaExceeded);

  clock.Advance(2min);  // 2026-12-01T00:01:00Z
  ASSERT_TRUE(accounts->Flush().ok());
  EXPECT_EQ(meter.ThisMonth("alice").predicted_rows, 0);
  EXPECT_TRUE(accounts::Meter::ChargeRows(*meter.CountersFor("alice"), 10, 10).ok());
  ASSERT_TRUE(accounts->Flush().ok());

  auto rows_in = [&](const std::string& month) {
    int64_t rows = 0;
    auto usage = sql->UsageForMonth(month);
    EXPECT_TRUE(usage.ok());
    if (usage.ok())
      for (const UsageRecord& day : *usage) rows += day.predicted_rows;
    return rows;
  };
  EXPECT_EQ(rows_in("2026-11"), 7);
  EXPECT_EQ(rows_in("2026-12"), 10);
}

}  // namespace
}  // namespace diamond
