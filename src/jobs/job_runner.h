// JobRunner: in-process workers that claim queued jobs from the metadata store and run
// them. The queue lives in the database and many processes (`diamond serve` replicas,
// `diamond worker`s) claim from it. A claimed job is leased to its worker, which renews
// the lease while the job runs (a thread here); if the worker dies or loses the database,
// the lease lapses and another worker claims the job (attempts + 1). Results are fenced by
// attempt: a worker whose lease lapsed cannot record anything over a newer attempt, and
// stops at its next cancellation check.
//
// Thread-safe. Start() once, Stop() once (the destructor stops too).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "service/job_events.h"
#include "store/job_queue.h"

namespace diamond::jobs {

// What a running job may ask of the runner.
class JobContext {
 public:
  // `lost` turns true when the attempt's lease could not be renewed (the runner's lease
  // thread sets it): the job must stop, another attempt may hold it now.
  JobContext(store::JobQueue& job_queue, const JobRecord& job,
             std::shared_ptr<std::atomic<bool>> lost = std::make_shared<std::atomic<bool>>(false))
      : job_queue_(job_queue),
        owner_(job.owner),
        job_id_(job.id),
        attempt_(job.attempts),
        lost_(std::move(lost)) {}
  // True once someone asked to cancel (checked in the database) or the lease was lost.
  bool CancelRequested();
  void ReportProgress(double fraction, const std::string& detail = {});

 private:
  store::JobQueue& job_queue_;
  std::string owner_;
  std::string job_id_;
  int64_t attempt_;
  std::shared_ptr<std::atomic<bool>> lost_;
  int logged_quarter_ = 0;  // progress milestones logged so far (25, 50, 75 %)
};

// Records that this attempt of a job failed; true when it did (this attempt ended the job).
// If the store refuses, it is logged: a lost attempt is simply over; otherwise the job
// stays running until its lease lapses, and is retried up to the attempt cap.
bool RecordJobFailure(store::JobQueue& job_queue, const JobRecord& job, const std::string& error);

struct JobRunnerOptions {
  // 0: jobs are only queued here, for other processes to run. Two, so that with the
  // per-owner cap below one tenant's long training never holds the only worker.
  int workers = 2;
  int max_attempts = 3;  // starts of one job before it fails for stopping its worker each time
  std::chrono::milliseconds lease{30000};  // renewed every third of it while a job runs
  // Only for a process that holds its storage alone (the embedded default's data-dir
  // lock): at start, jobs its previous run left running are reclaimed at once.
  bool reclaim_at_start = false;
  // An owner runs at most this many jobs at once (of kinds not in short_kinds), across
  // every process on the storage; 0 picks workers − 1, at least 1, so that one worker
  // stays free for other owners (store::JobQueue::JobClaim).
  int max_running_per_owner = 0;
  // Quick kinds that must never wait behind long jobs (upload completions): one more
  // worker claims only these, and the per-owner cap neither holds nor counts them. The
  // wiring (app/) names them.
  std::vector<std::string> short_kinds;
};

class JobRunner final : public service::JobEvents {
 public:
  // Runs one job to its end: it must record success or failure in the store itself.
  using Executor = std::function<void(const JobRecord& job, JobContext& context)>;

  JobRunner(store::JobQueue& job_queue, JobRunnerOptions options);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void SetExecutor(const std::string& kind, Executor executor);  // before Start()
  // Starts the workers and the lease thread (and, with reclaim_at_start, first lets the
  // leases of jobs a previous run of this process left lapse).
  Status Start();
  // Stops claiming jobs and waits for the running ones; a job still unfinished (a stuck
  // one) keeps its lease until it lapses, then another worker claims it.
  void Stop();

  // Wakes a worker: a job was just queued.
  void Notify() override;
  // Calls `done` once, on the runner's watcher thread, with the job's record when it has
  // finished, or with its latest record when `timeout` passes (or the runner stops, or
  // ReleaseWaiters is called). No thread is held while waiting: a request waiting for
  // training costs a list entry, not a worker.
  void WhenFinished(std::string owner, std::string job_id, std::chrono::milliseconds timeout,
                    WaitDone done) override;
  // Answers every waiter now with the job's current record (at shutdown).
  void ReleaseWaiters() override;

  int busy_workers() const { return busy_.load(); }
  const std::string& worker_id() const { return worker_id_; }
  bool running() const override { return started_ && !stopping_; }

 private:
  void WorkerLoop(store::JobQueue::JobClaim claim);
  void WatchLoop();
  void LeaseLoop();
  void Run(const JobRecord& job);

  // A job a local worker is running, for the lease thread.
  struct Held {
    int64_t attempt;
    std::shared_ptr<std::atomic<bool>> lost;
  };

  struct Waiter {
    std::string owner;
    std::string job_id;
    std::chrono::steady_clock::time_point deadline;
    WaitDone done;
  };

  store::JobQueue& job_queue_;
  const JobRunnerOptions options_;
  const std::string worker_id_;  // host:pid:random, the lease holder's name in the store
  std::map<std::string, Executor> executors_;
  std::vector<std::thread> workers_;
  std::thread watcher_;
  std::thread leaser_;
  CondVar lease_wake_;  // stopping
  std::map<std::string, Held> held_ GUARDED_BY(mutex_);
  CondVar watch_;  // a waiter was added, a job finished, or stopping
  std::vector<Waiter> waiters_ GUARDED_BY(mutex_);
  bool release_waiters_ GUARDED_BY(mutex_) = false;
  Mutex mutex_;
  CondVar wake_;  // a job was queued, or stopping
  std::atomic<bool> stopping_{false};
  bool work_pending_ GUARDED_BY(mutex_) = false;    // Notify() since a worker last looked
  uint64_t finished_count_ GUARDED_BY(mutex_) = 0;  // jobs finished by local workers
  bool started_ = false;
  std::atomic<int> busy_{0};
};

}  // namespace diamond::jobs
