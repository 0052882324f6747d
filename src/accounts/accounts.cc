#include "accounts/accounts.h"

#include <chrono>

#include "store/clock.h"

namespace diamond::accounts {

Result<std::unique_ptr<Accounts>> Accounts::Open(store::AccountStore& accounts,
                                                 store::MetadataStore& metadata) {
  std::unique_ptr<Accounts> out(new Accounts(accounts, metadata));
  if (Status s = out->Reload(); !s.ok()) return s;
  if (Status s = out->meter_.Load(accounts, store::NowRfc3339().substr(0, 7)); !s.ok()) return s;
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
  Flush();
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
  const std::string now = store::NowRfc3339();
  return meter_.Flush(accounts_, metadata_, now.substr(0, 10), now);
}

void Accounts::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    if (stopping_) break;
    const int64_t loaded = generation_;
    lock.unlock();
    Flush();  // a failure keeps the counts for the next round
    auto generation = accounts_.Generation();
    if (generation.ok() && *generation != loaded) Reload();
    lock.lock();
  }
}

}  // namespace diamond::accounts
