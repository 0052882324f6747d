// Accounts: the running service's view of who may call and what they used. Owns the
// in-memory directory and the meter (counters, token buckets), and one background thread that
// every second flushes the meter and reloads the directory if the accounts changed
// (an admin API call reloads at once; `diamond admin` in another process is seen within
// a second). Stopping flushes once more, so a clean shutdown loses no counts.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "accounts/account_directory.h"
#include "accounts/meter.h"
#include "base/clock.h"
#include "base/mutex.h"
#include "store/account_store.h"
#include "store/dataset_store.h"

namespace diamond::accounts {

class Accounts {
 public:
  // Loads the directory and this month's usage, then starts the flush thread. `serving`:
  // this process answers API requests (not a `diamond worker`). `clock` gives the meter its
  // day and month (a test's fake turns the month).
  static Result<std::unique_ptr<Accounts>> Open(store::AccountStore& accounts,
                                                store::DatasetStore& datasets, bool serving = true,
                                                const Clock& clock = SystemClock());
  ~Accounts();
  Accounts(const Accounts&) = delete;
  Accounts& operator=(const Accounts&) = delete;

  const AccountDirectory& directory() const { return directory_; }
  Meter& meter() { return meter_; }
  store::AccountStore& store() { return accounts_; }

  // Reloads the directory now (after this process changed users, keys or plans).
  Status Reload();
  // Writes the meter's counts now (tests and shutdown; the thread does it every second).
  Status Flush();
  // The account generation the directory in force was loaded at.
  int64_t loaded_generation() const;

  // After a key was not found: makes sure the directory is at least as new as the store
  // was at some moment after the miss (reloading if the accounts changed, e.g. a key made
  // through another replica a moment ago) and returns true, so the caller looks again;
  // false only when the store could not be read (logged). One look at the store at a time:
  // misses arriving while a look runs wait for the next one (a look that began before a
  // miss might not see a key committed just before it) and share it, so a flood of
  // unknown keys costs one small query at a time, never one each.
  bool ReloadIfChangedAfterMiss();
  // A process whose heartbeat (every second) is older than this is taken for dead.
  static constexpr std::chrono::milliseconds kLiveHeartbeat{3000};

  // How many processes serve the API on this store now (live heartbeats, at least 1): a
  // key's rate is shared among them (docs/accounts.md).
  int serving_replicas() const { return serving_replicas_.load(std::memory_order_relaxed); }

 private:
  Accounts(store::AccountStore& accounts, store::DatasetStore& datasets, const Clock& clock)
      : accounts_(accounts), datasets_(datasets), clock_(clock) {}
  void Run();
  // Reports this process and its loaded generation (ReplicaRecord).
  Status Heartbeat();

  store::AccountStore& accounts_;
  store::DatasetStore& datasets_;  // the bytes each user stores, for the meter
  const Clock& clock_;             // the meter's day and month
  Meter meter_;                    // before the directory: principals point into it
  AccountDirectory directory_;

  Mutex flush_mutex_;   // one flush at a time (the thread, Flush(), shutdown)
  Mutex reload_mutex_;  // one reload at a time (the thread, admin API calls)
  mutable Mutex mutex_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  int64_t generation_ GUARDED_BY(mutex_) = 0;  // of the loaded directory
  ReplicaRecord replica_;                      // only the thread (and Open, before it) writes it
  std::atomic<int> serving_replicas_{1};
  // The looks of ReloadIfChangedAfterMiss: numbered as they start; a miss waits for one
  // numbered above every look started before it.
  Mutex miss_mutex_;
  CondVar miss_looked_;
  uint64_t looks_started_ GUARDED_BY(miss_mutex_) = 0;
  uint64_t looks_finished_ GUARDED_BY(miss_mutex_) = 0;
  bool last_look_ok_ GUARDED_BY(miss_mutex_) = false;
  std::thread thread_;
};

}  // namespace diamond::accounts
