// WorkPool (http/work_pool.h): runs what it accepts, refuses past its queue bound instead of
// growing, runs what was queued before joining, and refuses once stopping.
#include "http/work_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

namespace diamond::http {
namespace {

// Holds the pool's threads until released, so the queue can be filled deterministically.
class Latch {
 public:
  void Wait() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
  }
  void WaitForWaiters(int n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return waiting_ >= n; });
  }
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

TEST(WorkPool, RunsEveryAcceptedTask) {
  std::atomic<int> ran{0};
  {
    WorkPool pool(2, 100);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(pool.Submit([&] { ++ran; }));
  }  // the destructor runs what is queued, then joins
  EXPECT_EQ(ran.load(), 50);
}

TEST(WorkPool, AFullQueueRefusesInsteadOfGrowing) {
  Latch latch;
  std::atomic<int> ran{0};
  WorkPool pool(2, 3);
  // Both threads busy, then three queued: the queue is full.
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(pool.Submit([&] {
      latch.Wait();
      ++ran;
    }));
  latch.WaitForWaiters(2);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool.Submit([&] { ++ran; }));
  EXPECT_FALSE(pool.Submit([&] { ran += 1000; }));  // refused, and never run
  latch.Open();
  pool.Stop();
  EXPECT_EQ(ran.load(), 5);
}

TEST(WorkPool, StoppingRunsWhatWasQueuedAndRefusesMore) {
  Latch latch;
  std::atomic<int> ran{0};
  WorkPool pool(1, 10);
  ASSERT_TRUE(pool.Submit([&] {
    latch.Wait();
    ++ran;
  }));
  latch.WaitForWaiters(1);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(pool.Submit([&] { ++ran; }));
  std::promise<void> stopped;
  std::thread stopper([&] {
    pool.Stop();
    stopped.set_value();
  });
  latch.Open();
  stopped.get_future().wait();
  stopper.join();
  EXPECT_EQ(ran.load(), 5);
  EXPECT_FALSE(pool.Submit([&] { ++ran; }));
  EXPECT_EQ(ran.load(), 5);
}

}  // namespace
}  // namespace diamond::http
