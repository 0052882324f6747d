// ModelChangeWatcher: keeps a replica's model cache honest when other replicas change
// models. Every poll interval it asks the store which models changed since the last look
// (one small query; predictions themselves never touch the database) and drops those
// from the cache, so a model deleted, retrained or unshared anywhere stops being served
// here within one interval. Changes made in this process are invalidated at once by
// ModelService; the watcher is for everyone else's.
#pragma once

#include <chrono>
#include <cstdint>
#include <thread>

#include "base/mutex.h"
#include "service/model_cache.h"
#include "store/model_store.h"

namespace diamond::service {

class ModelChangeWatcher {
 public:
  static constexpr std::chrono::milliseconds kDefaultInterval{100};

  // Starts watching from the store's current change number.
  ModelChangeWatcher(store::ModelStore& model_store, ModelCache& cache,
                     std::chrono::milliseconds interval = kDefaultInterval);
  ~ModelChangeWatcher();  // stops the thread
  ModelChangeWatcher(const ModelChangeWatcher&) = delete;
  ModelChangeWatcher& operator=(const ModelChangeWatcher&) = delete;

  // One look now (the thread calls it; tests too). Returns how many models were dropped
  // (or -1 when the whole cache was, having fallen behind the store's change log).
  int64_t PollOnce();

 private:
  void Run();

  store::ModelStore& model_store_;
  ModelCache& cache_;
  const std::chrono::milliseconds interval_;
  Mutex mutex_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  int64_t seen_ GUARDED_BY(poll_mutex_) = 0;
  Mutex poll_mutex_;  // one poll at a time
  std::thread thread_;
};

}  // namespace diamond::service
