// MetadataStore: the durable index of datasets, models, training jobs and price queries.
// Implementations: SQLite (embedded default) and, next, PostgreSQL — one SOCI-based class
// serves both (sql_metadata_store.h). Bytes live in the BlobStore; rows here point to them.
//
// Every method is atomic (one transaction) and safe to call from many threads. Expected
// failures are values: NotFound for unknown ids, FailedPrecondition for a conflicting state
// (the message says which), IoError when the database fails.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/records.h"
#include "core/status.h"

namespace diamond::store {

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // Tenancy: datasets, models, jobs and queries belong to an owner (a user id). Every
  // method that names one takes the owner, and another owner's rows are NotFound — the
  // store never reveals that they exist. The only exception is a shared model, which
  // every user may read (FindModelFor) but only its owner may change.

  // --- datasets -------------------------------------------------------------------------
  virtual Result<std::pair<std::vector<DatasetRecord>, int64_t>> ListDatasets(
      const std::string& owner, Page page) = 0;
  virtual Result<DatasetRecord> GetDataset(const std::string& owner, const std::string& id) = 0;
  // The owner's plan limits on storage, checked in the commit's transaction so that
  // concurrent uploads cannot both slip under them.
  struct StorageLimits {
    int64_t max_stored_bytes = INT64_MAX;  // every kept version's bytes, summed
    int64_t max_datasets = INT64_MAX;      // datasets owned
  };
  // Makes `version` the dataset's current version. `expected_current` is the version the
  // caller built on (0 = the dataset must not exist yet); a mismatch is FailedPrecondition,
  // so concurrent writers never lose each other's rows. LimitExceeded (max_stored_bytes,
  // max_datasets) writes nothing. Returns the dataset as committed (read in the same
  // transaction: a caller never has to read again, and fail, after its write succeeded).
  virtual Result<DatasetRecord> CommitDatasetVersion(const std::string& owner,
                                                     const std::string& id,
                                                     int64_t expected_current,
                                                     const DatasetVersion& version,
                                                     const StorageLimits& limits) = 0;
  // Every kept version of the dataset, oldest first.
  virtual Result<std::vector<DatasetVersion>> ListDatasetVersions(const std::string& owner,
                                                                  const std::string& id) = 0;
  // Removes the dataset and every version no model was trained on; the versions models
  // were trained on stay (unlisted, still counted as stored) until those models are
  // deleted. Returns the blob keys of the segments no kept version uses any more, for the
  // caller to delete.
  virtual Result<std::vector<std::string>> DeleteDataset(const std::string& owner,
                                                         const std::string& id) = 0;
  // Removes one version; returns the blob keys of its segments no other version uses.
  // FailedPrecondition for the current version or one a model was trained on (naming it).
  virtual Result<std::vector<std::string>> DeleteDatasetVersion(const std::string& owner,
                                                                const std::string& id,
                                                                int64_t version) = 0;
  // Bytes of the owner's stored dataset segments (a segment shared by versions counts once).
  virtual Result<int64_t> StoredBytes(const std::string& owner) = 0;

  // --- multipart uploads ----------------------------------------------------------------
  virtual Status CreateUpload(const UploadRecord& upload) = 0;
  virtual Result<UploadRecord> GetUpload(const std::string& owner, const std::string& id) = 0;
  // The parts received, by number.
  virtual Result<std::vector<UploadPart>> ListUploadParts(const std::string& owner,
                                                          const std::string& id) = 0;
  // Records a part, replacing one with the same number; returns the replaced part's blob
  // key ("" if none), for the caller to delete. FailedPrecondition unless the upload takes
  // parts and they are still under the store's handle `parts_id` (UploadRecord): open,
  // not closed by a completion, not moved by a reopening.
  virtual Result<std::string> PutUploadPart(const std::string& owner, const std::string& id,
                                            const UploadPart& part,
                                            const std::string& parts_id) = 0;
  // Moves an upload's parts, if they are still under the handle `expected_parts_id`
  // (FailedPrecondition otherwise): to `parts_key`/`parts_id`, closed or not (a completion
  // closes them; a failed one reopens them, as copies under a new handle). `etags`, when
  // not empty, are the parts' tags under the new handle, by number.
  virtual Status SetUploadParts(const std::string& owner, const std::string& id,
                                const std::string& expected_parts_id, const std::string& parts_key,
                                const std::string& parts_id, bool closed,
                                const std::vector<std::pair<int64_t, std::string>>& etags) = 0;
  // CommitDatasetVersion, in the same transaction as marking the upload completed with that
  // version: FailedPrecondition (and nothing written) if the upload is not open any more —
  // two completions racing commit one version, and a completion cut short by a crash can
  // simply be run again. Returns the dataset as committed.
  // While a job completes the upload ("completing"), only that job (`job_id`) may commit;
  // a completion in the request passes "".
  virtual Result<DatasetRecord> CommitUploadedVersion(
      const std::string& owner, const std::string& upload_id, const std::string& job_id,
      int64_t expected_current, const DatasetVersion& version, const StorageLimits& limits) = 0;
  // Queues `job` to complete the upload and marks it "completing", in one transaction;
  // if a job is completing it already (queued or running), returns that job instead.
  // FailedPrecondition once completed.
  virtual Result<JobRecord> QueueUploadCompletion(const std::string& owner,
                                                  const std::string& upload_id,
                                                  const JobRecord& job) = 0;
  // The completion job `job_id` failed: the upload is open again (parts can be replaced,
  // completion retried) and remembers why (`error_json`, a problem document).
  virtual Status FailUploadCompletion(const std::string& owner, const std::string& upload_id,
                                      const std::string& job_id, const std::string& error_json) = 0;
  // Removes the upload and its parts; returns the blobs they leave: parts of an upload from
  // before v9, and the blob the parts assemble into (which may not exist).
  virtual Result<std::vector<std::string>> DeleteUpload(const std::string& owner,
                                                        const std::string& id) = 0;
  // Uploads (owner, id) whose expiry is before now_ms, for the sweeper to delete.
  virtual Result<std::vector<std::pair<std::string, std::string>>> ExpiredUploads(
      int64_t now_ms) = 0;

  // --- models and training jobs ---------------------------------------------------------
  // The owner's models and every shared model, by id.
  virtual Result<std::pair<std::vector<ModelRecord>, int64_t>> ListModels(const std::string& viewer,
                                                                          Page page) = 0;
  // The owner's own model.
  virtual Result<ModelRecord> GetModel(const std::string& owner, const std::string& id) = 0;
  // What `viewer` means by model `id`: their own, else a shared model with that id.
  virtual Result<ModelRecord> FindModelFor(const std::string& viewer, const std::string& id) = 0;
  // Shares or unshares the owner's model.
  virtual Status SetModelShared(const std::string& owner, const std::string& id, bool shared) = 0;
  // The owner's plan limits StartTraining checks in its transaction, so concurrent
  // requests cannot both slip under them.
  struct TrainingLimits {
    int64_t max_models = 0;         // models owned: a new one beyond is LimitExceeded
    int64_t max_training_jobs = 0;  // queued or running at once: beyond is QuotaExceeded
  };
  // Creates the model (or marks an existing one as training) and queues `job` for it
  // (job.owner owns both). FailedPrecondition if the model is already training.
  virtual Status StartTraining(const std::string& model_id, const std::string& request_json,
                               const JobRecord& job, const TrainingLimits& limits) = 0;
  // Makes the job's artifact the model's current one. FailedPrecondition if attempt
  // `attempt` no longer holds the job (cancelled, its lease lapsed and another worker took
  // it, or the model was deleted): a late worker never overwrites a newer attempt.
  virtual Status FinishTraining(const std::string& job_id, int64_t attempt,
                                const std::string& artifact_key, const std::string& dataset_id,
                                int64_t dataset_version, const std::string& summary_json) = 0;
  // Ends attempt `attempt` as failed (cancelled if cancellation was asked); the same fence.
  virtual Status FailTraining(const std::string& job_id, int64_t attempt,
                              const std::string& error) = 0;
  // Removes the model, its queries (whoever opened them) and jobs, and the dataset version
  // it was trained on if only it kept that version; returns blob keys to delete.
  virtual Result<std::vector<std::string>> DeleteModel(const std::string& owner,
                                                       const std::string& id) = 0;

  // What models changed (retrained, deleted, shared or unshared) after change `seq`,
  // through other store objects (other processes: this one's own changes were applied to
  // its cache when made): replicas poll this to drop cached copies. `complete` is false
  // when the log no longer reaches back to `seq` (then every cached model must go).
  struct ModelChanges {
    int64_t latest = 0;
    bool complete = true;
    std::vector<std::pair<std::string, std::string>> models;  // (owner, id)
  };
  virtual Result<ModelChanges> ModelChangesSince(int64_t seq) = 0;

  // --- jobs -----------------------------------------------------------------------------
  virtual Result<std::pair<std::vector<JobRecord>, int64_t>> ListJobs(const std::string& owner,
                                                                      Page page) = 0;
  virtual Result<JobRecord> GetJob(const std::string& owner, const std::string& id) = 0;
  // Every owner's jobs, newest first, narrowed by the filter's fields that are not empty.
  virtual Result<std::pair<std::vector<JobRecord>, int64_t>> ListAllJobs(const JobFilter& filter,
                                                                         Page page) = 0;
  // A worker's claim on jobs: who it is, how long a lease lasts unrenewed, and how many
  // starts a job gets before it fails for stopping its worker each time.
  struct JobClaim {
    std::string worker;
    int64_t lease_ms = 30000;
    int64_t max_attempts = 3;
  };
  // First settles jobs whose lease lapsed (their worker died or lost the database): back
  // in the queue, or failed once started max_attempts times (a job that kills its process
  // would otherwise kill one after another). Then claims the oldest queued job, if any:
  // running, attempts + 1, leased to claim.worker for lease_ms. Concurrent claimers, in
  // this process or others, never get the same job.
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
  // --- batch predictions (jobs of kind "batch-predict") --------------------------------
  // Queues a job that belongs to no training (its model_id names the model it uses).
  virtual Status QueueJob(const JobRecord& job) = 0;
  // Records part `part` of attempt `attempt`'s result (replacing one of that number a lost
  // attempt may have left) with the job's progress, in one transaction; FailedPrecondition
  // if the attempt no longer holds the job. The parts recorded are what a later attempt
  // resumes after.
  virtual Status CommitBatchPart(const std::string& job_id, int64_t attempt, const BatchPart& part,
                                 double progress, const std::string& detail) = 0;
  // The owner's job's committed parts, by number.
  virtual Result<std::vector<BatchPart>> ListBatchParts(const std::string& owner,
                                                        const std::string& job_id) = 0;
  // Ends the attempt as succeeded (same fence as FinishTraining), keeping `detail`.
  virtual Status FinishJob(const std::string& job_id, int64_t attempt,
                           const std::string& detail) = 0;

  // Jobs per state, for /metrics.
  virtual Result<std::vector<std::pair<std::string, int64_t>>> CountJobsByState() = 0;

  // --- maintenance ----------------------------------------------------------------------
  // A named, expiring lock shared by every process on the store: true if `holder` has it
  // now (it was free, expired, or already theirs) until ttl_ms from now.
  virtual Result<bool> TryTakeLease(const std::string& name, const std::string& holder,
                                    int64_t ttl_ms) = 0;
  virtual Status ReleaseLease(const std::string& name, const std::string& holder) = 0;

  // --- price queries --------------------------------------------------------------------
  virtual Status CreateQuery(const QueryRecord& query) = 0;
  // The owner's query `id` on model `model_id` (as the owner resolves that model).
  virtual Result<QueryRecord> GetQuery(const std::string& owner, const std::string& model_id,
                                       const std::string& id) = 0;
  // Appends a batch as the next number, in one write transaction: concurrent appends
  // are serialized here and each gets its own number (1, 2, … with no gap).
  // FailedPrecondition if the results are already computed. Returns the batch's number.
  virtual Result<int64_t> AddQueryBatch(const std::string& owner, const std::string& model_id,
                                        const std::string& id, const std::string& blob_key,
                                        int64_t rows) = 0;
  // The batches' blob keys, in order (query ids are global).
  virtual Result<std::vector<std::string>> QueryBatchKeys(const std::string& id) = 0;
  // Records computed results once; FailedPrecondition if they were already recorded.
  virtual Status SetQueryResults(const std::string& id, const std::string& results_key,
                                 int64_t model_version) = 0;
  // Removes the query; returns blob keys to delete.
  virtual Result<std::vector<std::string>> DeleteQuery(const std::string& owner,
                                                       const std::string& model_id,
                                                       const std::string& id) = 0;

  // Every blob key any row points at (dataset versions, model artifacts, query batches
  // and results, upload parts, batch prediction parts): what the blob store must keep.
  virtual Result<std::vector<std::string>> ReferencedBlobKeys() = 0;

  // True if the database answers.
  virtual Status Ping() = 0;
};

}  // namespace diamond::store
