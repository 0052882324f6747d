#include "store/sql_metadata_store.h"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "store/clock.h"

namespace diamond::store {
namespace {

using ll = long long;  // SOCI exchanges 64-bit integers as long long

// The schema, one migration per version. Statements are plain SQL that SQLite and
// PostgreSQL both accept; 64-bit columns are BIGINT (see DESIGN.md on SOCI).
const char* const kMigrationV1[] = {
    "CREATE TABLE datasets (id TEXT PRIMARY KEY, current_version BIGINT NOT NULL,"
    " created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
    "CREATE TABLE dataset_versions (dataset_id TEXT NOT NULL, version BIGINT NOT NULL,"
    " blob_key TEXT NOT NULL, rows_count BIGINT NOT NULL, bytes BIGINT NOT NULL,"
    " sha256 TEXT NOT NULL, stats_json TEXT NOT NULL, created_at TEXT NOT NULL,"
    " PRIMARY KEY (dataset_id, version))",
    "CREATE TABLE models (id TEXT PRIMARY KEY, status TEXT NOT NULL, request_json TEXT NOT NULL,"
    " job_id TEXT NOT NULL, error TEXT NOT NULL, version BIGINT NOT NULL,"
    " artifact_key TEXT NOT NULL, dataset_id TEXT NOT NULL, dataset_version BIGINT NOT NULL,"
    " summary_json TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
    "CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, model_id TEXT NOT NULL,"
    " state TEXT NOT NULL, progress DOUBLE PRECISION NOT NULL, error TEXT NOT NULL,"
    " payload_json TEXT NOT NULL, attempts BIGINT NOT NULL, cancel_requested BIGINT NOT NULL,"
    " created_at TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL)",
    "CREATE INDEX jobs_by_state ON jobs (state, created_at)",
    "CREATE TABLE queries (id TEXT PRIMARY KEY, model_id TEXT NOT NULL, batches BIGINT NOT NULL,"
    " rows_count BIGINT NOT NULL, results_key TEXT NOT NULL, model_version BIGINT NOT NULL,"
    " created_at TEXT NOT NULL)",
    "CREATE TABLE query_batches (query_id TEXT NOT NULL, batch BIGINT NOT NULL,"
    " blob_key TEXT NOT NULL, rows_count BIGINT NOT NULL, PRIMARY KEY (query_id, batch))",
};

constexpr const char* kDatasetColumns =
    "d.id, d.created_at, d.updated_at, v.version, v.blob_key, v.rows_count, v.bytes, v.sha256,"
    " v.stats_json, v.created_at";
constexpr const char* kModelColumns =
    "id, status, request_json, job_id, error, version, artifact_key, dataset_id,"
    " dataset_version, summary_json, created_at, updated_at";
constexpr const char* kJobColumns =
    "id, kind, model_id, state, progress, error, payload_json, attempts, cancel_requested,"
    " created_at, started_at, finished_at";

DatasetRecord ReadDataset(const soci::row& r) {
  DatasetRecord d;
  d.id = r.get<std::string>(0);
  d.created_at = r.get<std::string>(1);
  d.updated_at = r.get<std::string>(2);
  d.current.version = r.get<ll>(3);
  d.current.blob_key = r.get<std::string>(4);
  d.current.rows = r.get<ll>(5);
  d.current.bytes = r.get<ll>(6);
  d.current.sha256 = r.get<std::string>(7);
  d.current.stats_json = r.get<std::string>(8);
  d.current.created_at = r.get<std::string>(9);
  return d;
}

ModelStatus ParseModelStatus(const std::string& s) {
  if (s == "ready") return ModelStatus::kReady;
  if (s == "failed") return ModelStatus::kFailed;
  return ModelStatus::kTraining;
}

ModelRecord ReadModel(const soci::row& r) {
  ModelRecord m;
  m.id = r.get<std::string>(0);
  m.status = ParseModelStatus(r.get<std::string>(1));
  m.request_json = r.get<std::string>(2);
  m.job_id = r.get<std::string>(3);
  m.error = r.get<std::string>(4);
  m.version = r.get<ll>(5);
  m.artifact_key = r.get<std::string>(6);
  m.dataset_id = r.get<std::string>(7);
  m.dataset_version = r.get<ll>(8);
  m.summary_json = r.get<std::string>(9);
  m.created_at = r.get<std::string>(10);
  m.updated_at = r.get<std::string>(11);
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
  j.id = r.get<std::string>(0);
  j.kind = r.get<std::string>(1);
  j.model_id = r.get<std::string>(2);
  j.state = ParseJobState(r.get<std::string>(3));
  j.progress = r.get<double>(4);
  j.error = r.get<std::string>(5);
  j.payload_json = r.get<std::string>(6);
  j.attempts = r.get<ll>(7);
  j.cancel_requested = r.get<ll>(8) != 0;
  j.created_at = r.get<std::string>(9);
  j.started_at = r.get<std::string>(10);
  j.finished_at = r.get<std::string>(11);
  return j;
}

ll Count(soci::session& sql, const std::string& query) {
  ll count = 0;
  sql << query, soci::into(count);
  return count;
}

// Runs `body` under the lock, turning database exceptions into IoError values: SOCI
// reports every failure by throwing, and no exception may cross this interface.
template <typename Body>
auto Locked(std::mutex& mutex, Body&& body) -> decltype(body()) {
  std::lock_guard<std::mutex> lock(mutex);
  try {
    return body();
  } catch (const soci::soci_error& e) {
    return Status::IoError(std::string("database error: ") + e.get_error_message());
  } catch (const std::exception& e) {
    return Status::IoError(std::string("database error: ") + e.what());
  }
}

std::optional<JobRecord> FindJob(soci::session& sql, const std::string& id) {
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT " << kJobColumns << " FROM jobs WHERE id = :id", soci::use(id));
  for (const auto& r : rows) return ReadJob(r);
  return std::nullopt;
}

std::optional<ModelRecord> FindModel(soci::session& sql, const std::string& id) {
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT " << kModelColumns << " FROM models WHERE id = :id", soci::use(id));
  for (const auto& r : rows) return ReadModel(r);
  return std::nullopt;
}

}  // namespace

SqlMetadataStore::SqlMetadataStore(std::unique_ptr<soci::session> sql) : sql_(std::move(sql)) {}
SqlMetadataStore::~SqlMetadataStore() = default;

Result<std::unique_ptr<SqlMetadataStore>> SqlMetadataStore::OpenSqlite(const std::string& path) {
  std::unique_ptr<soci::session> sql;
  try {
    // timeout: how long (s) a statement waits for a lock held by another process.
    sql = std::make_unique<soci::session>(soci::sqlite3, "db=" + path + " timeout=10");
    *sql << "PRAGMA journal_mode=WAL";
    *sql << "PRAGMA synchronous=FULL";
    *sql << "PRAGMA foreign_keys=ON";
  } catch (const std::exception& e) {
    return Status::IoError("cannot open database " + path + ": " + e.what());
  }
  std::unique_ptr<SqlMetadataStore> store(new SqlMetadataStore(std::move(sql)));
  if (Status s = store->Migrate(); !s.ok()) return s;
  return store;
}

Status SqlMetadataStore::Migrate() {
  return Locked(mutex_, [&]() -> Status {
    soci::session& sql = *sql_;
    sql << "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)";
    ll version = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT MAX(version) FROM schema_version", soci::into(version, ind);
    if (ind != soci::i_ok) version = 0;
    if (version > kSchemaVersion) {
      return Status::FailedPrecondition("the database has schema version " +
                                        std::to_string(version) + ", newer than this build (" +
                                        std::to_string(kSchemaVersion) + ")");
    }
    if (version < 1) {
      soci::transaction tx(sql);
      for (const char* statement : kMigrationV1) sql << statement;
      sql << "INSERT INTO schema_version (version) VALUES (1)";
      tx.commit();
    }
    return Status::Ok();
  });
}

Result<std::vector<std::string>> SqlMetadataStore::ReferencedBlobKeys() {
  return Locked(mutex_, [&]() -> Result<std::vector<std::string>> {
    std::vector<std::string> keys;
    soci::rowset<soci::row> rows =
        (sql_->prepare << "SELECT blob_key FROM dataset_versions"
                          " UNION SELECT artifact_key FROM models WHERE artifact_key <> ''"
                          " UNION SELECT blob_key FROM query_batches"
                          " UNION SELECT results_key FROM queries WHERE results_key <> ''");
    for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    return keys;
  });
}

Status SqlMetadataStore::Ping() {
  return Locked(mutex_, [&]() -> Status {
    Count(*sql_, "SELECT 1");
    return Status::Ok();
  });
}

// --- datasets ----------------------------------------------------------------------------

Result<std::pair<std::vector<DatasetRecord>, int64_t>> SqlMetadataStore::ListDatasets(Page page) {
  return Locked(mutex_, [&]() -> Result<std::pair<std::vector<DatasetRecord>, int64_t>> {
    soci::session& sql = *sql_;
    ll limit = page.limit, offset = page.offset;
    std::vector<DatasetRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << kDatasetColumns
                     << " FROM datasets d JOIN dataset_versions v ON v.dataset_id = d.id AND"
                        " v.version = d.current_version ORDER BY d.id LIMIT :limit OFFSET :offset",
         soci::use(limit), soci::use(offset));
    for (const auto& r : rows) out.push_back(ReadDataset(r));
    return std::make_pair(std::move(out), static_cast<int64_t>(Count(sql, "SELECT COUNT(*) FROM datasets")));
  });
}

Result<DatasetRecord> SqlMetadataStore::GetDataset(const std::string& id) {
  return Locked(mutex_, [&]() -> Result<DatasetRecord> {
    soci::rowset<soci::row> rows =
        (sql_->prepare << "SELECT " << kDatasetColumns
                       << " FROM datasets d JOIN dataset_versions v ON v.dataset_id = d.id AND"
                          " v.version = d.current_version WHERE d.id = :id",
         soci::use(id));
    for (const auto& r : rows) return ReadDataset(r);
    return Status::NotFound("no dataset '" + id + "'");
  });
}

Status SqlMetadataStore::CommitDatasetVersion(const std::string& id, int64_t expected_current,
                                              const DatasetVersion& version) {
  return Locked(mutex_, [&]() -> Status {
    soci::session& sql = *sql_;
    soci::transaction tx(sql);
    ll current = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT current_version FROM datasets WHERE id = :id", soci::use(id),
        soci::into(current, ind);
    if (!sql.got_data()) current = 0;
    if (current != expected_current) {
      return Status::FailedPrecondition(
          expected_current == 0 ? "dataset '" + id + "' already exists"
                                : "dataset '" + id + "' changed concurrently (now version " +
                                      std::to_string(current) + ")");
    }
    const std::string now = NowRfc3339();
    ll v = version.version, rows = version.rows, bytes = version.bytes;
    sql << "INSERT INTO dataset_versions (dataset_id, version, blob_key, rows_count, bytes, sha256,"
           " stats_json, created_at) VALUES (:id, :v, :k, :r, :b, :s, :st, :c)",
        soci::use(id), soci::use(v), soci::use(version.blob_key), soci::use(rows),
        soci::use(bytes), soci::use(version.sha256), soci::use(version.stats_json),
        soci::use(now);
    if (current == 0) {
      sql << "INSERT INTO datasets (id, current_version, created_at, updated_at)"
             " VALUES (:id, :v, :c, :u)",
          soci::use(id), soci::use(v), soci::use(now), soci::use(now);
    } else {
      sql << "UPDATE datasets SET current_version = :v, updated_at = :u WHERE id = :id",
          soci::use(v), soci::use(now), soci::use(id);
    }
    tx.commit();
    return Status::Ok();
  });
}

Result<std::vector<std::string>> SqlMetadataStore::DeleteDataset(const std::string& id) {
  return Locked(mutex_, [&]() -> Result<std::vector<std::string>> {
    soci::session& sql = *sql_;
    soci::transaction tx(sql);
    std::vector<std::string> keys;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT blob_key FROM dataset_versions WHERE dataset_id = :id",
         soci::use(id));
    for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    soci::statement st = (sql.prepare << "DELETE FROM datasets WHERE id = :id", soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Status::NotFound("no dataset '" + id + "'");
    sql << "DELETE FROM dataset_versions WHERE dataset_id = :id", soci::use(id);
    tx.commit();
    return keys;
  });
}

// --- models ------------------------------------------------------------------------------

Result<std::pair<std::vector<ModelRecord>, int64_t>> SqlMetadataStore::ListModels(Page page) {
  return Locked(mutex_, [&]() -> Result<std::pair<std::vector<ModelRecord>, int64_t>> {
    soci::session& sql = *sql_;
    ll limit = page.limit, offset = page.offset;
    std::vector<ModelRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << kModelColumns
                     << " FROM models ORDER BY id LIMIT :limit OFFSET :offset",
         soci::use(limit), soci::use(offset));
    for (const auto& r : rows) out.push_back(ReadModel(r));
    return std::make_pair(std::move(out), static_cast<int64_t>(Count(sql, "SELECT COUNT(*) FROM models")));
  });
}

Result<ModelRecord> SqlMetadataStore::GetModel(const std::string& id) {
  return Locked(mutex_, [&]() -> Result<ModelRecord> {
    if (auto model = FindModel(*sql_, id)) return *model;
    return Status::NotFound("no model '" + id + "'");
  });
}

Status SqlMetadataStore::StartTraining(const std::string& model_id, const std::string& request_json,
                                       const JobRecord& job) {
  return Locked(mutex_, [&]() -> Status {
    soci::session& sql = *sql_;
    soci::transaction tx(sql);
    const std::string now = NowRfc3339();
    const std::string training(ModelStatusName(ModelStatus::kTraining));
    auto existing = FindModel(sql, model_id);
    if (existing && existing->status == ModelStatus::kTraining) {
      return Status::FailedPrecondition("model '" + model_id + "' is already training (job " +
                                        existing->job_id + ")");
    }
    if (existing) {
      sql << "UPDATE models SET status = :s, request_json = :r, job_id = :j, error = '',"
             " updated_at = :u WHERE id = :id",
          soci::use(training), soci::use(request_json), soci::use(job.id), soci::use(now),
          soci::use(model_id);
    } else {
      sql << "INSERT INTO models (" << kModelColumns
          << ") VALUES (:id, :s, :r, :j, '', 0, '', '', 0, '{}', :c, :u)",
          soci::use(model_id), soci::use(training), soci::use(request_json), soci::use(job.id),
          soci::use(now), soci::use(now);
    }
    const std::string queued(JobStateName(JobState::kQueued));
    sql << "INSERT INTO jobs (" << kJobColumns
        << ") VALUES (:id, :k, :m, :s, 0, '', :p, 0, 0, :c, '', '')",
        soci::use(job.id), soci::use(job.kind), soci::use(model_id), soci::use(queued),
        soci::use(job.payload_json), soci::use(now);
    tx.commit();
    return Status::Ok();
  });
}

Status SqlMetadataStore::FinishTraining(const std::string& job_id, const std::string& artifact_key,
                                        const std::string& dataset_id, int64_t dataset_version,
                                        const std::string& summary_json) {
  return Locked(mutex_, [&]() -> Status {
    soci::session& sql = *sql_;
    soci::transaction tx(sql);
    auto job = FindJob(sql, job_id);
    if (!job || job->state != JobState::kRunning || job->cancel_requested) {
      return Status::FailedPrecondition("job " + job_id + " is no longer running");
    }
    auto model = FindModel(sql, job->model_id);
    if (!model || model->job_id != job_id) {
      return Status::FailedPrecondition("model of job " + job_id + " was deleted or retrained");
    }
    const std::string now = NowRfc3339();
    const std::string ready(ModelStatusName(ModelStatus::kReady));
    const std::string succeeded(JobStateName(JobState::kSucceeded));
    ll version = model->version + 1, dv = dataset_version;
    sql << "UPDATE models SET status = :s, version = :v, artifact_key = :a, dataset_id = :d,"
           " dataset_version = :dv, summary_json = :sum, error = '', updated_at = :u WHERE id = :id",
        soci::use(ready), soci::use(version), soci::use(artifact_key), soci::use(dataset_id),
        soci::use(dv), soci::use(summary_json), soci::use(now), soci::use(job->model_id);
    sql << "UPDATE jobs SET state = :s, progress = 1, finished_at = :f WHERE id = :id",
        soci::use(succeeded), soci::use(now), soci::use(job_id);
    tx.commit();
    return Status::Ok();
  });
}

Status SqlMetadataStore::FailTraining(const std::string& job_id, const std::string& error) {
  return Locked(mutex_, [&]() -> Status {
    soci::session& sql = *sql_;
    soci::transaction tx(sql);
    auto job = FindJob(sql, job_id);
    if (!job) return Status::NotFound("no job " + job_id);
    const std::string now = NowRfc3339();
    // A cancelled job ends as cancelled, whatever made it stop.
    const JobState end = job->cancel_requested ? JobState::kCancelled : JobState::kFailed;
    const std::string end_name(JobStateName(end));
    sql << "UPDATE jobs SET state = :s, error = :e, finished_at = :f WHERE id = :id",
        soci::use(end_name), soci::use(error), soci::use(now), soci::use(job_id);
    auto model = FindModel(sql, job->model_id);
    if (model && model->job_id == job_id) {
      // A model that was ready before stays ready with its previous artifact.
      const std::string status(
          ModelStatusName(model->version > 0 ? ModelStatus::kReady : ModelStatus::kFailed));
      sql << "UPDATE models SET status = :s, error = :e, updated_at = :u WHERE id = :id",
          soci::use(status), soci::use(error), soci::use(now), soci::use(job->model_id);
    }
    tx.commit();
    return Status::Ok();
  });
}

Result<std::vector<std::string>> SqlMetadataStore::DeleteModel(const std::string& id) {
  return Locked(mutex_, [&]() -> Result<std::vector<std::string>> {
    soci::session& sql = *sql_;
    soci::transaction tx(sql);
    auto model = FindModel(sql, id);
    if (!model) return Status::NotFound("no model '" + id + "'");
    std::vector<std::string> keys;
    if (!model->artifact_key.empty()) keys.push_back(model->artifact_key);
    {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT b.blob_key FROM query_batches b JOIN queries q ON q.id = b.query_id"
                          " WHERE q.model_id = :m",
           soci::use(id));
      for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    }
    {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT results_key FROM queries WHERE model_id = :m AND results_key <> ''",
           soci::use(id));
      for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    }
    sql << "DELETE FROM query_batches WHERE query_id IN (SELECT id FROM queries WHERE model_id = :m)",
        soci::use(id);
    sql << "DELETE FROM queries WHERE model_id = :m", soci::use(id);
    // Unfinished jobs of the model end as cancelled; a running worker sees that and stops.
    const std::string cancelled(JobStateName(JobState::kCancelled));
    const std::string now = NowRfc3339();
    sql << "UPDATE jobs SET state = :s, cancel_requested = 1, finished_at = :f"
           " WHERE model_id = :m AND state IN ('queued', 'running')",
        soci::use(cancelled), soci::use(now), soci::use(id);
    sql << "DELETE FROM models WHERE id = :id", soci::use(id);
    tx.commit();
    return keys;
  });
}

// --- jobs --------------------------------------------------------------------------------

Result<std::pair<std::vector<JobRecord>, int64_t>> SqlMetadataStore::ListJobs(Page page) {
  return Locked(mutex_, [&]() -> Result<std::pair<std::vector<JobRecord>, int64_t>> {
    soci::session& sql = *sql_;
    ll limit = page.limit, offset = page.offset;
    std::vector<JobRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << kJobColumns
                     << " FROM jobs ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset",
         soci::use(limit), soci::use(offset));
    for (const auto& r : rows) out.push_back(ReadJob(r));
    return std::make_pair(std::move(out), static_cast<int64_t>(Count(sql, "SELECT COUNT(*) FROM jobs")));
  });
}

Result<JobRecord> SqlMetadataStore::GetJob(const std::string& id) {
  return Locked(mutex_, [&]() -> Result<JobRecord> {
    if (auto job = FindJob(*sql_, id)) return *job;
    return Status::NotFound("no job '" + id + "'");
  });
}

Result<std::optional<JobRecord>> SqlMetadataStore::ClaimNextJob() {
  return Locked(mutex_, [&]() -> Result<std::optional<JobRecord>> {
    soci::session& sql = *sql_;
    soci::transaction tx(sql);
    std::string id;
    sql << "SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at, id LIMIT 1",
        soci::into(id);
    if (!sql.got_data()) return std::optional<JobRecord>();
    const std::string now = NowRfc3339();
    sql << "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = :s"
           " WHERE id = :id AND state = 'queued'",
        soci::use(now), soci::use(id);
    auto job = FindJob(sql, id);
    tx.commit();
    return job;
  });
}

Status SqlMetadataStore::UpdateJobProgress(const std::string& id, double progress) {
  return Locked(mutex_, [&]() -> Status {
    *sql_ << "UPDATE jobs SET progress = :p WHERE id = :id AND state = 'running'",
        soci::use(progress), soci::use(id);
    return Status::Ok();
  });
}

Result<JobRecord> SqlMetadataStore::CancelJob(const std::string& id) {
  return Locked(mutex_, [&]() -> Result<JobRecord> {
    soci::session& sql = *sql_;
    soci::transaction tx(sql);
    auto job = FindJob(sql, id);
    if (!job) return Status::NotFound("no job '" + id + "'");
    if (IsFinished(job->state)) {
      return Status::FailedPrecondition("job " + id + " already " +
                                        std::string(JobStateName(job->state)));
    }
    const std::string now = NowRfc3339();
    if (job->state == JobState::kQueued) {
      sql << "UPDATE jobs SET state = 'cancelled', cancel_requested = 1, finished_at = :f"
             " WHERE id = :id",
          soci::use(now), soci::use(id);
      auto model = FindModel(sql, job->model_id);
      if (model && model->job_id == id) {
        const std::string status(
            ModelStatusName(model->version > 0 ? ModelStatus::kReady : ModelStatus::kFailed));
        const std::string error = "training cancelled";
        sql << "UPDATE models SET status = :s, error = :e, updated_at = :u WHERE id = :id",
            soci::use(status), soci::use(error), soci::use(now), soci::use(job->model_id);
      }
    } else {
      sql << "UPDATE jobs SET cancel_requested = 1 WHERE id = :id", soci::use(id);
    }
    auto updated = FindJob(sql, id);
    tx.commit();
    return *updated;
  });
}

Result<int64_t> SqlMetadataStore::RequeueRunningJobs() {
  return Locked(mutex_, [&]() -> Result<int64_t> {
    soci::statement st =
        (sql_->prepare << "UPDATE jobs SET state = 'queued', progress = 0 WHERE state = 'running'");
    st.execute(true);
    return static_cast<int64_t>(st.get_affected_rows());
  });
}

Result<std::vector<std::pair<std::string, int64_t>>> SqlMetadataStore::CountJobsByState() {
  return Locked(mutex_, [&]() -> Result<std::vector<std::pair<std::string, int64_t>>> {
    std::vector<std::pair<std::string, int64_t>> out;
    for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kSucceeded,
                           JobState::kFailed, JobState::kCancelled}) {
      const std::string name(JobStateName(state));
      ll count = 0;
      *sql_ << "SELECT COUNT(*) FROM jobs WHERE state = :s", soci::use(name), soci::into(count);
      out.emplace_back(name, count);
    }
    return out;
  });
}

// --- price queries -----------------------------------------------------------------------

Status SqlMetadataStore::CreateQuery(const QueryRecord& query) {
  return Locked(mutex_, [&]() -> Status {
    const std::string now = NowRfc3339();
    *sql_ << "INSERT INTO queries (id, model_id, batches, rows_count, results_key, model_version,"
             " created_at) VALUES (:id, :m, 0, 0, '', 0, :c)",
        soci::use(query.id), soci::use(query.model_id), soci::use(now);
    return Status::Ok();
  });
}

Result<QueryRecord> SqlMetadataStore::GetQuery(const std::string& model_id, const std::string& id) {
  return Locked(mutex_, [&]() -> Result<QueryRecord> {
    soci::rowset<soci::row> rows =
        (sql_->prepare << "SELECT id, model_id, batches, rows_count, results_key, model_version,"
                          " created_at FROM queries WHERE id = :id AND model_id = :m",
         soci::use(id), soci::use(model_id));
    for (const auto& r : rows) {
      return QueryRecord{r.get<std::string>(0), r.get<std::string>(1), r.get<ll>(2),
                         r.get<ll>(3),          r.get<std::string>(4), r.get<ll>(5),
                         r.get<std::string>(6)};
    }
    return Status::NotFound("no price query '" + id + "' for model '" + model_id + "'");
  });
}

Result<int64_t> SqlMetadataStore::AddQueryBatch(const std::string& model_id, const std::string& id,
                                                int64_t expected_batches,
                                                const std::string& blob_key, int64_t rows) {
  return Locked(mutex_, [&]() -> Result<int64_t> {
    soci::session& sql = *sql_;
    soci::transaction tx(sql);
    ll batches = 0;
    std::string results_key;
    sql << "SELECT batches, results_key FROM queries WHERE id = :id AND model_id = :m",
        soci::use(id), soci::use(model_id), soci::into(batches), soci::into(results_key);
    if (!sql.got_data()) return Status::NotFound("no price query '" + id + "'");
    if (!results_key.empty()) {
      return Status::FailedPrecondition("the results of price query '" + id +
                                        "' are already computed; open a new query to price more stones");
    }
    if (batches != expected_batches) {
      return Status::FailedPrecondition("price query '" + id + "' changed concurrently");
    }
    ll batch = batches + 1, count = rows;
    sql << "INSERT INTO query_batches (query_id, batch, blob_key, rows_count) VALUES (:q, :b, :k, :r)",
        soci::use(id), soci::use(batch), soci::use(blob_key), soci::use(count);
    sql << "UPDATE queries SET batches = :b, rows_count = rows_count + :r WHERE id = :id",
        soci::use(batch), soci::use(count), soci::use(id);
    tx.commit();
    return static_cast<int64_t>(batch);
  });
}

Result<std::vector<std::string>> SqlMetadataStore::QueryBatchKeys(const std::string& id) {
  return Locked(mutex_, [&]() -> Result<std::vector<std::string>> {
    std::vector<std::string> keys;
    soci::rowset<soci::row> rows =
        (sql_->prepare << "SELECT blob_key FROM query_batches WHERE query_id = :id ORDER BY batch",
         soci::use(id));
    for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    return keys;
  });
}

Status SqlMetadataStore::SetQueryResults(const std::string& id, const std::string& results_key,
                                         int64_t model_version) {
  return Locked(mutex_, [&]() -> Status {
    ll version = model_version;
    soci::statement st =
        (sql_->prepare << "UPDATE queries SET results_key = :k, model_version = :v"
                          " WHERE id = :id AND results_key = ''",
         soci::use(results_key), soci::use(version), soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() == 0) {
      return Status::FailedPrecondition("results of price query '" + id + "' already recorded");
    }
    return Status::Ok();
  });
}

Result<std::vector<std::string>> SqlMetadataStore::DeleteQuery(const std::string& model_id,
                                                               const std::string& id) {
  return Locked(mutex_, [&]() -> Result<std::vector<std::string>> {
    soci::session& sql = *sql_;
    soci::transaction tx(sql);
    std::string results_key;
    sql << "SELECT results_key FROM queries WHERE id = :id AND model_id = :m", soci::use(id),
        soci::use(model_id), soci::into(results_key);
    if (!sql.got_data()) return Status::NotFound("no price query '" + id + "' for model '" + model_id + "'");
    std::vector<std::string> keys;
    if (!results_key.empty()) keys.push_back(results_key);
    {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT blob_key FROM query_batches WHERE query_id = :id", soci::use(id));
      for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    }
    sql << "DELETE FROM query_batches WHERE query_id = :id", soci::use(id);
    sql << "DELETE FROM queries WHERE id = :id", soci::use(id);
    tx.commit();
    return keys;
  });
}

}  // namespace diamond::store
