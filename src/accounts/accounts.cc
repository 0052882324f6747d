#include "accounts/accounts.h"

#include <unistd.h>

#include <chrono>

#include "base/clock.h"
#include "base/logger.h"
#include "core/ids.h"

namespace diamond::accounts {

Result<std::unique_ptr<Accounts>> Accounts::Open(store::AccountStore& accounts,
                                                 store::DatasetStore& datasets, bool serving,
                                                 const Clock& clock) {
  std::unique_ptr<Accounts> out(new Accounts(accounts, datasets, clock));
  out->replica_.serving = serving;
  if (Status s = out->Reload(); !s.ok()) return s;
  if (Status s = out->meter_.Load(accounts, clock.Rfc3339().substr(0, 7)); !s.ok()) return s;
  out->replica_.id = NewId();
  out->replica_.started_at = clock.Rfc3339();
  out->replica_.pid = ::getpid();
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) out->replica_.host = host;
  if (Status s = out->Heartbeat(); !s.ok()) return s;
  out->thread_ = std::thread([raw = out.get()] { raw->Run(); });
  return out;
}

Accounts::~Accounts() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (Status s = Flush(); !s.ok()) {
    Log(LogLevel::kError, "could not record the last second's usage at shutdown",
        {{"error", s.message()}});
  }
  if (Status s = accounts_.RemoveReplica(replica_.id); !s.ok()) {
    Log(LogLevel::kWarn, "could not remove this server's heartbeat row", {{"error", s.message()}});
  }
}

Status Accounts::Reload() {
  // One reload at a time: a slower one that read the store before a change must not
  // install its stale snapshot after a newer one (a revoked key would work again).
  MutexLock reloading(reload_mutex_);
  // Read the generation first: a change racing with the load bumps it again, and the
  // next check reloads.
  auto generation = accounts_.Generation();
  if (!generation.ok()) return generation.status();
  if (Status s = directory_.Reload(accounts_, meter_); !s.ok()) return s;
  MutexLock lock(mutex_);
  generation_ = *generation;
  return Status::Ok();
}

Status Accounts::Flush() {
  MutexLock lock(flush_mutex_);
  const std::string now = clock_.Rfc3339();
  return meter_.Flush(accounts_, datasets_, now.substr(0, 10), now);
}

int64_t Accounts::loaded_generation() const {
  MutexLock lock(mutex_);
  return generation_;
}

bool Accounts::ReloadIfChangedAfterMiss() {
  MutexLock lock(miss_mutex_);
  // A look already running may have read the store before the key this miss is about
  // was committed; the next one to start cannot have.
  const uint64_t wanted = looks_started_ + 1;
  while (looks_finished_ < wanted) {
    if (looks_started_ > looks_finished_) {  // one runs: wait for it, then maybe run the next
      miss_looked_.wait(lock);
      continue;
    }
    const uint64_t mine = ++looks_started_;
    lock.Unlock();
    bool ok = true;
    auto generation = accounts_.Generation();
    if (!generation.ok()) {
      ok = false;
      Log(LogLevel::kWarn, "could not look for new API keys after an unknown one",
          {{"error", generation.status().message()}});
    } else if (*generation != loaded_generation()) {
      if (Status s = Reload(); !s.ok()) {
        ok = false;
        Log(LogLevel::kWarn, "could not reload accounts after an unknown API key",
            {{"error", s.message()}});
      }
    }
    lock.Lock();
    looks_finished_ = mine;
    last_look_ok_ = ok;
    miss_looked_.notify_all();
  }
  return last_look_ok_;
}

Status Accounts::Heartbeat() {
  replica_.loaded_generation = loaded_generation();
  replica_.heartbeat_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  if (Status s = accounts_.Heartbeat(replica_); !s.ok()) return s;
  // The serving processes alive now: heartbeats younger than kLiveHeartbeat.
  auto replicas = accounts_.ListReplicas();
  if (!replicas.ok()) return replicas.status();
  int serving = 0;
  for (const auto& r : *replicas) {
    if (r.serving && replica_.heartbeat_ms - r.heartbeat_ms < kLiveHeartbeat.count()) ++serving;
  }
  serving_replicas_.store(std::max(1, serving), std::memory_order_relaxed);
  return Status::Ok();
}

void Accounts::Run() {
  // Account changes are looked for every kPollInterval, so a change made by another
  // process (`diamond admin`) is in force here within that; usage is flushed and the
  // heartbeat written every second, and the heartbeat also right after each reload, so
  // that `diamond admin` can tell when every server runs with its change.
  constexpr auto kPollInterval = std::chrono::milliseconds(100);
  auto last_flush = std::chrono::steady_clock::now();
  MutexLock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, kPollInterval, [this]() REQUIRES(mutex_) { return stopping_; });
    if (stopping_) break;
    const int64_t loaded = generation_;
    lock.Unlock();
    bool report = false;
    auto generation = accounts_.Generation();
    if (generation.ok() && *generation != loaded) {
      if (Status s = Reload(); !s.ok()) {
        Log(LogLevel::kWarn, "could not reload accounts; retrying", {{"error", s.message()}});
      } else {
        report = true;
      }
    }
    if (std::chrono::steady_clock::now() - last_flush >= std::chrono::seconds(1)) {
      last_flush = std::chrono::steady_clock::now();
      report = true;
      if (Status s = Flush(); !s.ok()) {  // the counts are kept for the next round
        Log(LogLevel::kWarn, "could not record usage; retrying in a second",
            {{"error", s.message()}});
      }
    }
    if (report) {
      if (Status s = Heartbeat(); !s.ok()) {
        Log(LogLevel::kWarn, "could not record this server's heartbeat", {{"error", s.message()}});
      }
    }
    lock.Lock();
  }
}

}  // namespace diamond::accounts
