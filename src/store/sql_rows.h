// Shared by the SQL store's files: the column lists of each record, the readers that turn
// a row into a record, and lookups used inside several transactions. Internal to
// src/store; callers outside use the MetadataStore interface.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/records.h"
#include "core/status.h"
#include "store/metadata_store.h"

namespace soci {
class row;
class session;
}  // namespace soci

namespace diamond::store::sql {

inline constexpr long long kKeptModelChanges = 10000;  // entries of the model change log

extern const char* const kDatasetColumns;  // d = datasets, v = its current version
extern const char* const kModelColumns;
extern const char* const kJobColumns;
extern const char* const kQueryColumns;

DatasetRecord ReadDataset(const soci::row& r);  // without the segments (LoadSegments)
ModelRecord ReadModel(const soci::row& r);
JobRecord ReadJob(const soci::row& r);
QueryRecord ReadQuery(const soci::row& r);

long long Count(soci::session& sql, const std::string& query);

// The segments of one dataset version, in order (sql_dataset_store.cc).
std::vector<DatasetSegment> LoadSegments(soci::session& sql, const std::string& owner,
                                         const std::string& dataset_id, int64_t version);
// Deletes one dataset version and its segment rows, inside the caller's write transaction;
// returns the blob keys of its segments no other version still uses (sql_dataset_store.cc).
std::vector<std::string> DeleteVersionIn(soci::session& sql, const std::string& owner,
                                         const std::string& dataset_id, int64_t version);

// Deletes the versions of the owner's dataset `dataset_id` kept only for lineage that no
// kept model version names any more, once the dataset itself was deleted (nothing while it
// lives), inside the caller's write transaction; returns the freed segments' blob keys
// (sql_dataset_store.cc).
std::vector<std::string> ReleaseLineageVersionsIn(soci::session& sql, const std::string& owner,
                                                  const std::string& dataset_id);

// The fence every write of a running job's attempt passes: the job, or FailedPrecondition
// once it is no longer running, was asked to cancel, or another attempt holds it.
Result<JobRecord> HeldJob(soci::session& sql, const std::string& job_id, int64_t attempt);

// The owner's dataset with its current version.
std::optional<DatasetRecord> FindDataset(soci::session& sql, const std::string& owner,
                                         const std::string& id);
std::optional<JobRecord> FindJob(soci::session& sql, const std::string& id);
std::optional<ModelRecord> FindModel(soci::session& sql, const std::string& owner,
                                     const std::string& id);
// The viewer's own model, else the oldest shared model with that id.
std::optional<ModelRecord> FindModelVisibleTo(soci::session& sql, const std::string& viewer,
                                              const std::string& id);
// for_update: lock the row until the transaction ends (writers that read-then-write it
// wait for each other instead of colliding on the keys they derive from it).
std::optional<QueryRecord> FindQuery(soci::session& sql, const std::string& owner,
                                     const std::string& model_id, const std::string& id,
                                     bool for_update = false);

// Logs that what model (owner, id) serves changed (in the caller's write transaction): the
// generation goes up and the change is listed under it, for ModelChangesSince, with the
// store object (`origin`: one per process) that made it.
void RecordModelChange(soci::session& sql, const std::string& owner, const std::string& id,
                       const std::string& origin);

// After a job ends without an artifact: a model that was ready before stays ready with its
// previous artifact; one that never was is failed.
void SettleModelAfterJob(soci::session& sql, const JobRecord& job, const std::string& error,
                         const std::string& now);

// CommitDatasetVersion's checks and writes, inside the caller's write transaction
// (sql_dataset_store.cc): shared with the completion of an upload.
Result<DatasetRecord> CommitVersionIn(soci::session& sql, const std::string& owner,
                                      const std::string& id, int64_t expected_current,
                                      const DatasetVersion& version,
                                      const MetadataStore::StorageLimits& limits,
                                      const std::string& now);

}  // namespace diamond::store::sql
