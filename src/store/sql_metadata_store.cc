#include "store/sql_metadata_store.h"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "base/clock.h"
#include "store/sql_locked.h"

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

// v2: tenancy (an owner on every resource; dataset and model ids are unique per owner)
// and accounts. Rows from v1 belong to "admin", the user the first start creates.
// v3: a job says what it is doing ("round 140 of 1000"), beside the fraction done.
const char* const kMigrationV3[] = {
    "ALTER TABLE jobs ADD COLUMN progress_detail TEXT NOT NULL DEFAULT ''",
};

// v4: storage limits on plans (bytes stored and datasets owned; plans made before get
// generous ones, the free and pro plans the defaults below), and the processes serving
// this database, with the account generation each has loaded (so `diamond admin` can wait
// until a revocation is in force everywhere).
const char* const kMigrationV4[] = {
    "ALTER TABLE plans ADD COLUMN max_stored_bytes BIGINT NOT NULL DEFAULT 1099511627776",
    "ALTER TABLE plans ADD COLUMN max_datasets BIGINT NOT NULL DEFAULT 10000",
    "UPDATE plans SET max_stored_bytes = 104857600, max_datasets = 20 WHERE name = 'free'",
    "UPDATE plans SET max_stored_bytes = 10737418240, max_datasets = 200 WHERE name = 'pro'",
    "CREATE TABLE replicas (id TEXT PRIMARY KEY, loaded_generation BIGINT NOT NULL,"
    " heartbeat_ms BIGINT NOT NULL, started_at TEXT NOT NULL, pid BIGINT NOT NULL,"
    " host TEXT NOT NULL)",
};

const char* const kMigrationV2[] = {
    "ALTER TABLE datasets RENAME TO datasets_v1",
    "CREATE TABLE datasets (owner TEXT NOT NULL, id TEXT NOT NULL,"
    " current_version BIGINT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
    " PRIMARY KEY (owner, id))",
    "INSERT INTO datasets SELECT 'admin', id, current_version, created_at, updated_at"
    " FROM datasets_v1",
    "DROP TABLE datasets_v1",
    "ALTER TABLE dataset_versions RENAME TO dataset_versions_v1",
    "CREATE TABLE dataset_versions (owner TEXT NOT NULL, dataset_id TEXT NOT NULL,"
    " version BIGINT NOT NULL, blob_key TEXT NOT NULL, rows_count BIGINT NOT NULL,"
    " bytes BIGINT NOT NULL, sha256 TEXT NOT NULL, stats_json TEXT NOT NULL,"
    " created_at TEXT NOT NULL, PRIMARY KEY (owner, dataset_id, version))",
    "INSERT INTO dataset_versions SELECT 'admin', dataset_id, version, blob_key, rows_count,"
    " bytes, sha256, stats_json, created_at FROM dataset_versions_v1",
    "DROP TABLE dataset_versions_v1",
    "ALTER TABLE models RENAME TO models_v1",
    "CREATE TABLE models (owner TEXT NOT NULL, id TEXT NOT NULL, shared BIGINT NOT NULL,"
    " status TEXT NOT NULL, request_json TEXT NOT NULL, job_id TEXT NOT NULL,"
    " error TEXT NOT NULL, version BIGINT NOT NULL, artifact_key TEXT NOT NULL,"
    " dataset_id TEXT NOT NULL, dataset_version BIGINT NOT NULL, summary_json TEXT NOT NULL,"
    " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (owner, id))",
    "INSERT INTO models SELECT 'admin', id, 0, status, request_json, job_id, error, version,"
    " artifact_key, dataset_id, dataset_version, summary_json, created_at, updated_at"
    " FROM models_v1",
    "DROP TABLE models_v1",
    "CREATE INDEX models_shared ON models (shared, id)",
    "ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT 'admin'",
    "CREATE INDEX jobs_by_owner ON jobs (owner, created_at)",
    "ALTER TABLE queries ADD COLUMN owner TEXT NOT NULL DEFAULT 'admin'",
    "ALTER TABLE queries ADD COLUMN model_owner TEXT NOT NULL DEFAULT 'admin'",
    "CREATE TABLE users (id TEXT PRIMARY KEY, role TEXT NOT NULL, plan TEXT NOT NULL,"
    " disabled BIGINT NOT NULL, created_at TEXT NOT NULL)",
    "CREATE TABLE api_keys (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, prefix TEXT NOT NULL"
    " UNIQUE, hash TEXT NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL,"
    " revoked_at TEXT NOT NULL, last_used_at TEXT NOT NULL)",
    "CREATE TABLE plans (name TEXT PRIMARY KEY, requests_per_second DOUBLE PRECISION NOT NULL,"
    " burst BIGINT NOT NULL, monthly_predicted_rows BIGINT NOT NULL,"
    " max_dataset_rows BIGINT NOT NULL, max_models BIGINT NOT NULL,"
    " max_training_jobs BIGINT NOT NULL, price_per_1k_rows DOUBLE PRECISION NOT NULL,"
    " price_per_training_minute DOUBLE PRECISION NOT NULL)",
    // The default plans; `diamond admin plans set` and PUT /admin/plans/{name} edit them.
    "INSERT INTO plans VALUES ('free', 5, 10, 10000, 10000, 3, 1, 0, 0)",
    "INSERT INTO plans VALUES ('pro', 50, 100, 1000000, 1000000, 50, 4, 0.5, 0.1)",
    "INSERT INTO plans VALUES ('enterprise', 1000, 2000, 100000000, 10000000, 1000, 16, 0.2,"
    " 0.05)",
    "CREATE TABLE usage (user_id TEXT NOT NULL, day TEXT NOT NULL,"
    " predicted_rows BIGINT NOT NULL, training_seconds DOUBLE PRECISION NOT NULL,"
    " stored_bytes BIGINT NOT NULL, PRIMARY KEY (user_id, day))",
    "CREATE TABLE account_generation (value BIGINT NOT NULL)",
    "INSERT INTO account_generation VALUES (1)",
};

constexpr const char* kDatasetColumns =
    "d.owner, d.id, d.created_at, d.updated_at, v.version, v.blob_key, v.rows_count, v.bytes, v.sha256,"
    " v.stats_json, v.created_at";
constexpr const char* kModelColumns =
    "owner, id, shared, status, request_json, job_id, error, version, artifact_key, dataset_id,"
    " dataset_version, summary_json, created_at, updated_at";
constexpr const char* kJobColumns =
    "owner, id, kind, model_id, state, progress, error, payload_json, attempts,"
    " cancel_requested, created_at, started_at, finished_at, progress_detail";
constexpr const char* kQueryColumns =
    "owner, id, model_owner, model_id, batches, rows_count, results_key, model_version,"
    " created_at";

DatasetRecord ReadDataset(const soci::row& r) {
  DatasetRecord d;
  d.owner = r.get<std::string>(0);
  d.id = r.get<std::string>(1);
  d.created_at = r.get<std::string>(2);
  d.updated_at = r.get<std::string>(3);
  d.current.version = r.get<ll>(4);
  d.current.blob_key = r.get<std::string>(5);
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
  for (const auto& r : rows) return ReadDataset(r);
  return std::nullopt;
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
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT " << kModelColumns
                   << " FROM models WHERE shared = 1 AND id = :id ORDER BY created_at, owner"
                      " LIMIT 1",
       soci::use(id));
  for (const auto& r : rows) return ReadModel(r);
  return std::nullopt;
}

std::optional<QueryRecord> FindQuery(soci::session& sql, const std::string& owner,
                                     const std::string& model_id, const std::string& id) {
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT " << kQueryColumns
                   << " FROM queries WHERE id = :id AND owner = :o AND model_id = :m",
       soci::use(id), soci::use(owner), soci::use(model_id));
  for (const auto& r : rows) return ReadQuery(r);
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
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    sql << "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)";
    // One write transaction from reading the version to the last step: two processes
    // starting together cannot both apply the same step.
    WriteTransaction tx(sql);
    ll version = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT MAX(version) FROM schema_version", soci::into(version, ind);
    if (ind != soci::i_ok) version = 0;
    if (version > kSchemaVersion) {
      return Status::FailedPrecondition("the database has schema version " +
                                        std::to_string(version) + ", newer than this build (" +
                                        std::to_string(kSchemaVersion) + ")");
    }
    auto apply = [&](int target, const auto& statements) {
      if (version >= target) return;
      for (const char* statement : statements) sql << statement;
      ll v = target;
      sql << "INSERT INTO schema_version (version) VALUES (:v)", soci::use(v);
    };
    apply(1, kMigrationV1);
    apply(2, kMigrationV2);
    apply(3, kMigrationV3);
    apply(4, kMigrationV4);
    tx.Commit();
    return Status::Ok();
  });
}

Result<std::vector<std::string>> SqlMetadataStore::ReferencedBlobKeys() {
  return Locked([&](soci::session& session) -> Result<std::vector<std::string>> {
    std::vector<std::string> keys;
    soci::rowset<soci::row> rows =
        (session.prepare << "SELECT blob_key FROM dataset_versions"
                          " UNION SELECT artifact_key FROM models WHERE artifact_key <> ''"
                          " UNION SELECT blob_key FROM query_batches"
                          " UNION SELECT results_key FROM queries WHERE results_key <> ''");
    for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    return keys;
  });
}

Status SqlMetadataStore::Ping() {
  return Locked([&](soci::session& session) -> Status {
    Count(session, "SELECT 1");
    return Status::Ok();
  });
}

// --- datasets ----------------------------------------------------------------------------

Result<std::pair<std::vector<DatasetRecord>, int64_t>> SqlMetadataStore::ListDatasets(
    const std::string& owner, Page page) {
  return Locked([&](soci::session& session) -> Result<std::pair<std::vector<DatasetRecord>, int64_t>> {
    soci::session& sql = session;
    ll limit = page.limit, offset = page.offset;
    std::vector<DatasetRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << kDatasetColumns
                     << " FROM datasets d JOIN dataset_versions v ON v.owner = d.owner AND"
                        " v.dataset_id = d.id AND v.version = d.current_version"
                        " WHERE d.owner = :o ORDER BY d.id LIMIT :limit OFFSET :offset",
         soci::use(owner), soci::use(limit), soci::use(offset));
    for (const auto& r : rows) out.push_back(ReadDataset(r));
    ll total = 0;
    sql << "SELECT COUNT(*) FROM datasets WHERE owner = :o", soci::use(owner), soci::into(total);
    return std::make_pair(std::move(out), static_cast<int64_t>(total));
  });
}

Result<DatasetRecord> SqlMetadataStore::GetDataset(const std::string& owner, const std::string& id) {
  return Locked([&](soci::session& session) -> Result<DatasetRecord> {
    if (auto dataset = FindDataset(session, owner, id)) return *dataset;
    return Status::NotFound("no dataset '" + id + "'");
  });
}

Result<DatasetRecord> SqlMetadataStore::CommitDatasetVersion(const std::string& owner, const std::string& id,
                                              int64_t expected_current,
                                              const DatasetVersion& version,
                                              const StorageLimits& limits) {
  return Locked([&](soci::session& session) -> Result<DatasetRecord> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    ll current = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT current_version FROM datasets WHERE owner = :o AND id = :id", soci::use(owner),
        soci::use(id), soci::into(current, ind);
    if (!sql.got_data()) current = 0;
    if (current != expected_current) {
      return Status::FailedPrecondition(
          expected_current == 0 ? "dataset '" + id + "' already exists"
                                : "dataset '" + id + "' changed concurrently (now version " +
                                      std::to_string(current) + ")");
    }
    if (current == 0) {
      ll datasets = 0;
      sql << "SELECT COUNT(*) FROM datasets WHERE owner = :o", soci::use(owner), soci::into(datasets);
      if (datasets >= limits.max_datasets) {
        return Status::LimitExceeded("max_datasets", limits.max_datasets,
                                     "the plan allows " + std::to_string(limits.max_datasets) +
                                         " datasets; delete one to create another");
      }
    }
    ll stored = 0;
    soci::indicator stored_ind = soci::i_null;
    sql << "SELECT SUM(bytes) FROM dataset_versions WHERE owner = :o", soci::use(owner),
        soci::into(stored, stored_ind);
    if (stored_ind != soci::i_ok) stored = 0;
    if (stored + version.bytes > limits.max_stored_bytes) {
      return Status::LimitExceeded(
          "max_stored_bytes", limits.max_stored_bytes,
          "this version (" + std::to_string(version.bytes) + " bytes) would bring the datasets kept to " +
              std::to_string(stored + version.bytes) + " bytes; the plan allows " +
              std::to_string(limits.max_stored_bytes) +
              " (delete old versions or datasets to free space)");
    }
    const std::string now = NowRfc3339();
    ll v = version.version, rows = version.rows, bytes = version.bytes;
    if (current == 0) {
      // A dataset deleted earlier under this id may have left versions kept for its
      // models: the new dataset's versions number on after them.
      ll kept = 0;
      soci::indicator kept_ind = soci::i_null;
      sql << "SELECT MAX(version) FROM dataset_versions WHERE owner = :o AND dataset_id = :id",
          soci::use(owner), soci::use(id), soci::into(kept, kept_ind);
      if (kept_ind == soci::i_ok && kept >= v) v = kept + 1;
    }
    sql << "INSERT INTO dataset_versions (owner, dataset_id, version, blob_key, rows_count, bytes,"
           " sha256, stats_json, created_at) VALUES (:o, :id, :v, :k, :r, :b, :s, :st, :c)",
        soci::use(owner), soci::use(id), soci::use(v), soci::use(version.blob_key),
        soci::use(rows), soci::use(bytes), soci::use(version.sha256),
        soci::use(version.stats_json), soci::use(now);
    if (current == 0) {
      sql << "INSERT INTO datasets (owner, id, current_version, created_at, updated_at)"
             " VALUES (:o, :id, :v, :c, :u)",
          soci::use(owner), soci::use(id), soci::use(v), soci::use(now), soci::use(now);
    } else {
      sql << "UPDATE datasets SET current_version = :v, updated_at = :u"
             " WHERE owner = :o AND id = :id",
          soci::use(v), soci::use(now), soci::use(owner), soci::use(id);
    }
    std::optional<DatasetRecord> committed = FindDataset(sql, owner, id);
    if (!committed) return Status::Internal("dataset '" + id + "' vanished inside its own transaction");
    tx.Commit();
    return *committed;
  });
}

Result<std::vector<DatasetVersion>> SqlMetadataStore::ListDatasetVersions(const std::string& owner,
                                                                          const std::string& id) {
  return Locked([&](soci::session& session) -> Result<std::vector<DatasetVersion>> {
    soci::session& sql = session;
    ll exists = 0;
    sql << "SELECT COUNT(*) FROM datasets WHERE owner = :o AND id = :id", soci::use(owner), soci::use(id),
        soci::into(exists);
    if (exists == 0) return Status::NotFound("no dataset '" + id + "'");
    std::vector<DatasetVersion> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT version, blob_key, rows_count, bytes, sha256, stats_json, created_at"
                        " FROM dataset_versions WHERE owner = :o AND dataset_id = :id ORDER BY version",
         soci::use(owner), soci::use(id));
    for (const auto& r : rows) {
      DatasetVersion v;
      v.version = r.get<ll>(0);
      v.blob_key = r.get<std::string>(1);
      v.rows = r.get<ll>(2);
      v.bytes = r.get<ll>(3);
      v.sha256 = r.get<std::string>(4);
      v.stats_json = r.get<std::string>(5);
      v.created_at = r.get<std::string>(6);
      out.push_back(std::move(v));
    }
    return out;
  });
}

namespace {

// Versions of the owner's dataset that no model of theirs was trained on: what deleting
// the dataset removes (the others are kept for the models' lineage).
constexpr const char* kUnusedVersions =
    " FROM dataset_versions WHERE owner = :o AND dataset_id = :id AND NOT EXISTS"
    " (SELECT 1 FROM models m WHERE m.owner = dataset_versions.owner"
    " AND m.dataset_id = dataset_versions.dataset_id AND m.dataset_version = dataset_versions.version)";

}  // namespace

Result<std::vector<std::string>> SqlMetadataStore::DeleteDataset(const std::string& owner,
                                                                 const std::string& id) {
  return Locked([&](soci::session& session) -> Result<std::vector<std::string>> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    std::vector<std::string> keys;
    soci::statement st = (sql.prepare << "DELETE FROM datasets WHERE owner = :o AND id = :id",
                          soci::use(owner), soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Status::NotFound("no dataset '" + id + "'");
    {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT blob_key" << kUnusedVersions, soci::use(owner), soci::use(id));
      for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    }
    sql << "DELETE" << kUnusedVersions, soci::use(owner), soci::use(id);
    tx.Commit();
    return keys;
  });
}

Result<std::string> SqlMetadataStore::DeleteDatasetVersion(const std::string& owner, const std::string& id,
                                                           int64_t version) {
  return Locked([&](soci::session& session) -> Result<std::string> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    ll current = 0, v = version;
    sql << "SELECT current_version FROM datasets WHERE owner = :o AND id = :id", soci::use(owner),
        soci::use(id), soci::into(current);
    if (!sql.got_data()) return Status::NotFound("no dataset '" + id + "'");
    std::string key;
    sql << "SELECT blob_key FROM dataset_versions WHERE owner = :o AND dataset_id = :id AND version = :v",
        soci::use(owner), soci::use(id), soci::use(v), soci::into(key);
    if (!sql.got_data()) {
      return Status::NotFound("dataset '" + id + "' has no version " + std::to_string(version));
    }
    if (v == current) {
      return Status::FailedPrecondition("version " + std::to_string(version) + " is the current version of dataset '" +
                                        id + "'; replace the dataset or delete it whole");
    }
    std::string model;
    sql << "SELECT id FROM models WHERE owner = :o AND dataset_id = :id AND dataset_version = :v"
           " ORDER BY id LIMIT 1",
        soci::use(owner), soci::use(id), soci::use(v), soci::into(model);
    if (sql.got_data()) {
      return Status::FailedPrecondition("model '" + model + "' was trained on version " + std::to_string(version) +
                                        " of dataset '" + id + "'; it is kept until that model is deleted");
    }
    sql << "DELETE FROM dataset_versions WHERE owner = :o AND dataset_id = :id AND version = :v",
        soci::use(owner), soci::use(id), soci::use(v);
    tx.Commit();
    return key;
  });
}

Result<int64_t> SqlMetadataStore::StoredBytes(const std::string& owner) {
  return Locked([&](soci::session& session) -> Result<int64_t> {
    ll bytes = 0;
    soci::indicator ind = soci::i_null;
    session << "SELECT SUM(bytes) FROM dataset_versions WHERE owner = :o", soci::use(owner),
        soci::into(bytes, ind);
    return static_cast<int64_t>(ind == soci::i_ok ? bytes : 0);
  });
}

// --- models ------------------------------------------------------------------------------

Result<std::pair<std::vector<ModelRecord>, int64_t>> SqlMetadataStore::ListModels(
    const std::string& viewer, Page page) {
  return Locked([&](soci::session& session) -> Result<std::pair<std::vector<ModelRecord>, int64_t>> {
    soci::session& sql = session;
    ll limit = page.limit, offset = page.offset;
    std::vector<ModelRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << kModelColumns
                     << " FROM models WHERE owner = :o OR shared = 1 ORDER BY id, owner"
                        " LIMIT :limit OFFSET :offset",
         soci::use(viewer), soci::use(limit), soci::use(offset));
    for (const auto& r : rows) out.push_back(ReadModel(r));
    ll total = 0;
    sql << "SELECT COUNT(*) FROM models WHERE owner = :o OR shared = 1", soci::use(viewer),
        soci::into(total);
    return std::make_pair(std::move(out), static_cast<int64_t>(total));
  });
}

Result<ModelRecord> SqlMetadataStore::GetModel(const std::string& owner, const std::string& id) {
  return Locked([&](soci::session& session) -> Result<ModelRecord> {
    if (auto model = FindModel(session, owner, id)) return *model;
    return Status::NotFound("no model '" + id + "'");
  });
}

Result<ModelRecord> SqlMetadataStore::FindModelFor(const std::string& viewer, const std::string& id) {
  return Locked([&](soci::session& session) -> Result<ModelRecord> {
    if (auto model = FindModelVisibleTo(session, viewer, id)) return *model;
    return Status::NotFound("no model '" + id + "'");
  });
}

Status SqlMetadataStore::SetModelShared(const std::string& owner, const std::string& id,
                                        bool shared) {
  return Locked([&](soci::session& session) -> Status {
    ll flag = shared ? 1 : 0;
    const std::string now = NowRfc3339();
    soci::statement st =
        (session.prepare << "UPDATE models SET shared = :s, updated_at = :u"
                          " WHERE owner = :o AND id = :id",
         soci::use(flag), soci::use(now), soci::use(owner), soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Status::NotFound("no model '" + id + "'");
    return Status::Ok();
  });
}

Status SqlMetadataStore::StartTraining(const std::string& model_id, const std::string& request_json,
                                       const JobRecord& job, const TrainingLimits& limits) {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    const std::string now = NowRfc3339();
    const std::string training(ModelStatusName(ModelStatus::kTraining));
    auto existing = FindModel(sql, job.owner, model_id);
    if (existing && existing->status == ModelStatus::kTraining) {
      return Status::FailedPrecondition("model '" + model_id + "' is already training (job " +
                                        existing->job_id + ")");
    }
    if (!existing) {
      ll models = 0;
      sql << "SELECT COUNT(*) FROM models WHERE owner = :o", soci::use(job.owner), soci::into(models);
      if (models >= limits.max_models) {
        return Status::LimitExceeded("max_models", limits.max_models,
                                     "the plan allows " + std::to_string(limits.max_models) +
                                         " models; delete one to train another");
      }
    }
    ll active = 0;
    sql << "SELECT COUNT(*) FROM jobs WHERE owner = :o AND state IN ('queued', 'running')",
        soci::use(job.owner), soci::into(active);
    if (active >= limits.max_training_jobs) {
      return Status::QuotaExceeded("max_training_jobs", limits.max_training_jobs,
                                   "the plan allows " + std::to_string(limits.max_training_jobs) +
                                       " training jobs at once; wait for one to finish");
    }
    if (existing) {
      sql << "UPDATE models SET status = :s, request_json = :r, job_id = :j, error = '',"
             " updated_at = :u WHERE owner = :o AND id = :id",
          soci::use(training), soci::use(request_json), soci::use(job.id), soci::use(now),
          soci::use(job.owner), soci::use(model_id);
    } else {
      sql << "INSERT INTO models (" << kModelColumns
          << ") VALUES (:o, :id, 0, :s, :r, :j, '', 0, '', '', 0, '{}', :c, :u)",
          soci::use(job.owner), soci::use(model_id), soci::use(training), soci::use(request_json),
          soci::use(job.id), soci::use(now), soci::use(now);
    }
    const std::string queued(JobStateName(JobState::kQueued));
    sql << "INSERT INTO jobs (" << kJobColumns
        << ") VALUES (:o, :id, :k, :m, :s, 0, '', :p, 0, 0, :c, '', '', '')",
        soci::use(job.owner), soci::use(job.id), soci::use(job.kind), soci::use(model_id),
        soci::use(queued), soci::use(job.payload_json), soci::use(now);
    tx.Commit();
    return Status::Ok();
  });
}

Status SqlMetadataStore::FinishTraining(const std::string& job_id, const std::string& artifact_key,
                                        const std::string& dataset_id, int64_t dataset_version,
                                        const std::string& summary_json) {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    auto job = FindJob(sql, job_id);
    if (!job || job->state != JobState::kRunning || job->cancel_requested) {
      return Status::FailedPrecondition("job " + job_id + " is no longer running");
    }
    auto model = FindModel(sql, job->owner, job->model_id);
    if (!model || model->job_id != job_id) {
      return Status::FailedPrecondition("model of job " + job_id + " was deleted or retrained");
    }
    const std::string now = NowRfc3339();
    const std::string ready(ModelStatusName(ModelStatus::kReady));
    const std::string succeeded(JobStateName(JobState::kSucceeded));
    ll version = model->version + 1, dv = dataset_version;
    sql << "UPDATE models SET status = :s, version = :v, artifact_key = :a, dataset_id = :d,"
           " dataset_version = :dv, summary_json = :sum, error = '', updated_at = :u"
           " WHERE owner = :o AND id = :id",
        soci::use(ready), soci::use(version), soci::use(artifact_key), soci::use(dataset_id),
        soci::use(dv), soci::use(summary_json), soci::use(now), soci::use(job->owner),
        soci::use(job->model_id);
    sql << "UPDATE jobs SET state = :s, progress = 1, progress_detail = '', finished_at = :f WHERE id = :id",
        soci::use(succeeded), soci::use(now), soci::use(job_id);
    tx.Commit();
    return Status::Ok();
  });
}

namespace {

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

}  // namespace

Status SqlMetadataStore::FailTraining(const std::string& job_id, const std::string& error) {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    auto job = FindJob(sql, job_id);
    if (!job) return Status::NotFound("no job " + job_id);
    const std::string now = NowRfc3339();
    // A cancelled job ends as cancelled, whatever made it stop.
    const JobState end = job->cancel_requested ? JobState::kCancelled : JobState::kFailed;
    const std::string end_name(JobStateName(end));
    sql << "UPDATE jobs SET state = :s, error = :e, progress_detail = '', finished_at = :f WHERE id = :id",
        soci::use(end_name), soci::use(error), soci::use(now), soci::use(job_id);
    SettleModelAfterJob(sql, *job, error, now);
    tx.Commit();
    return Status::Ok();
  });
}

Result<std::vector<std::string>> SqlMetadataStore::DeleteModel(const std::string& owner,
                                                               const std::string& id) {
  return Locked([&](soci::session& session) -> Result<std::vector<std::string>> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    auto model = FindModel(sql, owner, id);
    if (!model) return Status::NotFound("no model '" + id + "'");
    std::vector<std::string> keys;
    if (!model->artifact_key.empty()) keys.push_back(model->artifact_key);
    {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT b.blob_key FROM query_batches b JOIN queries q ON q.id = b.query_id"
                          " WHERE q.model_owner = :o AND q.model_id = :m",
           soci::use(owner), soci::use(id));
      for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    }
    {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT results_key FROM queries WHERE model_owner = :o AND model_id = :m"
                          " AND results_key <> ''",
           soci::use(owner), soci::use(id));
      for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    }
    sql << "DELETE FROM query_batches WHERE query_id IN (SELECT id FROM queries"
           " WHERE model_owner = :o AND model_id = :m)",
        soci::use(owner), soci::use(id);
    sql << "DELETE FROM queries WHERE model_owner = :o AND model_id = :m", soci::use(owner),
        soci::use(id);
    // Unfinished jobs of the model end as cancelled; a running worker sees that and stops.
    const std::string cancelled(JobStateName(JobState::kCancelled));
    const std::string now = NowRfc3339();
    sql << "UPDATE jobs SET state = :s, cancel_requested = 1, progress_detail = '', finished_at = :f"
           " WHERE owner = :o AND model_id = :m AND state IN ('queued', 'running')",
        soci::use(cancelled), soci::use(now), soci::use(owner), soci::use(id);
    sql << "DELETE FROM models WHERE owner = :o AND id = :id", soci::use(owner), soci::use(id);
    // The version it was trained on, if it was kept only for this model: its dataset was
    // deleted, and no other model was trained on it.
    if (!model->dataset_id.empty()) {
      ll dv = model->dataset_version;
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT blob_key FROM dataset_versions v WHERE v.owner = :o AND v.dataset_id = :d"
                          " AND v.version = :v AND NOT EXISTS (SELECT 1 FROM datasets d WHERE d.owner = v.owner"
                          " AND d.id = v.dataset_id) AND NOT EXISTS (SELECT 1 FROM models m WHERE"
                          " m.owner = v.owner AND m.dataset_id = v.dataset_id AND m.dataset_version = v.version)",
           soci::use(owner), soci::use(model->dataset_id), soci::use(dv));
      std::vector<std::string> released;
      for (const auto& r : rows) released.push_back(r.get<std::string>(0));
      if (!released.empty()) {
        sql << "DELETE FROM dataset_versions WHERE owner = :o AND dataset_id = :d AND version = :v",
            soci::use(owner), soci::use(model->dataset_id), soci::use(dv);
        keys.insert(keys.end(), released.begin(), released.end());
      }
    }
    tx.Commit();
    return keys;
  });
}

// --- jobs --------------------------------------------------------------------------------

Result<std::pair<std::vector<JobRecord>, int64_t>> SqlMetadataStore::ListJobs(
    const std::string& owner, Page page) {
  return Locked([&](soci::session& session) -> Result<std::pair<std::vector<JobRecord>, int64_t>> {
    soci::session& sql = session;
    ll limit = page.limit, offset = page.offset;
    std::vector<JobRecord> out;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << kJobColumns
                     << " FROM jobs WHERE owner = :o ORDER BY created_at DESC, id"
                        " LIMIT :limit OFFSET :offset",
         soci::use(owner), soci::use(limit), soci::use(offset));
    for (const auto& r : rows) out.push_back(ReadJob(r));
    ll total = 0;
    sql << "SELECT COUNT(*) FROM jobs WHERE owner = :o", soci::use(owner), soci::into(total);
    return std::make_pair(std::move(out), static_cast<int64_t>(total));
  });
}

Result<JobRecord> SqlMetadataStore::GetJob(const std::string& owner, const std::string& id) {
  return Locked([&](soci::session& session) -> Result<JobRecord> {
    auto job = FindJob(session, id);
    if (job && job->owner == owner) return *job;
    return Status::NotFound("no job '" + id + "'");
  });
}

Result<std::optional<JobRecord>> SqlMetadataStore::ClaimNextJob() {
  return Locked([&](soci::session& session) -> Result<std::optional<JobRecord>> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    std::string id;
    sql << "SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at, id LIMIT 1",
        soci::into(id);
    if (!sql.got_data()) return std::optional<JobRecord>();
    const std::string now = NowRfc3339();
    sql << "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = :s"
           " WHERE id = :id AND state = 'queued'",
        soci::use(now), soci::use(id);
    auto job = FindJob(sql, id);
    tx.Commit();
    return job;
  });
}

Status SqlMetadataStore::UpdateJobProgress(const std::string& id, double progress,
                                           const std::string& detail) {
  return Locked([&](soci::session& session) -> Status {
    session << "UPDATE jobs SET progress = :p, progress_detail = :d WHERE id = :id AND state = 'running'",
        soci::use(progress), soci::use(detail), soci::use(id);
    return Status::Ok();
  });
}

Result<JobRecord> SqlMetadataStore::CancelJob(const std::string& owner, const std::string& id) {
  return Locked([&](soci::session& session) -> Result<JobRecord> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    auto job = FindJob(sql, id);
    if (!job || job->owner != owner) return Status::NotFound("no job '" + id + "'");
    if (IsFinished(job->state)) {
      return Status::FailedPrecondition("job " + id + " already " +
                                        std::string(JobStateName(job->state)));
    }
    const std::string now = NowRfc3339();
    if (job->state == JobState::kQueued) {
      sql << "UPDATE jobs SET state = 'cancelled', cancel_requested = 1, progress_detail = '', finished_at = :f"
             " WHERE id = :id",
          soci::use(now), soci::use(id);
      SettleModelAfterJob(sql, *job, "training cancelled", now);
    } else {
      sql << "UPDATE jobs SET cancel_requested = 1 WHERE id = :id", soci::use(id);
    }
    auto updated = FindJob(sql, id);
    tx.Commit();
    return *updated;
  });
}

Result<int64_t> SqlMetadataStore::RequeueRunningJobs(int64_t max_attempts) {
  return Locked([&](soci::session& session) -> Result<int64_t> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    const std::string now = NowRfc3339();
    std::vector<JobRecord> exhausted;
    {
      ll cap = max_attempts;
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT " << kJobColumns << " FROM jobs WHERE state = 'running' AND attempts >= :a",
           soci::use(cap));
      for (const auto& r : rows) exhausted.push_back(ReadJob(r));
    }
    for (const JobRecord& job : exhausted) {
      const std::string error = "the job stopped the worker running it " + std::to_string(job.attempts) +
                                " times (the process ended while it ran); it is not retried";
      sql << "UPDATE jobs SET state = 'failed', error = :e, progress_detail = '', finished_at = :f"
             " WHERE id = :id",
          soci::use(error), soci::use(now), soci::use(job.id);
      SettleModelAfterJob(sql, job, error, now);
    }
    soci::statement st =
        (sql.prepare << "UPDATE jobs SET state = 'queued', progress = 0, progress_detail = ''"
                        " WHERE state = 'running'");
    st.execute(true);
    tx.Commit();
    return static_cast<int64_t>(st.get_affected_rows());
  });
}

Result<std::vector<std::pair<std::string, int64_t>>> SqlMetadataStore::CountJobsByState() {
  return Locked([&](soci::session& session) -> Result<std::vector<std::pair<std::string, int64_t>>> {
    std::vector<std::pair<std::string, int64_t>> out;
    for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kSucceeded,
                           JobState::kFailed, JobState::kCancelled}) {
      const std::string name(JobStateName(state));
      ll count = 0;
      session << "SELECT COUNT(*) FROM jobs WHERE state = :s", soci::use(name), soci::into(count);
      out.emplace_back(name, count);
    }
    return out;
  });
}

// --- price queries -----------------------------------------------------------------------

Status SqlMetadataStore::CreateQuery(const QueryRecord& query) {
  return Locked([&](soci::session& session) -> Status {
    const std::string now = NowRfc3339();
    session << "INSERT INTO queries (" << kQueryColumns
          << ") VALUES (:o, :id, :mo, :m, 0, 0, '', 0, :c)",
        soci::use(query.owner), soci::use(query.id), soci::use(query.model_owner),
        soci::use(query.model_id), soci::use(now);
    return Status::Ok();
  });
}

Result<QueryRecord> SqlMetadataStore::GetQuery(const std::string& owner, const std::string& model_id,
                                               const std::string& id) {
  return Locked([&](soci::session& session) -> Result<QueryRecord> {
    if (auto query = FindQuery(session, owner, model_id, id)) return *query;
    return Status::NotFound("no price query '" + id + "' for model '" + model_id + "'");
  });
}

Result<int64_t> SqlMetadataStore::AddQueryBatch(const std::string& owner, const std::string& model_id,
                                                const std::string& id, const std::string& blob_key,
                                                int64_t rows) {
  return Locked([&](soci::session& session) -> Result<int64_t> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    auto query = FindQuery(sql, owner, model_id, id);
    if (!query) return Status::NotFound("no price query '" + id + "'");
    if (!query->results_key.empty()) {
      return Status::FailedPrecondition("the results of price query '" + id +
                                        "' are already computed; open a new query to price more stones");
    }
    ll batch = query->batches + 1, count = rows;
    sql << "INSERT INTO query_batches (query_id, batch, blob_key, rows_count) VALUES (:q, :b, :k, :r)",
        soci::use(id), soci::use(batch), soci::use(blob_key), soci::use(count);
    sql << "UPDATE queries SET batches = :b, rows_count = rows_count + :r WHERE id = :id",
        soci::use(batch), soci::use(count), soci::use(id);
    tx.Commit();
    return static_cast<int64_t>(batch);
  });
}

Result<std::vector<std::string>> SqlMetadataStore::QueryBatchKeys(const std::string& id) {
  return Locked([&](soci::session& session) -> Result<std::vector<std::string>> {
    std::vector<std::string> keys;
    soci::rowset<soci::row> rows =
        (session.prepare << "SELECT blob_key FROM query_batches WHERE query_id = :id ORDER BY batch",
         soci::use(id));
    for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    return keys;
  });
}

Status SqlMetadataStore::SetQueryResults(const std::string& id, const std::string& results_key,
                                         int64_t model_version) {
  return Locked([&](soci::session& session) -> Status {
    ll version = model_version;
    soci::statement st =
        (session.prepare << "UPDATE queries SET results_key = :k, model_version = :v"
                          " WHERE id = :id AND results_key = ''",
         soci::use(results_key), soci::use(version), soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() == 0) {
      return Status::FailedPrecondition("results of price query '" + id + "' already recorded");
    }
    return Status::Ok();
  });
}

Result<std::vector<std::string>> SqlMetadataStore::DeleteQuery(const std::string& owner,
                                                               const std::string& model_id,
                                                               const std::string& id) {
  return Locked([&](soci::session& session) -> Result<std::vector<std::string>> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    auto query = FindQuery(sql, owner, model_id, id);
    if (!query) return Status::NotFound("no price query '" + id + "' for model '" + model_id + "'");
    std::vector<std::string> keys;
    if (!query->results_key.empty()) keys.push_back(query->results_key);
    {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT blob_key FROM query_batches WHERE query_id = :id", soci::use(id));
      for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    }
    sql << "DELETE FROM query_batches WHERE query_id = :id", soci::use(id);
    sql << "DELETE FROM queries WHERE id = :id", soci::use(id);
    tx.Commit();
    return keys;
  });
}

}  // namespace diamond::store
