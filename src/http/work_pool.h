// WorkPool: a fixed set of threads running queued tasks, with a bounded queue.
// Submit() refuses work when the queue is full, so overload becomes a fast 503 instead of
// unbounded memory and latency (admission control).
#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "base/mutex.h"

namespace diamond::http {

class WorkPool {
 public:
  WorkPool(int threads, size_t max_queued);
  ~WorkPool();  // runs what is queued, then joins
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // False (and the task is not run) if the queue is full or the pool is stopping.
  bool Submit(std::function<void()> task);
  void Stop();

 private:
  void Loop();

  Mutex mutex_;
  CondVar ready_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(mutex_);
  size_t max_queued_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace diamond::http
