// Row readers and lookups shared by the SQL store's files (see sql_rows.h).
#include "store/sql_rows.h"

#include <soci/soci.h>

#include "store/sql_dialect.h"

namespace diamond::store::sql {

using ll = long long;  // SOCI exchanges 64-bit integers as long long

const char* const kDatasetColumns =
    "d.owner, d.id, d.created_at, d.updated_at, v.version, v.sha256_state, v.rows_count, v.bytes, "
    "v.sha256,"
    " v.stats_json, v.created_at";
const char* const kModelColumns =
    "owner, id, shared, status, request_json, job_id, error, version, artifact_key, dataset_id,"
    " dataset_version, summary_json, created_at, updated_at";
const char* const kJobColumns =
    "owner, id, kind, model_id, state, progress, error, payload_json, attempts,"
    " cancel_requested, created_at, started_at, finished_at, progress_detail";
const char* const kQueryColumns =
    "owner, id, model_owner, model_id, batches, rows_count, results_key, model_version,"
    " created_at";

DatasetRecord ReadDataset(const soci::row& r) {
  DatasetRecord d;
  d.owner = r.get<std::string>(0);
  d.id = r.get<std::string>(1);
  d.created_at = r.get<std::string>(2);
  d.updated_at = r.get<std::string>(3);
  d.current.version = r.get<ll>(4);
  d.current.sha256_state = r.get<std::string>(5);
  d.current.rows = r.get<ll>(6);
  d.current.bytes = r.get<ll>(7);
  d.current.sha256 = r.get<std::string>(8);
  d.current.stats_json = r.get<std::string>(9);
  d.current.created_at = r.get<std::string>(10);
  return d;
}

ModelStatus ParseModelStatus(const std::string& s) {
  if (s == "ready") return ModelStatus::kReady;
  if (s == "failed") return ModelStatus::kFailed;
  return ModelStatus::kTraining;
}

ModelRecord ReadModel(const soci::row& r) {
  ModelRecord m;
  m.owner = r.get<std::string>(0);
  m.id = r.get<std::string>(1);
  m.shared = r.get<ll>(2) != 0;
  m.status = ParseModelStatus(r.get<std::string>(3));
  m.request_json = r.get<std::string>(4);
  m.job_id = r.get<std::string>(5);
  m.error = r.get<std::string>(6);
  m.version = r.get<ll>(7);
  m.artifact_key = r.get<std::string>(8);
  m.dataset_id = r.get<std::string>(9);
  m.dataset_version = r.get<ll>(10);
  m.summary_json = r.get<std::string>(11);
  m.created_at = r.get<std::string>(12);
  m.updated_at = r.get<std::string>(13);
  return m;
}

JobState ParseJobState(const std::string& s) {
  for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kSucceeded,
                         JobState::kFailed, JobState::kCancelled}) {
    if (JobStateName(state) == s) return state;
  }
  return JobState::kFailed;
}

JobRecord ReadJob(const soci::row& r) {
  JobRecord j;
  j.owner = r.get<std::string>(0);
  j.id = r.get<std::string>(1);
  j.kind = r.get<std::string>(2);
  j.model_id = r.get<std::string>(3);
  j.state = ParseJobState(r.get<std::string>(4));
  j.progress = r.get<double>(5);
  j.error = r.get<std::string>(6);
  j.payload_json = r.get<std::string>(7);
  j.attempts = r.get<ll>(8);
  j.cancel_requested = r.get<ll>(9) != 0;
  j.created_at = r.get<std::string>(10);
  j.started_at = r.get<std::string>(11);
  j.finished_at = r.get<std::string>(12);
  j.progress_detail = r.get<std::string>(13);
  return j;
}

QueryRecord ReadQuery(const soci::row& r) {
  QueryRecord q;
  q.owner = r.get<std::string>(0);
  q.id = r.get<std::string>(1);
  q.model_owner = r.get<std::string>(2);
  q.model_id = r.get<std::string>(3);
  q.batches = r.get<ll>(4);
  q.rows = r.get<ll>(5);
  q.results_key = r.get<std::string>(6);
  q.model_version = r.get<ll>(7);
  q.created_at = r.get<std::string>(8);
  return q;
}

ll Count(soci::session& sql, const std::string& query) {
  ll count = 0;
  sql << query, soci::into(count);
  return count;
}

// The owner's dataset with its current version.
std::optional<DatasetRecord> FindDataset(soci::session& sql, const std::string& owner,
                                         const std::string& id) {
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT " << kDatasetColumns
                   << " FROM datasets d JOIN dataset_versions v ON v.owner = d.owner AND"
                      " v.dataset_id = d.id AND v.version = d.current_version"
                      " WHERE d.owner = :o AND d.id = :id",
       soci::use(owner), soci::use(id));
  std::optional<DatasetRecord> found;
  for (const auto& r : rows) found = ReadDataset(r);
  if (found) found->current.segments = LoadSegments(sql, owner, id, found->current.version);
  return found;
}

std::optional<JobRecord> FindJob(soci::session& sql, const std::string& id) {
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT " << kJobColumns << " FROM jobs WHERE id = :id", soci::use(id));
  for (const auto& r : rows) return ReadJob(r);
  return std::nullopt;
}

std::optional<ModelRecord> FindModel(soci::session& sql, const std::string& owner,
                                     const std::string& id) {
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT " << kModelColumns << " FROM models WHERE owner = :o AND id = :id",
       soci::use(owner), soci::use(id));
  for (const auto& r : rows) return ReadModel(r);
  return std::nullopt;
}

// The viewer's own model, else the oldest shared model with that id.
std::optional<ModelRecord> FindModelVisibleTo(soci::session& sql, const std::string& viewer,
                                              const std::string& id) {
  if (auto own = FindModel(sql, viewer, id)) return own;
  soci::rowset<soci::row> rows = (sql.prepare << "SELECT " << kModelColumns
                                              << " FROM models WHERE shared = 1 AND id = :id ORDER "
                                                 "BY created_at COLLATE \"C\", owner COLLATE \"C\""
                                                 " LIMIT 1",
                                  soci::use(id));
  for (const auto& r : rows) return ReadModel(r);
  return std::nullopt;
}

std::optional<QueryRecord> FindQuery(soci::session& sql, const std::string& owner,
                                     const std::string& model_id, const std::string& id,
                                     bool for_update) {
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT " << kQueryColumns
                   << " FROM queries WHERE id = :id AND owner = :o AND model_id = :m"
                   << (for_update ? RowLockSuffix(EngineOf(sql)) : ""),
       soci::use(id), soci::use(owner), soci::use(model_id));
  for (const auto& r : rows) return ReadQuery(r);
  return std::nullopt;
}

void RecordModelChange(soci::session& sql, const std::string& owner, const std::string& id,
                       const std::string& origin) {
  // Runs inside a write transaction (BEGIN IMMEDIATE on SQLite, serializable on
  // PostgreSQL), so sequence numbers are handed out one at a time, in commit order.
  sql << "UPDATE model_generation SET value = value + 1";
  ll seq = 0;
  sql << "SELECT value FROM model_generation", soci::into(seq);
  sql << "INSERT INTO model_changes (seq, owner, model_id, origin) VALUES (:s, :o, :m, :g)",
      soci::use(seq), soci::use(owner), soci::use(id), soci::use(origin);
  // The log keeps the last kKeptModelChanges entries; a replica further behind drops its
  // whole cache instead (ModelChangesSince says so).
  if (seq % 1000 == 0) {
    const ll oldest = seq - kKeptModelChanges;
    sql << "DELETE FROM model_changes WHERE seq <= :s", soci::use(oldest);
  }
}

// After a job ends without an artifact: a model that was ready before stays ready with its
// previous artifact; one that never was is failed.
void SettleModelAfterJob(soci::session& sql, const JobRecord& job, const std::string& error,
                         const std::string& now) {
  auto model = FindModel(sql, job.owner, job.model_id);
  if (!model || model->job_id != job.id) return;
  const std::string status(
      ModelStatusName(model->version > 0 ? ModelStatus::kReady : ModelStatus::kFailed));
  sql << "UPDATE models SET status = :s, error = :e, updated_at = :u WHERE owner = :o AND id = :id",
      soci::use(status), soci::use(error), soci::use(now), soci::use(job.owner),
      soci::use(job.model_id);
}

// The job, while the running attempt still holds it (sql_rows.h).
Result<JobRecord> HeldJob(soci::session& sql, const std::string& job_id, int64_t attempt) {
  auto job = FindJob(sql, job_id);
  if (!job || job->state != JobState::kRunning || job->cancel_requested) {
    return Status::FailedPrecondition("job " + job_id + " is no longer running");
  }
  if (job->attempts != attempt) {
    return Status::FailedPrecondition("attempt " + std::to_string(attempt) + " of job " + job_id +
                                      " lost its lease; attempt " + std::to_string(job->attempts) +
                                      " holds the job now");
  }
  return *std::move(job);
}

}  // namespace diamond::store::sql
