#include "accounts/meter.h"

#include <algorithm>
#include <vector>

namespace diamond::accounts {

Status Meter::Load(store::UsageStore& store, const std::string& month) {
  auto usage = store.UsageForMonth(month);
  if (!usage.ok()) return usage.status();
  std::unordered_map<std::string, int64_t> rows;
  std::unordered_map<std::string, double> training;
  for (const auto& day : *usage) {
    rows[day.user_id] += day.predicted_rows;
    training[day.user_id] += day.training_seconds;
  }
  MutexLock lock(mutex_);
  month_ = month;
  month_training_ = std::move(training);
  for (auto& [user, counters] : users_) counters->month_rows.store(0);
  for (const auto& [user, count] : rows) {
    auto& counters = users_[user];
    if (!counters) counters = std::make_shared<UserCounters>();
    counters->month_rows.store(count);
  }
  return Status::Ok();
}

std::shared_ptr<UserCounters> Meter::CountersFor(const std::string& user_id) {
  MutexLock lock(mutex_);
  auto& counters = users_[user_id];
  if (!counters) counters = std::make_shared<UserCounters>();
  return counters;
}

std::shared_ptr<KeyState> Meter::KeyStateFor(const std::string& key_id) {
  MutexLock lock(mutex_);
  auto& state = keys_[key_id];
  if (!state) state = std::make_shared<KeyState>();
  return state;
}

Status Meter::ChargeRows(UserCounters& user, int64_t rows, int64_t quota) {
  int64_t current = user.month_rows.load(std::memory_order_relaxed);
  do {
    if (rows > quota - current) {
      const int64_t left = std::max<int64_t>(0, quota - current);
      return Status::QuotaExceeded(
          "monthly_predicted_rows", quota,
          "this request prices " + std::to_string(rows) + " rows but only " + std::to_string(left) +
              " of the plan's " + std::to_string(quota) + " rows this month are left");
    }
  } while (
      !user.month_rows.compare_exchange_weak(current, current + rows, std::memory_order_relaxed));
  user.pending_rows.fetch_add(rows, std::memory_order_relaxed);
  return Status::Ok();
}

void Meter::RefundRows(UserCounters& user, int64_t rows) {
  // A flush may have taken the charge already: pending then goes below zero, and the next
  // flush writes the refund as a negative count.
  user.month_rows.fetch_sub(rows, std::memory_order_relaxed);
  user.pending_rows.fetch_sub(rows, std::memory_order_relaxed);
}

void Meter::CountRows(UserCounters& user, int64_t rows) {
  user.month_rows.fetch_add(rows, std::memory_order_relaxed);
  user.pending_rows.fetch_add(rows, std::memory_order_relaxed);
}

void Meter::AddTrainingSeconds(const std::string& user_id, double seconds) {
  MutexLock lock(mutex_);
  month_training_[user_id] += seconds;
  pending_training_[user_id] += seconds;
}

void Meter::StorageChanged(const std::string& user_id) {
  MutexLock lock(mutex_);
  storage_changed_.insert(user_id);
}

MonthTotals Meter::ThisMonth(const std::string& user_id) {
  MutexLock lock(mutex_);
  MonthTotals totals;
  if (auto it = users_.find(user_id); it != users_.end())
    totals.predicted_rows = it->second->month_rows.load();
  if (auto it = month_training_.find(user_id); it != month_training_.end())
    totals.training_seconds = it->second;
  return totals;
}

Status Meter::Flush(store::UsageStore& accounts, store::DatasetStore& datasets,
                    const std::string& day, const std::string& now) {
  std::unordered_map<std::string, UsageRecord> rows;
  std::vector<std::pair<std::string, std::string>> touched;
  std::unordered_set<std::string> storage_changed;
  auto row = [&](const std::string& user) -> UsageRecord& {
    UsageRecord& r = rows[user];
    if (r.user_id.empty()) {
      r.user_id = user;
      r.day = day;
      r.stored_bytes = -1;  // unchanged unless set below
    }
    return r;
  };
  {
    MutexLock lock(mutex_);
    for (const auto& [user, counters] : users_) {
      if (const int64_t n = counters->pending_rows.exchange(0, std::memory_order_relaxed); n != 0) {
        row(user).predicted_rows = n;
      }
    }
    for (const auto& [user, seconds] : pending_training_) row(user).training_seconds = seconds;
    pending_training_.clear();
    for (const auto& [key, state] : keys_) {
      if (state->used.exchange(false, std::memory_order_relaxed)) touched.emplace_back(key, now);
    }
    storage_changed.swap(storage_changed_);
    const std::string month = day.substr(0, 7);
    if (month != month_) {
      // A new month: the quota starts over. (Rows counted in the last second of the old
      // month are written onto the new month's first day: the ≤1 s flush granularity.)
      month_ = month;
      month_training_.clear();
      for (const auto& [user, counters] : users_) counters->month_rows.store(0);
    }
  }
  Status status = Status::Ok();
  std::unordered_set<std::string> storage_failed;
  for (const auto& user : storage_changed) {
    auto bytes = datasets.StoredBytes(user);
    if (!bytes.ok()) {
      status = bytes.status();
      storage_failed.insert(user);
      continue;
    }
    row(user).stored_bytes = *bytes;
  }
  std::vector<UsageRecord> deltas;
  deltas.reserve(rows.size());
  for (auto& [user, r] : rows) deltas.push_back(r);
  if (Status s = accounts.AddUsage(deltas); !s.ok()) {
    // Keep the counts: the next flush tries again. Nothing is lost unless the process dies.
    MutexLock lock(mutex_);
    for (const auto& r : deltas) {
      if (r.predicted_rows != 0) users_[r.user_id]->pending_rows.fetch_add(r.predicted_rows);
      if (r.training_seconds != 0) pending_training_[r.user_id] += r.training_seconds;
    }
    storage_changed_.insert(storage_changed.begin(), storage_changed.end());
    for (const auto& [key, when] : touched) keys_[key]->used.store(true);
    return s;
  }
  if (!storage_failed.empty()) {
    MutexLock lock(mutex_);
    storage_changed_.insert(storage_failed.begin(), storage_failed.end());
  }
  if (Status s = accounts.TouchKeys(touched); !s.ok()) return s;
  if (Status s = ReadBackMonth(accounts, day.substr(0, 7)); !s.ok()) return s;
  return status;
}

Status Meter::ReadBackMonth(store::UsageStore& accounts, const std::string& month) {
  // Other processes on the same store (replicas) count rows too: take the month's totals
  // as stored, plus what this process counted since its last write. A user's quota then
  // holds across replicas up to what the others priced since their last flush (≤ 1 s).
  auto usage = accounts.UsageForMonth(month);
  if (!usage.ok()) return usage.status();
  std::unordered_map<std::string, int64_t> stored;
  for (const auto& day : *usage) stored[day.user_id] += day.predicted_rows;
  MutexLock lock(mutex_);
  if (month != month_) return Status::Ok();  // the month turned meanwhile; the next flush reads it
  for (const auto& [user, rows] : stored) {
    auto& counters = users_[user];
    if (!counters) counters = std::make_shared<UserCounters>();
    counters->month_rows.store(rows + counters->pending_rows.load(std::memory_order_relaxed),
                               std::memory_order_relaxed);
  }
  return Status::Ok();
}

}  // namespace diamond::accounts
