#include "accounts/meter.h"

#include <algorithm>

namespace diamond::accounts {

Status Meter::Load(store::AccountStore& store, const std::string& month) {
  auto usage = store.UsageForMonth(month);
  if (!usage.ok()) return usage.status();
  std::lock_guard<std::mutex> lock(mutex_);
  month_ = month;
  month_totals_.clear();
  for (const auto& day : *usage) {
    MonthTotals& totals = month_totals_[day.user_id];
    totals.predicted_rows += day.predicted_rows;
    totals.training_seconds += day.training_seconds;
  }
  return Status::Ok();
}

Status Meter::ChargeRows(const std::string& user_id, int64_t rows, int64_t quota) {
  std::lock_guard<std::mutex> lock(mutex_);
  MonthTotals& totals = month_totals_[user_id];
  if (totals.predicted_rows + rows > quota) {
    const int64_t left = std::max<int64_t>(0, quota - totals.predicted_rows);
    return Status::QuotaExceeded(
        "monthly_predicted_rows", quota,
        "this request prices " + std::to_string(rows) + " rows but only " + std::to_string(left) +
            " of the plan's " + std::to_string(quota) + " rows this month are left");
  }
  totals.predicted_rows += rows;
  pending_[user_id].predicted_rows += rows;
  return Status::Ok();
}

void Meter::AddTrainingSeconds(const std::string& user_id, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  month_totals_[user_id].training_seconds += seconds;
  pending_[user_id].training_seconds += seconds;
}

void Meter::StorageChanged(const std::string& user_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  storage_changed_.insert(user_id);
}

void Meter::KeyUsed(const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  keys_used_.insert(key_id);
}

MonthTotals Meter::ThisMonth(const std::string& user_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = month_totals_.find(user_id);
  return it == month_totals_.end() ? MonthTotals{} : it->second;
}

Status Meter::Flush(store::AccountStore& accounts, store::MetadataStore& metadata,
                    const std::string& day, const std::string& now) {
  std::unordered_map<std::string, Pending> pending;
  std::unordered_set<std::string> storage_changed;
  std::unordered_set<std::string> keys_used;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending.swap(pending_);
    storage_changed.swap(storage_changed_);
    keys_used.swap(keys_used_);
    const std::string month = day.substr(0, 7);
    if (month != month_) {
      month_ = month;
      month_totals_.clear();
    }
  }
  std::unordered_map<std::string, store::UsageRecord> rows;
  for (const auto& [user, counts] : pending) {
    store::UsageRecord& r = rows[user];
    r.user_id = user;
    r.day = day;
    r.predicted_rows = counts.predicted_rows;
    r.training_seconds = counts.training_seconds;
    r.stored_bytes = -1;  // unchanged
  }
  Status status = Status::Ok();
  for (const auto& user : storage_changed) {
    auto bytes = metadata.StoredBytes(user);
    if (!bytes.ok()) {
      status = bytes.status();
      continue;
    }
    store::UsageRecord& r = rows[user];
    r.user_id = user;
    r.day = day;
    r.stored_bytes = *bytes;
  }
  std::vector<store::UsageRecord> deltas;
  deltas.reserve(rows.size());
  for (auto& [user, r] : rows) deltas.push_back(std::move(r));
  if (Status s = accounts.AddUsage(deltas); !s.ok()) {
    // Keep the counts: the next flush tries again. Nothing is lost unless the process dies.
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [user, counts] : pending) {
      pending_[user].predicted_rows += counts.predicted_rows;
      pending_[user].training_seconds += counts.training_seconds;
    }
    storage_changed_.insert(storage_changed.begin(), storage_changed.end());
    return s;
  }
  if (!status.ok()) {
    std::lock_guard<std::mutex> lock(mutex_);
    storage_changed_.insert(storage_changed.begin(), storage_changed.end());
  }
  std::vector<std::pair<std::string, std::string>> touched;
  for (const auto& key : keys_used) touched.emplace_back(key, now);
  if (Status s = accounts.TouchKeys(touched); !s.ok()) return s;
  return status;
}

}  // namespace diamond::accounts
