// MetadataStore and AccountStore on SQL through SOCI. The embedded default is SQLite (WAL,
// synchronous=FULL, so an acknowledged write survives kill -9 and power loss); the same
// statements run on PostgreSQL, shared by many replicas and workers (what differs between
// the two lives in sql_dialect.h). The schema is versioned and migrated forward on open,
// once, under a database lock, however many processes start together.
//
// A pool of connections (SQLite: one, since it has a single writer anyway); each call
// leases one for one transaction. The hot path (real-time predict) never touches the
// database. The implementation is split by concern: sql_schema.cc, sql_dataset_store.cc,
// sql_model_store.cc, sql_job_store.cc, sql_query_store.cc, sql_account_store.cc.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "base/clock.h"
#include "store/account_store.h"
#include "store/metadata_store.h"
#include "store/sql_dialect.h"

namespace soci {
class connection_pool;
class session;
}  // namespace soci

namespace diamond::store {

inline constexpr int kSchemaVersion = 12;

// Both stores in one database: tenancy checks and account changes share transactions'
// guarantees, and the embedded default stays one file.
class SqlMetadataStore final : public MetadataStore, public AccountStore {
 public:
  // Opens (creating and migrating if needed) the database a URL names (sql_dialect.h),
  // with `pool_size` connections on PostgreSQL. FailedPrecondition if its schema is newer
  // than this build knows. `clock` stamps rows and decides leases (a test passes a fake).
  static Result<std::unique_ptr<SqlMetadataStore>> Open(const std::string& url, size_t pool_size,
                                                        const Clock& clock = SystemClock());
  // The SQLite database at `path` (a file, or ":memory:").
  static Result<std::unique_ptr<SqlMetadataStore>> OpenSqlite(const std::string& path,
                                                              const Clock& clock = SystemClock());
  SqlEngine engine() const { return engine_; }
  ~SqlMetadataStore() override;

  // DatasetStore (sql_dataset_store.cc)
  Result<std::pair<std::vector<DatasetRecord>, int64_t>> ListDatasets(const std::string& owner,
                                                                      Page page) override;
  Result<DatasetRecord> GetDataset(const std::string& owner, const std::string& id) override;
  Result<DatasetRecord> CommitDatasetVersion(const std::string& owner, const std::string& id,
                                             int64_t expected_current,
                                             const DatasetVersion& version,
                                             const StorageLimits& limits) override;
  Result<std::vector<DatasetVersion>> ListDatasetVersions(const std::string& owner,
                                                          const std::string& id) override;
  Result<DatasetVersion> GetDatasetVersion(const std::string& owner, const std::string& id,
                                           int64_t version) override;
  Result<std::vector<std::string>> DeleteDataset(const std::string& owner,
                                                 const std::string& id) override;
  Result<std::vector<std::string>> DeleteDatasetVersion(const std::string& owner,
                                                        const std::string& id,
                                                        int64_t version) override;
  Result<int64_t> StoredBytes(const std::string& owner) override;

  // UploadStore (sql_upload_store.cc)
  Status CreateUpload(const UploadRecord& upload) override;
  Result<UploadRecord> GetUpload(const std::string& owner, const std::string& id) override;
  Result<std::vector<UploadPart>> ListUploadParts(const std::string& owner,
                                                  const std::string& id) override;
  Status SetUploadParts(const std::string& owner, const std::string& id,
                        const std::string& expected_parts_id, const std::string& parts_key,
                        const std::string& parts_id, bool closed,
                        const std::vector<std::pair<int64_t, std::string>>& etags) override;
  Result<std::string> PutUploadPart(const std::string& owner, const std::string& id,
                                    const UploadPart& part, const std::string& parts_id) override;
  Result<JobRecord> QueueUploadCompletion(const std::string& owner, const std::string& upload_id,
                                          const JobRecord& job) override;
  Status FailUploadCompletion(const std::string& owner, const std::string& upload_id,
                              const std::string& job_id, const std::string& error_json) override;
  Result<DatasetRecord> CommitUploadedVersion(const std::string& owner,
                                              const std::string& upload_id,
                                              const std::string& job_id, int64_t expected_current,
                                              const DatasetVersion& version,
                                              const StorageLimits& limits) override;
  Result<std::vector<std::string>> DeleteUpload(const std::string& owner,
                                                const std::string& id) override;
  Result<std::vector<std::pair<std::string, std::string>>> ExpiredUploads(int64_t now_ms) override;

  // ModelStore (sql_model_store.cc)
  Result<std::pair<std::vector<ModelRecord>, int64_t>> ListModels(const std::string& viewer,
                                                                  Page page) override;
  Result<ModelRecord> GetModel(const std::string& owner, const std::string& id) override;
  Result<ModelRecord> FindModelFor(const std::string& viewer, const std::string& id) override;
  Status SetModelShared(const std::string& owner, const std::string& id, bool shared) override;
  Status StartTraining(const std::string& model_id, const std::string& request_json,
                       const JobRecord& job, const TrainingLimits& limits) override;
  Status FinishTraining(const std::string& job_id, int64_t attempt, const std::string& artifact_key,
                        const std::string& dataset_id, int64_t dataset_version,
                        const std::string& summary_json, bool promote,
                        int64_t versions_kept) override;
  Result<std::vector<std::string>> DeleteModel(const std::string& owner,
                                               const std::string& id) override;
  Result<ModelChanges> ModelChangesSince(int64_t seq) override;
  Result<std::vector<ModelVersionRecord>> ListModelVersions(const std::string& owner,
                                                            const std::string& id) override;
  Result<ModelRecord> MoveAlias(const std::string& owner, const std::string& id,
                                const std::string& alias, int64_t version, const std::string& actor,
                                const std::string& reason) override;
  Result<std::vector<AliasMove>> AliasHistory(const std::string& owner,
                                              const std::string& id) override;
  Result<std::vector<std::string>> DeleteModelVersion(const std::string& owner,
                                                      const std::string& id,
                                                      int64_t version) override;
  Status StartReproduction(const JobRecord& job, int64_t version,
                           const TrainingLimits& limits) override;
  Status FinishReproduction(const std::string& job_id, int64_t attempt, int64_t version,
                            const std::string& result_json, const std::string& detail) override;

  // JobQueue (sql_job_store.cc) and BatchPartStore (sql_batch_store.cc)
  Result<std::pair<std::vector<JobRecord>, int64_t>> ListJobs(const std::string& owner,
                                                              Page page) override;
  Result<JobRecord> GetJob(const std::string& owner, const std::string& id) override;
  Result<std::pair<std::vector<JobRecord>, int64_t>> ListAllJobs(const JobFilter& filter,
                                                                 Page page) override;
  Result<std::optional<JobRecord>> ClaimNextJob(const JobClaim& claim) override;
  Status RenewJobLease(const std::string& id, int64_t attempt, int64_t lease_ms) override;
  Result<int64_t> ExpireJobLeases() override;
  Status UpdateJobProgress(const std::string& id, int64_t attempt, double progress,
                           const std::string& detail) override;
  Result<JobRecord> CancelJob(const std::string& owner, const std::string& id) override;
  Result<std::vector<std::pair<std::string, int64_t>>> CountJobsByState() override;
  Status QueueJob(const JobRecord& job) override;
  Status CommitBatchPart(const std::string& job_id, int64_t attempt, const BatchPart& part,
                         double progress, const std::string& detail) override;
  Result<std::vector<BatchPart>> ListBatchParts(const std::string& owner,
                                                const std::string& job_id) override;
  Status FailJob(const std::string& job_id, int64_t attempt, const std::string& error) override;
  Status FinishJob(const std::string& job_id, int64_t attempt, const std::string& detail) override;

  // MaintenanceStore (sql_schema.cc)
  Result<bool> TryTakeLease(const std::string& name, const std::string& holder,
                            int64_t ttl_ms) override;
  Status ReleaseLease(const std::string& name, const std::string& holder) override;
  Result<std::vector<std::string>> ReferencedBlobKeys() override;
  Status Ping() override;

  // QueryStore (sql_query_store.cc)
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
  // This database's identity: random, made once when its schema is created (or migrated
  // to v10), never changed; a blob store is bound to it (store_binding.h).
  Result<std::string> DatabaseId();

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
  SqlMetadataStore(std::unique_ptr<soci::connection_pool> pool, SqlEngine engine,
                   const Clock& clock);
  Status Migrate();
  // Runs body(session) on a leased connection, retrying what is worth retrying
  // (sql_locked.h); the only way to a connection.
  template <typename Body>
  auto Locked(Body&& body) -> decltype(body(std::declval<soci::session&>()));

  std::unique_ptr<soci::connection_pool> pool_;  // thread-safe: it hands out connections
  SqlEngine engine_;
  const Clock& clock_;
  const std::string instance_id_;  // marks the model changes made through this object
};

}  // namespace diamond::store
