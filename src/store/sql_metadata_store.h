// MetadataStore on SQL through SOCI. The embedded default is SQLite (WAL, synchronous=FULL,
// so an acknowledged write survives kill -9 and power loss); the same statements are
// written to run on PostgreSQL. The schema is versioned and migrated forward on open.
//
// One SOCI session guarded by a mutex: SQLite has a single writer anyway, and metadata
// calls are short; the hot path (real-time predict) never touches the database.
#pragma once

#include <memory>
#include <utility>
#include <string>

#include "base/mutex.h"
#include "store/account_store.h"
#include "store/metadata_store.h"

namespace soci {
class session;
}

namespace diamond::store {

inline constexpr int kSchemaVersion = 4;

// Both stores in one database: tenancy checks and account changes share transactions'
// guarantees, and the embedded default stays one file.
class SqlMetadataStore final : public MetadataStore, public AccountStore {
 public:
  // Opens (creating and migrating if needed) the SQLite database at `path`.
  static Result<std::unique_ptr<SqlMetadataStore>> OpenSqlite(const std::string& path);
  ~SqlMetadataStore() override;

  // MetadataStore (sql_metadata_store.cc)
  Result<std::pair<std::vector<DatasetRecord>, int64_t>> ListDatasets(const std::string& owner,
                                                                      Page page) override;
  Result<DatasetRecord> GetDataset(const std::string& owner, const std::string& id) override;
  Result<DatasetRecord> CommitDatasetVersion(const std::string& owner, const std::string& id,
                              int64_t expected_current, const DatasetVersion& version,
                              const StorageLimits& limits) override;
  Result<std::vector<DatasetVersion>> ListDatasetVersions(const std::string& owner,
                                                          const std::string& id) override;
  Result<std::vector<std::string>> DeleteDataset(const std::string& owner,
                                                 const std::string& id) override;
  Result<std::string> DeleteDatasetVersion(const std::string& owner, const std::string& id,
                                           int64_t version) override;
  Result<int64_t> StoredBytes(const std::string& owner) override;

  Result<std::pair<std::vector<ModelRecord>, int64_t>> ListModels(const std::string& viewer,
                                                                  Page page) override;
  Result<ModelRecord> GetModel(const std::string& owner, const std::string& id) override;
  Result<ModelRecord> FindModelFor(const std::string& viewer, const std::string& id) override;
  Status SetModelShared(const std::string& owner, const std::string& id, bool shared) override;
  Status StartTraining(const std::string& model_id, const std::string& request_json,
                       const JobRecord& job, const TrainingLimits& limits) override;
  Status FinishTraining(const std::string& job_id, const std::string& artifact_key,
                        const std::string& dataset_id, int64_t dataset_version,
                        const std::string& summary_json) override;
  Status FailTraining(const std::string& job_id, const std::string& error) override;
  Result<std::vector<std::string>> DeleteModel(const std::string& owner,
                                               const std::string& id) override;

  Result<std::pair<std::vector<JobRecord>, int64_t>> ListJobs(const std::string& owner,
                                                              Page page) override;
  Result<JobRecord> GetJob(const std::string& owner, const std::string& id) override;
  Result<std::optional<JobRecord>> ClaimNextJob() override;
  Status UpdateJobProgress(const std::string& id, double progress,
                           const std::string& detail) override;
  Result<JobRecord> CancelJob(const std::string& owner, const std::string& id) override;
  Result<int64_t> RequeueRunningJobs(int64_t max_attempts) override;
  Result<std::vector<std::pair<std::string, int64_t>>> CountJobsByState() override;

  Status CreateQuery(const QueryRecord& query) override;
  Result<QueryRecord> GetQuery(const std::string& owner, const std::string& model_id,
                               const std::string& id) override;
  Result<int64_t> AddQueryBatch(const std::string& owner, const std::string& model_id,
                                const std::string& id, const std::string& blob_key,
                                int64_t rows) override;
  Result<std::vector<std::string>> QueryBatchKeys(const std::string& id) override;
  Status SetQueryResults(const std::string& id, const std::string& results_key,
                         int64_t model_version) override;
  Result<std::vector<std::string>> DeleteQuery(const std::string& owner,
                                               const std::string& model_id,
                                               const std::string& id) override;
  Result<std::vector<std::string>> ReferencedBlobKeys() override;
  Status Ping() override;

  // AccountStore (sql_account_store.cc)
  Result<int64_t> Generation() override;
  Status CreateUser(const UserRecord& user) override;
  Result<UserRecord> GetUser(const std::string& id) override;
  Result<std::vector<UserRecord>> ListUsers() override;
  Status UpdateUser(const std::string& id, const std::optional<std::string>& role,
                    const std::optional<std::string>& plan,
                    const std::optional<bool>& disabled) override;
  Result<int64_t> CountUsers() override;
  Status CreateKey(const ApiKeyRecord& key) override;
  Result<std::vector<ApiKeyRecord>> ListKeys(const std::string& user_id) override;
  Status RevokeKey(const std::string& user_id, const std::string& key_id) override;
  Status TouchKeys(const std::vector<std::pair<std::string, std::string>>& used) override;
  Result<std::vector<PlanRecord>> ListPlans() override;
  Status PutPlan(const PlanRecord& plan) override;
  Status AddUsage(const std::vector<UsageRecord>& deltas) override;
  Result<std::vector<UsageRecord>> UsageForMonth(const std::string& month) override;
  Status Heartbeat(const ReplicaRecord& replica) override;
  Status RemoveReplica(const std::string& id) override;
  Result<std::vector<ReplicaRecord>> ListReplicas() override;

 private:
  explicit SqlMetadataStore(std::unique_ptr<soci::session> sql);
  Status Migrate();
  // Runs body(session) holding mutex_ (sql_locked.h); the only way to the session.
  template <typename Body>
  auto Locked(Body&& body) -> decltype(body(std::declval<soci::session&>()));

  Mutex mutex_;
  std::unique_ptr<soci::session> sql_ GUARDED_BY(mutex_);
};

}  // namespace diamond::store
