#include "jobs/job_runner.h"

#include <unistd.h>

#include "base/logger.h"
#include "core/ids.h"

namespace diamond::jobs {

namespace {

std::string NewWorkerId() {
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + NewId().substr(0, 8);
}

}  // namespace

bool JobContext::CancelRequested() {
  if (lost_->load()) return true;
  auto job = job_queue_.GetJob(owner_, job_id_);
  // A job whose record vanished (model deleted) is as good as cancelled; so is one that
  // another attempt holds now.
  return !job.ok() || job->cancel_requested || job->attempts != attempt_ ||
         job->state != JobState::kRunning;
}

void JobContext::ReportProgress(double fraction, const std::string& detail) {
  // For operators following a long job in the log: a line at each quarter it passes.
  if (const int quarter = static_cast<int>(fraction * 4);
      quarter > logged_quarter_ && quarter < 4) {
    logged_quarter_ = quarter;
    Log(LogLevel::kInfo, "job progress",
        {{"job_id", job_id_},
         {"owner", owner_},
         {"attempt", attempt_},
         {"percent", quarter * 25},
         {"detail", detail}});
  }
  // Progress is advice to whoever watches; training goes on if it cannot be recorded.
  if (Status s = job_queue_.UpdateJobProgress(job_id_, attempt_, fraction, detail); !s.ok()) {
    Log(LogLevel::kWarn, "could not record a job's progress",
        {{"job_id", job_id_}, {"error", s.message()}});
  }
}

bool RecordJobFailure(store::JobQueue& job_queue, const JobRecord& job, const std::string& error) {
  Status s = job_queue.FailJob(job.id, job.attempts, error);
  if (s.ok()) return true;
  if (s.code() == StatusCode::kFailedPrecondition) {
    Log(LogLevel::kInfo, "a job attempt ended after it lost the job; nothing recorded",
        {{"job_id", job.id}, {"attempt", job.attempts}, {"failure", error}});
    return false;
  }
  Log(LogLevel::kError, "could not record a job's failure",
      {{"job_id", job.id}, {"failure", error}, {"error", s.message()}});
  return false;
}

JobRunner::JobRunner(store::JobQueue& job_queue, JobRunnerOptions options)
    : job_queue_(job_queue), options_(options), worker_id_(NewWorkerId()) {}

JobRunner::~JobRunner() { Stop(); }

void JobRunner::SetExecutor(const std::string& kind, Executor executor) {
  executors_[kind] = std::move(executor);
}

Status JobRunner::Start() {
  started_ = true;
  watcher_ = std::thread([this] { WatchLoop(); });
  if (options_.workers <= 0) return Status::Ok();
  if (options_.reclaim_at_start) {
    auto expired = job_queue_.ExpireJobLeases();
    if (!expired.ok()) return expired.status();
    if (*expired > 0) {
      Log(LogLevel::kInfo, "reclaiming jobs left running by this process's previous run",
          {{"count", *expired}});
    }
  }
  leaser_ = std::thread([this] { LeaseLoop(); });
  store::JobQueue::JobClaim claim{worker_id_, options_.lease.count(), options_.max_attempts};
  claim.max_running_per_owner = options_.max_running_per_owner > 0
                                    ? options_.max_running_per_owner
                                    : std::max(1, options_.workers - 1);
  claim.short_kinds = options_.short_kinds;
  for (int i = 0; i < options_.workers; ++i)
    workers_.emplace_back([this, claim] { WorkerLoop(claim); });
  if (!options_.short_kinds.empty()) {
    store::JobQueue::JobClaim lane = claim;
    lane.only_kinds = options_.short_kinds;
    workers_.emplace_back([this, lane] { WorkerLoop(lane); });
  }
  return Status::Ok();
}

void JobRunner::Stop() {
  {
    MutexLock lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  watch_.notify_all();
  if (watcher_.joinable()) watcher_.join();  // answers every waiter first
  for (auto& worker : workers_) worker.join();
  workers_.clear();
  lease_wake_.notify_all();
  if (leaser_.joinable()) leaser_.join();  // after the workers: running jobs keep their leases
}

void JobRunner::LeaseLoop() {
  MutexLock lock(mutex_);
  while (!stopping_ || !held_.empty()) {
    lease_wake_.wait_for(lock, options_.lease / 3,
                         [this]() REQUIRES(mutex_) { return stopping_.load() && held_.empty(); });
    std::vector<std::pair<std::string, Held>> held(held_.begin(), held_.end());
    lock.Unlock();
    for (const auto& [job_id, job] : held) {
      Status s = job_queue_.RenewJobLease(job_id, job.attempt, options_.lease.count());
      if (s.code() == StatusCode::kFailedPrecondition) {
        // Cancelled, finished, or taken over after a lapse: the attempt must stop.
        job.lost->store(true);
      } else if (!s.ok()) {
        Log(LogLevel::kWarn, "could not renew a job's lease; retrying",
            {{"job_id", job_id}, {"error", s.message()}});
      }
    }
    lock.Lock();
  }
}

void JobRunner::Notify() {
  {
    MutexLock lock(mutex_);
    work_pending_ = true;  // under the lock, so a worker about to sleep cannot miss it
  }
  wake_.notify_all();  // the job may be of a kind only one of the workers claims
}

void JobRunner::WorkerLoop(store::JobQueue::JobClaim claim) {
  while (!stopping_) {
    {
      MutexLock lock(mutex_);
      work_pending_ = false;  // whatever was announced so far, the claim below will see
    }
    auto job = job_queue_.ClaimNextJob(claim);
    if (job.ok() && job->has_value()) {
      ++busy_;
      Run(**job);
      --busy_;
      {
        MutexLock lock(mutex_);
        ++finished_count_;
      }
      watch_.notify_all();
      continue;
    }
    // Nothing queued (or the database hiccupped): sleep until woken, and look again now
    // and then for jobs queued by other processes.
    MutexLock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(500),
                   [this]() REQUIRES(mutex_) { return stopping_.load() || work_pending_; });
  }
}

void JobRunner::Run(const JobRecord& job) {
  // What an operator needs to follow a job across workers: its id, kind, owner, attempt.
  const nlohmann::json about = {{"job_id", job.id},
                                {"kind", job.kind},
                                {"owner", job.owner},
                                {"attempt", job.attempts},
                                {"worker", worker_id_}};
  if (job.attempts > 1) {
    // An earlier attempt's worker stopped without finishing it: died, or lost its lease.
    Log(LogLevel::kWarn, "job taken over: an earlier attempt did not finish", about);
  } else {
    Log(LogLevel::kInfo, "job claimed", about);
  }
  const auto started = std::chrono::steady_clock::now();
  auto executor = executors_.find(job.kind);
  if (executor == executors_.end()) {
    RecordJobFailure(job_queue_, job, "no executor for job kind '" + job.kind + "'");
    return;
  }
  auto lost = std::make_shared<std::atomic<bool>>(false);
  {
    MutexLock lock(mutex_);
    held_[job.id] = Held{job.attempts, lost};
  }
  JobContext context(job_queue_, job, lost);
  try {
    executor->second(job, context);
  } catch (const std::exception& e) {
    // An executor bug must not take the process down or leave the job running forever.
    RecordJobFailure(job_queue_, job, std::string("internal error: ") + e.what());
  }
  {
    MutexLock lock(mutex_);
    held_.erase(job.id);
  }
  nlohmann::json ended = about;
  ended["seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto record = job_queue_.GetJob(job.owner, job.id);
  if (record.ok()) {
    ended["state"] = std::string(JobStateName(record->state));
    if (!record->error.empty()) ended["error"] = record->error;
  }
  const bool failed = record.ok() && record->state == JobState::kFailed;
  Log(failed ? LogLevel::kWarn : LogLevel::kInfo, failed ? "job failed" : "job ended", ended);
}

void JobRunner::WhenFinished(std::string owner, std::string job_id,
                             std::chrono::milliseconds timeout, WaitDone done) {
  {
    MutexLock lock(mutex_);
    if (!stopping_) {
      waiters_.push_back({std::move(owner), std::move(job_id),
                          std::chrono::steady_clock::now() + timeout, std::move(done)});
      watch_.notify_all();
      return;
    }
  }
  done(job_queue_.GetJob(owner, job_id));  // stopping: answer with what there is
}

void JobRunner::ReleaseWaiters() {
  {
    MutexLock lock(mutex_);
    release_waiters_ = true;
  }
  watch_.notify_all();
}

void JobRunner::WatchLoop() {
  MutexLock lock(mutex_);
  uint64_t seen = finished_count_;
  while (true) {
    const bool stop = stopping_.load();
    const bool release = release_waiters_ || stop;
    release_waiters_ = false;
    // Look at each waiting job: answer those that finished, timed out or are released.
    // Other processes' workers finish jobs too, hence the regular look even unwoken.
    std::vector<Waiter> waiting;
    waiting.swap(waiters_);
    seen = finished_count_;
    lock.Unlock();
    std::vector<Waiter> keep;
    const auto now = std::chrono::steady_clock::now();
    for (Waiter& waiter : waiting) {
      auto job = job_queue_.GetJob(waiter.owner, waiter.job_id);
      if (release || now >= waiter.deadline || !job.ok() || IsFinished(job->state)) {
        waiter.done(std::move(job));
      } else {
        keep.push_back(std::move(waiter));
      }
    }
    lock.Lock();
    for (Waiter& waiter : keep) waiters_.push_back(std::move(waiter));
    if (stop) return;
    auto next = std::chrono::steady_clock::now() + std::chrono::milliseconds(250);
    for (const Waiter& waiter : waiters_) next = std::min(next, waiter.deadline);
    const size_t count = waiters_.size();
    watch_.wait_until(lock, next, [&]() REQUIRES(mutex_) {
      return stopping_.load() || release_waiters_ || finished_count_ != seen ||
             waiters_.size() != count;
    });
  }
}

}  // namespace diamond::jobs
