#include "service/model_change_watcher.h"

#include "base/logger.h"

namespace diamond::service {

ModelChangeWatcher::ModelChangeWatcher(store::ModelStore& model_store, ModelCache& cache,
                                       std::chrono::milliseconds interval)
    : model_store_(model_store), cache_(cache), interval_(interval) {
  {
    MutexLock lock(poll_mutex_);
    // Start from now: the cache is empty, nothing older can be in it. If the store cannot
    // answer, start from 0 (the first successful poll then drops everything, harmlessly).
    auto changes = model_store_.ModelChangesSince(INT64_MAX);
    seen_ = changes.ok() ? changes->latest : 0;
  }
  thread_ = std::thread([this] { Run(); });
}

ModelChangeWatcher::~ModelChangeWatcher() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int64_t ModelChangeWatcher::PollOnce() {
  MutexLock lock(poll_mutex_);
  auto changes = model_store_.ModelChangesSince(seen_);
  if (!changes.ok()) {
    Log(LogLevel::kWarn, "could not read model changes; retrying",
        {{"error", changes.status().message()}});
    return 0;
  }
  if (changes->latest == seen_) return 0;
  int64_t dropped = 0;
  if (!changes->complete) {
    cache_.InvalidateAll();
    dropped = -1;
  } else {
    for (const auto& [owner, id] : changes->models) {
      cache_.Invalidate(owner, id);
      ++dropped;
    }
  }
  seen_ = changes->latest;
  return dropped;
}

void ModelChangeWatcher::Run() {
  MutexLock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this]() REQUIRES(mutex_) { return stopping_; });
    if (stopping_) break;
    lock.Unlock();
    PollOnce();
    lock.Lock();
  }
}

}  // namespace diamond::service
