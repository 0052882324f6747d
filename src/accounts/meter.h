// Meter: usage counted in memory and written to the UsageStore by Flush(), which the
// Accounts thread calls once a second — so a request never waits on a database write,
// and a crash loses at most the counts of the last second (docs/accounts.md).
//
// The hot path touches only atomics: each user has a UserCounters (this month's predicted
// rows, for the quota, and the rows not yet flushed) and each key a KeyState (its token
// bucket and a "used since the last flush" flag). Principals point at both, and both
// outlive directory reloads, so a reload loses no counts and refills no buckets.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "accounts/token_bucket.h"
#include "base/mutex.h"
#include "core/status.h"
#include "store/dataset_store.h"
#include "store/usage_store.h"

namespace diamond::accounts {

struct UserCounters {
  std::atomic<int64_t> month_rows{0};    // predicted rows this month, flushed or not
  std::atomic<int64_t> pending_rows{0};  // not yet written
  // The plan's rate for all of the user's keys together (each key has its own as well):
  // N keys must not get N times the plan.
  TokenBucket bucket;
};

struct KeyState {
  TokenBucket bucket;
  std::atomic<bool> used{false};  // authenticated a request since the last flush
};

struct MonthTotals {
  int64_t predicted_rows = 0;
  double training_seconds = 0;
};

class Meter {
 public:
  // Loads this month's totals from the store (call once before serving).
  Status Load(store::UsageStore& store, const std::string& month);

  // The runtime state of a user or key, created on first use, kept for the process's life.
  std::shared_ptr<UserCounters> CountersFor(const std::string& user_id);
  std::shared_ptr<KeyState> KeyStateFor(const std::string& key_id);

  // Counts `rows` predicted rows unless that would take the user past `quota` rows this
  // month: then nothing is counted and the result is QuotaExceeded. Lock-free.
  static Status ChargeRows(UserCounters& user, int64_t rows, int64_t quota);
  // Gives back rows charged for work that then failed (rows are charged before the work,
  // so a key over its quota costs no computation).
  static void RefundRows(UserCounters& user, int64_t rows);
  // Counts rows whose quota was checked before (a batch job's, as it commits them).
  static void CountRows(UserCounters& user, int64_t rows);
  void AddTrainingSeconds(const std::string& user_id, double seconds);
  // The user's stored bytes changed; the next flush records the new level.
  void StorageChanged(const std::string& user_id);

  MonthTotals ThisMonth(const std::string& user_id);

  // Writes what was counted since the last flush onto `day` (YYYY-MM-DD), and `now` (RFC
  // 3339) as the last use of the keys used since. If the write fails the counts are kept
  // for the next attempt. A new month (the day's first seven characters) restarts the
  // month totals.
  Status Flush(store::UsageStore& accounts, store::DatasetStore& datasets, const std::string& day,
               const std::string& now);

 private:
  // After a flush: every user's month total becomes what the store holds (every process's
  // flushed rows) plus this process's rows not yet written.
  Status ReadBackMonth(store::UsageStore& accounts, const std::string& month);

 private:
  Mutex mutex_;
  std::string month_ GUARDED_BY(mutex_);
  std::unordered_map<std::string, std::shared_ptr<UserCounters>> users_ GUARDED_BY(mutex_);
  std::unordered_map<std::string, std::shared_ptr<KeyState>> keys_ GUARDED_BY(mutex_);
  std::unordered_map<std::string, double> month_training_ GUARDED_BY(mutex_);
  std::unordered_map<std::string, double> pending_training_ GUARDED_BY(mutex_);
  std::unordered_set<std::string> storage_changed_ GUARDED_BY(mutex_);
};

}  // namespace diamond::accounts
