// Meter: usage counted in memory and written to the AccountStore by Flush(), which the
// Accounts thread calls once a second — so a request never waits on a database write,
// and a crash loses at most the counts of the last second (docs/accounts.md).
//
// It also holds each user's predicted rows for the current month, so the monthly quota
// is checked (and reserved) with one lock and no database read.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/status.h"
#include "store/account_store.h"
#include "store/metadata_store.h"

namespace diamond::accounts {

struct MonthTotals {
  int64_t predicted_rows = 0;
  double training_seconds = 0;
};

class Meter {
 public:
  // Loads this month's totals from the store (call once before serving).
  Status Load(store::AccountStore& store, const std::string& month);

  // Counts `rows` predicted rows for the user unless that would take them past `quota`
  // rows this month: then nothing is counted and the result is QuotaExceeded.
  Status ChargeRows(const std::string& user_id, int64_t rows, int64_t quota);
  void AddTrainingSeconds(const std::string& user_id, double seconds);
  // The user's stored bytes changed; the next flush records the new level.
  void StorageChanged(const std::string& user_id);
  // The key authenticated a request; the next flush stamps its last_used_at.
  void KeyUsed(const std::string& key_id);

  MonthTotals ThisMonth(const std::string& user_id) const;

  // Writes what was counted since the last flush onto `day` (YYYY-MM-DD), and `now` (RFC
  // 3339) as the last use of the keys used since. If the write
  // fails the counts are kept for the next attempt. A new month (the day's first seven
  // characters) resets the in-memory month totals.
  Status Flush(store::AccountStore& accounts, store::MetadataStore& metadata,
               const std::string& day, const std::string& now);

 private:
  struct Pending {
    int64_t predicted_rows = 0;
    double training_seconds = 0;
  };

  mutable std::mutex mutex_;
  std::string month_;                                       // GUARDED_BY(mutex_)
  std::unordered_map<std::string, MonthTotals> month_totals_;  // GUARDED_BY(mutex_)
  std::unordered_map<std::string, Pending> pending_;       // GUARDED_BY(mutex_)
  std::unordered_set<std::string> storage_changed_;        // GUARDED_BY(mutex_)
  std::unordered_set<std::string> keys_used_;               // GUARDED_BY(mutex_)
};

}  // namespace diamond::accounts
