// JobQueue: background jobs (training, batch prediction, upload completion) — queued,
// claimed under a lease by one worker at a time, fenced by attempt, cancelled, listed.
//
// A port of the metadata store (metadata_store.h): every method is atomic (one
// transaction) and safe to call from many threads. Expected failures are values: NotFound
// for unknown ids, FailedPrecondition for a conflicting state (the message says which),
// IoError when the database fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/records.h"
#include "core/status.h"

namespace diamond::store {

class JobQueue {
 public:
  virtual ~JobQueue() = default;

  // Tenancy: rows belong to an owner (a user id). Every method that names one takes the
  // owner, and another owner's rows are NotFound — the store never reveals that they exist.

  virtual Result<std::pair<std::vector<JobRecord>, int64_t>> ListJobs(const std::string& owner,
                                                                      Page page) = 0;
  virtual Result<JobRecord> GetJob(const std::string& owner, const std::string& id) = 0;
  // Every owner's jobs, newest first, narrowed by the filter's fields that are not empty.
  virtual Result<std::pair<std::vector<JobRecord>, int64_t>> ListAllJobs(const JobFilter& filter,
                                                                         Page page) = 0;
  // A worker's claim on jobs: who it is, how long a lease lasts unrenewed, and how many
  // starts a job gets before it fails for stopping its worker each time.
  // (The values are the claimer's to choose: jobs::JobRunnerOptions holds their defaults.)
  // Fairness between owners: among the queued jobs a claim may take, the job of the owner
  // with the fewest jobs running goes first (then the oldest), and an owner already running
  // max_running_per_owner jobs gets no more until one ends, so one tenant's long jobs
  // cannot hold every worker. Jobs of `short_kinds` are neither held back by the cap nor
  // counted in it; `only_kinds` makes a lane that claims those kinds alone.
  struct JobClaim {
    std::string worker;
    int64_t lease_ms = 0;
    int64_t max_attempts = 0;
    int64_t max_running_per_owner = 0;     // 0: no cap
    std::vector<std::string> short_kinds;  // exempt from the cap
    std::vector<std::string> only_kinds;   // empty: every kind
  };
  // First settles jobs whose lease lapsed (their worker died or lost the database): back
  // in the queue, or failed once started max_attempts times (a job that kills its process
  // would otherwise kill one after another). Then claims the next queued job by the rules
  // of JobClaim, if any: running, attempts + 1, leased to claim.worker for lease_ms.
  // Concurrent claimers, in this process or others, never get the same job, and claims
  // across processes take turns, so the cap holds cluster-wide.
  virtual Result<std::optional<JobRecord>> ClaimNextJob(const JobClaim& claim) = 0;
  // Extends attempt `attempt`'s lease. FailedPrecondition if it no longer holds the job.
  virtual Status RenewJobLease(const std::string& id, int64_t attempt, int64_t lease_ms) = 0;
  // Lets every lease lapse now. Only for a process that holds the data directory alone
  // (the embedded default), at start: what its previous run left is reclaimed at once
  // instead of after the lease. Returns how many jobs were running.
  virtual Result<int64_t> ExpireJobLeases() = 0;
  // Fenced by attempt like FinishTraining; progress of a lost attempt is dropped.
  virtual Status UpdateJobProgress(const std::string& id, int64_t attempt, double progress,
                                   const std::string& detail) = 0;
  // Queued: cancelled at once. Running: cancel_requested, the worker stops at its next check.
  // Finished: FailedPrecondition.
  virtual Result<JobRecord> CancelJob(const std::string& owner, const std::string& id) = 0;
  // Queues a job that belongs to no training (its model_id names the model it uses).
  virtual Status QueueJob(const JobRecord& job) = 0;
  // Ends attempt `attempt` of any job as failed (cancelled if cancellation was asked),
  // fenced like FinishJob; a training's model is settled in the same transaction (back to
  // its previous artifact, or failed if it had none).
  virtual Status FailJob(const std::string& job_id, int64_t attempt, const std::string& error) = 0;
  // Ends the attempt as succeeded (fenced like ModelStore::FinishTraining), keeping `detail`.
  virtual Status FinishJob(const std::string& job_id, int64_t attempt,
                           const std::string& detail) = 0;

  // Jobs per state, for /metrics.
  virtual Result<std::vector<std::pair<std::string, int64_t>>> CountJobsByState() = 0;
};

}  // namespace diamond::store
