// ModelStore: models, the trainings that make their artifacts (fenced by the job's
// attempt), sharing, and the log of changes other replicas poll to drop cached copies.
//
// A port of the metadata store (metadata_store.h): every method is atomic (one
// transaction) and safe to call from many threads. Expected failures are values: NotFound
// for unknown ids, FailedPrecondition for a conflicting state (the message says which),
// IoError when the database fails.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/records.h"
#include "core/status.h"

namespace diamond::store {

class ModelStore {
 public:
  virtual ~ModelStore() = default;

  // Tenancy: rows belong to an owner (a user id). Every method that names one takes the
  // owner, and another owner's rows are NotFound — the store never reveals that they exist.
  // The only exception is a shared model, which every user may read (FindModelFor) but
  // only its owner may change.

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
    int64_t versions_kept = 5;      // the plan's model_versions_kept, for FinishTraining
  };
  // Creates the model (or marks an existing one as training) and queues `job` for it
  // (job.owner owns both). FailedPrecondition if the model is already training.
  virtual Status StartTraining(const std::string& model_id, const std::string& request_json,
                               const JobRecord& job, const TrainingLimits& limits) = 0;
  // Adds the job's artifact as the model's next version and, with `promote` (or when the
  // model has none yet), makes it the champion; then deletes the versions beyond the
  // newest `versions_kept` (>= 1) that are neither the champion nor named by an alias, in
  // the same transaction (their files go with the next blob GC, as do the dataset
  // versions kept only for them). FailedPrecondition if attempt
  // `attempt` no longer holds the job (cancelled, its lease lapsed and another worker took
  // it, or the model was deleted): a late worker never overwrites a newer attempt.
  virtual Status FinishTraining(const std::string& job_id, int64_t attempt,
                                const std::string& artifact_key, const std::string& dataset_id,
                                int64_t dataset_version, const std::string& summary_json,
                                bool promote, int64_t versions_kept) = 0;
  // Removes the model, its queries (whoever opened them) and jobs, and the dataset version
  // it was trained on if only it kept that version; returns blob keys to delete.
  virtual Result<std::vector<std::string>> DeleteModel(const std::string& owner,
                                                       const std::string& id) = 0;

  // Versions (issue 25). A training that succeeds adds an immutable version, numbered on
  // from the model's last, and makes it the champion (what the model serves). The newest
  // versions (as many as the owner's plan keeps) and the champion are kept; older ones are
  // deleted in the same transaction (their files go with the next blob GC).
  static constexpr char kChampionAlias[] = "champion";
  // The owner's model's kept versions, newest first.
  virtual Result<std::vector<ModelVersionRecord>> ListModelVersions(const std::string& owner,
                                                                    const std::string& id) = 0;
  // Points `alias` at `version`, recording the move with `actor` and `reason`; returns the
  // model as it now is. For kChampionAlias, version 0 means the champion before the current
  // one and the model then serves the version; for another alias, version 0 removes it (a
  // version an alias names is kept). NotFound for an unknown model, a version not kept or
  // an alias to remove that is not set; FailedPrecondition if there is no earlier champion,
  // or the alias names that version already.
  virtual Result<ModelRecord> MoveAlias(const std::string& owner, const std::string& id,
                                        const std::string& alias, int64_t version,
                                        const std::string& actor, const std::string& reason) = 0;
  // Every move of the model's aliases, newest first.
  virtual Result<std::vector<AliasMove>> AliasHistory(const std::string& owner,
                                                      const std::string& id) = 0;
  // Deletes a kept version no alias names (the champion included); returns blob keys to
  // delete: its file, and the segments of a dataset version that was kept only for it.
  // NotFound for an unknown model or version; FailedPrecondition for a version an alias
  // names (saying which).
  virtual Result<std::vector<std::string>> DeleteModelVersion(const std::string& owner,
                                                              const std::string& id,
                                                              int64_t version) = 0;

  // Reproductions: a job retrains a kept version from the data it was trained on and
  // records whether the result is identical. StartReproduction queues `job` (job.owner's
  // model job.model_id), counted against the owner's queued and running jobs like a
  // training (limits.max_training_jobs); NotFound if the version is not kept.
  virtual Status StartReproduction(const JobRecord& job, int64_t version,
                                   const TrainingLimits& limits) = 0;
  // Records `result_json` as the version's latest reproduction and ends the job as
  // succeeded with `detail`, fenced by attempt like FinishTraining (FailedPrecondition);
  // NotFound if the version was deleted meanwhile (the job is left to fail).
  virtual Status FinishReproduction(const std::string& job_id, int64_t attempt, int64_t version,
                                    const std::string& result_json, const std::string& detail) = 0;

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
};

}  // namespace diamond::store
