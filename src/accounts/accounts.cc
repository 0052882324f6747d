#include "accounts/accounts.h"

#include <chrono>

#include "base/clock.h"
#include "base/logger.h"

namespace diamond::accounts {

Result<std::unique_ptr<Accounts>> Accounts::Open(store::AccountStore& accounts,
                                                 store::MetadataStore& metadata) {
  std::unique_ptr<Accounts> out(new Accounts(accounts, metadata));
  if (Status s = out->Reload(); !s.ok()) return s;
  if (Status s = out->meter_.Load(accounts, NowRfc3339().substr(0, 7)); !s.ok()) return s;
  out->thread_ = std::thread([raw = out.get()] { raw->Run(); });
  return out;
}

Accounts::~Accounts() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (Status s = Flush(); !s.ok()) {
    Log(LogLevel::kError, "could not record the last second's usage at shutdown", {{"error", s.message()}});
  }
}

Status Accounts::Reload() {
  // Read the generation first: a change racing with the load bumps it again, and the
  // next check reloads.
  auto generation = accounts_.Generation();
  if (!generation.ok()) return generation.status();
  if (Status s = directory_.Reload(accounts_, meter_); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mutex_);
  generation_ = *generation;
  return Status::Ok();
}

Status Accounts::Flush() {
  std::lock_guard<std::mutex> lock(flush_mutex_);
  const std::string now = NowRfc3339();
  return meter_.Flush(accounts_, metadata_, now.substr(0, 10), now);
}

void Accounts::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    if (stopping_) break;
    const int64_t loaded = generation_;
    lock.unlock();
    if (Status s = Flush(); !s.ok()) {  // the counts are kept for the next round
      Log(LogLevel::kWarn, "could not record usage; retrying in a second", {{"error", s.message()}});
    }
    auto generation = accounts_.Generation();
    if (generation.ok() && *generation != loaded) {
      if (Status s = Reload(); !s.ok()) {
        Log(LogLevel::kWarn, "could not reload accounts; retrying in a second", {{"error", s.message()}});
      }
    }
    lock.lock();
  }
}

}  // namespace diamond::accounts
