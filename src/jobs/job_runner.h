// JobRunner: in-process workers that claim queued jobs from the metadata store and run
// them. Because the queue lives in the database, a job that was running when the process
// died is put back in the queue at the next start and runs again; `diamond worker`
// processes elsewhere can claim from the same queue.
//
// Thread-safe. Start() once, Stop() once (the destructor stops too).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "store/metadata_store.h"

namespace diamond::jobs {

// What a running job may ask of the runner.
class JobContext {
 public:
  JobContext(store::MetadataStore& metadata, std::string owner, std::string job_id)
      : metadata_(metadata), owner_(std::move(owner)), job_id_(std::move(job_id)) {}
  // True once someone asked to cancel (checked in the database).
  bool CancelRequested();
  void ReportProgress(double fraction, const std::string& detail = {});

 private:
  store::MetadataStore& metadata_;
  std::string owner_;
  std::string job_id_;
};

// Records that a job failed. If the store refuses, the failure is logged: the job then
// stays running and is retried after a restart, up to the attempt cap.
void RecordJobFailure(store::MetadataStore& metadata, const std::string& job_id,
                      const std::string& error);

class JobRunner {
 public:
  // Runs one job to its end: it must record success or failure in the store itself.
  using Executor = std::function<void(const store::JobRecord& job, JobContext& context)>;

  // `workers` may be 0: jobs are then only queued here, for other processes to run.
  JobRunner(store::MetadataStore& metadata, int workers, int max_attempts = 3);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void SetExecutor(const std::string& kind, Executor executor);  // before Start()
  // Requeues jobs a dead process left running, then starts the workers. Only a process
  // with workers requeues: with several processes on one store, a queue-only replica must
  // not requeue jobs another process is running.
  Status Start();
  // Stops claiming jobs and waits for the running ones; any job still unfinished (a
  // stuck one) stays "running" in the store and is requeued at the next start.
  void Stop();

  // Wakes a worker: a job was just queued.
  void Notify();
  // Calls `done` once, on the runner's watcher thread, with the job's record when it has
  // finished, or with its latest record when `timeout` passes (or the runner stops, or
  // ReleaseWaiters is called). No thread is held while waiting: a request waiting for
  // training costs a list entry, not a worker.
  using WaitDone = std::function<void(Result<store::JobRecord>)>;
  void WhenFinished(std::string owner, std::string job_id, std::chrono::milliseconds timeout,
                    WaitDone done);
  // Answers every waiter now with the job's current record (at shutdown).
  void ReleaseWaiters();

  int busy_workers() const { return busy_.load(); }
  bool running() const { return started_ && !stopping_; }

 private:
  void WorkerLoop();
  void WatchLoop();
  void Run(const store::JobRecord& job);

  struct Waiter {
    std::string owner;
    std::string job_id;
    std::chrono::steady_clock::time_point deadline;
    WaitDone done;
  };

  store::MetadataStore& metadata_;
  const int worker_count_;
  const int max_attempts_;
  std::map<std::string, Executor> executors_;
  std::vector<std::thread> workers_;
  std::thread watcher_;
  CondVar watch_;     // a waiter was added, a job finished, or stopping
  std::vector<Waiter> waiters_ GUARDED_BY(mutex_);
  bool release_waiters_ GUARDED_BY(mutex_) = false;
  Mutex mutex_;
  CondVar wake_;      // a job was queued, or stopping
  std::atomic<bool> stopping_{false};
  bool work_pending_ GUARDED_BY(mutex_) = false;  // Notify() since a worker last looked
  uint64_t finished_count_ GUARDED_BY(mutex_) = 0;  // jobs finished by local workers
  bool started_ = false;
  std::atomic<int> busy_{0};
};

}  // namespace diamond::jobs
