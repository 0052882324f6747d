// The schema and its migrations, opening a store, and whole-database questions (the blob
// keys still referenced, a liveness ping).
#include <soci/connection-pool.h>
#include <soci/soci.h>

#include <chrono>

#include "core/ids.h"
#include "store/sql_locked.h"
#include "store/sql_metadata_store.h"
#include "store/sql_rows.h"

namespace diamond::store {
namespace {

using ll = long long;  // SOCI exchanges 64-bit integers as long long
using namespace sql;   // the shared row readers and lookups (sql_rows.h)

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

// v5: jobs are leased to the worker running them (many workers in many processes share
// the queue): who holds the lease, and until when (Unix ms). Running jobs from before get
// an expired lease, so the next claim reclaims them. Replicas say whether they serve the
// API (a key's rate is shared among those). Every change to what a model serves (retrain,
// delete, sharing) is logged with a sequence number, so that every replica drops its
// cached copy within one poll (RecordModelChange in sql_rows.cc). Named leases make
// maintenance (the blob GC) run on one process at a time.
const char* const kMigrationV5[] = {
    "ALTER TABLE jobs ADD COLUMN lease_owner TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE jobs ADD COLUMN lease_expires_ms BIGINT NOT NULL DEFAULT 0",
    "CREATE INDEX jobs_by_lease ON jobs (state, lease_expires_ms)",
    "ALTER TABLE replicas ADD COLUMN serving BIGINT NOT NULL DEFAULT 1",
    "CREATE TABLE model_changes (seq BIGINT PRIMARY KEY, owner TEXT NOT NULL, model_id TEXT NOT "
    "NULL, origin TEXT NOT NULL)",
    "CREATE TABLE model_generation (value BIGINT NOT NULL)",
    "INSERT INTO model_generation VALUES (0)",
    "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_ms BIGINT NOT NULL)",
};

// v6: multipart uploads into datasets, and their parts (each a blob until completion).
const char* const kMigrationV6[] = {
    "CREATE TABLE uploads (owner TEXT NOT NULL, id TEXT NOT NULL, dataset_id TEXT NOT NULL,"
    " format TEXT NOT NULL, mode TEXT NOT NULL, state TEXT NOT NULL,"
    " dataset_version BIGINT NOT NULL, created_at TEXT NOT NULL, expires_ms BIGINT NOT NULL,"
    " PRIMARY KEY (owner, id))",
    "CREATE INDEX uploads_by_expiry ON uploads (expires_ms)",
    "CREATE TABLE upload_parts (owner TEXT NOT NULL, upload_id TEXT NOT NULL, part BIGINT NOT NULL,"
    " bytes BIGINT NOT NULL, sha256 TEXT NOT NULL, blob_key TEXT NOT NULL,"
    " PRIMARY KEY (owner, upload_id, part))",
};

// v7: the committed parts of batch predictions' results (the jobs themselves are jobs).
const char* const kMigrationV7[] = {
    "CREATE TABLE batch_parts (job_id TEXT NOT NULL, part BIGINT NOT NULL, blob_key TEXT NOT NULL,"
    " bytes BIGINT NOT NULL, rows_count BIGINT NOT NULL, skipped BIGINT NOT NULL, PRIMARY KEY "
    "(job_id, part))",
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

}  // namespace

SqlMetadataStore::SqlMetadataStore(std::unique_ptr<soci::connection_pool> pool, SqlEngine engine,
                                   const Clock& clock)
    : pool_(std::move(pool)), engine_(engine), clock_(clock), instance_id_(NewId()) {}
SqlMetadataStore::~SqlMetadataStore() = default;

// v8: a dataset version is a list of segments (core/records.h), shared between the
// versions an append builds on each other; versions from before are one segment each.
// dataset_versions.blob_key stays, holding the first segment's key. The hash's running
// state lets the next append hash only what it adds ("" for versions from before: their
// next append reads them once to hash).
const char* const kMigrationV8[] = {
    "CREATE TABLE dataset_segments (owner TEXT NOT NULL, dataset_id TEXT NOT NULL,"
    " version BIGINT NOT NULL, ordinal BIGINT NOT NULL, blob_key TEXT NOT NULL,"
    " rows_count BIGINT NOT NULL, bytes BIGINT NOT NULL,"
    " PRIMARY KEY (owner, dataset_id, version, ordinal))",
    "CREATE INDEX dataset_segments_by_blob ON dataset_segments (blob_key)",
    "INSERT INTO dataset_segments SELECT owner, dataset_id, version, 0, blob_key, rows_count, bytes"
    " FROM dataset_versions",
    "ALTER TABLE dataset_versions ADD COLUMN sha256_state TEXT NOT NULL DEFAULT ''",
    // A large upload completes in a job: the upload says which, and why the last one failed.
    "ALTER TABLE uploads ADD COLUMN job_id TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE uploads ADD COLUMN error_json TEXT NOT NULL DEFAULT ''",
};

// v9: an upload's parts are the blob store's (S3 multipart parts; part files), assembled
// into one blob when it is completed: the blob, the store's handle, whether a completion
// has closed them, and each part's tag. Uploads from before keep their parts as blobs
// (parts_key '').
const char* const kMigrationV9[] = {
    "ALTER TABLE uploads ADD COLUMN parts_key TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE uploads ADD COLUMN parts_id TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE uploads ADD COLUMN parts_closed BIGINT NOT NULL DEFAULT 0",
    "ALTER TABLE upload_parts ADD COLUMN etag TEXT NOT NULL DEFAULT ''",
};

// v10: the database's identity, which its blob store records (store_binding.h) so that a
// process given another database's bucket refuses to start instead of collecting its blobs.
const char* const kMigrationV10[] = {
    "CREATE TABLE store_identity (id TEXT NOT NULL)",
};

// v11: every training makes an immutable model version (issue 25); the model row keeps the
// champion's fields (what /predict serves), other aliases name versions too, and each move
// of an alias is recorded. Ready models from before become their current version.
const char* const kMigrationV11[] = {
    "CREATE TABLE model_versions (owner TEXT NOT NULL, model_id TEXT NOT NULL,"
    " version BIGINT NOT NULL, artifact_key TEXT NOT NULL, dataset_id TEXT NOT NULL,"
    " dataset_version BIGINT NOT NULL, summary_json TEXT NOT NULL, request_json TEXT NOT NULL,"
    " job_id TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (owner, model_id, version))",
    "INSERT INTO model_versions SELECT owner, id, version, artifact_key, dataset_id,"
    " dataset_version, summary_json, request_json, job_id, updated_at FROM models"
    " WHERE version > 0 AND artifact_key <> ''",
    "CREATE TABLE model_alias_moves (owner TEXT NOT NULL, model_id TEXT NOT NULL,"
    " seq BIGINT NOT NULL, alias TEXT NOT NULL, from_version BIGINT NOT NULL,"
    " to_version BIGINT NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL,"
    " moved_at TEXT NOT NULL, PRIMARY KEY (owner, model_id, seq))",
    // Aliases other than the champion (whose version is the model row's).
    "CREATE TABLE model_aliases (owner TEXT NOT NULL, model_id TEXT NOT NULL,"
    " alias TEXT NOT NULL, version BIGINT NOT NULL, PRIMARY KEY (owner, model_id, alias))",
};

// v12: a model version remembers its latest reproduction (POST .../reproduce): whether
// retraining from its pinned data gave the identical model; how many versions a model
// keeps is a plan setting (5 for every plan, as before).
const char* const kMigrationV12[] = {
    "ALTER TABLE model_versions ADD COLUMN reproduction_json TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE plans ADD COLUMN model_versions_kept BIGINT NOT NULL DEFAULT 5",
};

Result<std::unique_ptr<SqlMetadataStore>> SqlMetadataStore::Open(const std::string& url,
                                                                 size_t pool_size,
                                                                 const Clock& clock) {
  auto parsed = ParseDatabaseUrl(url);
  if (!parsed.ok()) return parsed.status();
  auto pool = OpenConnectionPool(*parsed, pool_size);
  if (!pool.ok()) return pool.status();
  std::unique_ptr<SqlMetadataStore> store(
      new SqlMetadataStore(std::move(pool).value(), parsed->engine, clock));
  if (Status s = store->Migrate(); !s.ok()) return s;
  return store;
}

Result<std::unique_ptr<SqlMetadataStore>> SqlMetadataStore::OpenSqlite(const std::string& path,
                                                                       const Clock& clock) {
  return Open("sqlite:" + path, 1, clock);
}

Status SqlMetadataStore::Migrate() {
  return Locked([&](soci::session& session) -> Status {
    soci::session& sql = session;
    // One write transaction, under the schema lock, from creating the version table to
    // the last step: processes starting together wait for the first to finish, then find
    // nothing left to do. DDL is transactional on both engines.
    WriteTransaction tx(sql, kSchemaLock);
    sql << "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)";
    ll version = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT MAX(version) FROM schema_version", soci::into(version, ind);
    if (ind != soci::i_ok) version = 0;
    if (version > kSchemaVersion) {
      return Status::FailedPrecondition(
          "the database has schema version " + std::to_string(version) +
          ", newer than this build knows (" + std::to_string(kSchemaVersion) +
          "): a newer diamond migrated it; run that version (downgrades are not supported)");
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
    apply(5, kMigrationV5);
    apply(6, kMigrationV6);
    apply(7, kMigrationV7);
    apply(8, kMigrationV8);
    apply(9, kMigrationV9);
    if (version < 10) {
      apply(10, kMigrationV10);
      std::string id = NewId();
      sql << "INSERT INTO store_identity (id) VALUES (:id)", soci::use(id);
    }
    apply(11, kMigrationV11);
    apply(12, kMigrationV12);
    tx.Commit();
    return Status::Ok();
  });
}

Result<std::vector<std::string>> SqlMetadataStore::ReferencedBlobKeys() {
  return Locked([&](soci::session& session) -> Result<std::vector<std::string>> {
    std::vector<std::string> keys;
    soci::rowset<soci::row> rows =
        (session.prepare
         << "SELECT blob_key FROM dataset_segments"
            " UNION SELECT artifact_key FROM models WHERE artifact_key <> ''"
            " UNION SELECT artifact_key FROM model_versions"
            " UNION SELECT blob_key FROM query_batches"
            " UNION SELECT results_key FROM queries WHERE results_key <> ''"
            " UNION SELECT blob_key FROM upload_parts WHERE blob_key <> ''"
            " UNION SELECT parts_key FROM uploads WHERE parts_key <> '' AND state <> 'completed'"
            " UNION SELECT blob_key FROM batch_parts");
    for (const auto& r : rows) keys.push_back(r.get<std::string>(0));
    return keys;
  });
}

Result<std::string> SqlMetadataStore::DatabaseId() {
  return Locked([&](soci::session& session) -> Result<std::string> {
    std::string id;
    soci::indicator ind = soci::i_null;
    session << "SELECT id FROM store_identity", soci::into(id, ind);
    if (!session.got_data() || ind != soci::i_ok)
      return Status::Internal("the database has no identity row");
    return id;
  });
}

Status SqlMetadataStore::Ping() {
  return Locked([&](soci::session& session) -> Status {
    Count(session, "SELECT 1");
    return Status::Ok();
  });
}
Result<bool> SqlMetadataStore::TryTakeLease(const std::string& name, const std::string& holder,
                                            int64_t ttl_ms) {
  return Locked([&](soci::session& session) -> Result<bool> {
    WriteTransaction tx(session);
    const ll now = clock_.UnixMs();
    const ll expires = now + ttl_ms;
    session << "INSERT INTO leases (name, holder, expires_ms) VALUES (:n, '', 0) ON CONFLICT "
               "(name) DO NOTHING",
        soci::use(name);
    soci::statement st =
        (session.prepare << "UPDATE leases SET holder = :h, expires_ms = :e"
                            " WHERE name = :n AND (expires_ms < :now OR holder = :h2)",
         soci::use(holder), soci::use(expires), soci::use(name), soci::use(now), soci::use(holder));
    st.execute(true);
    const bool taken = st.get_affected_rows() > 0;
    tx.Commit();
    return taken;
  });
}

Status SqlMetadataStore::ReleaseLease(const std::string& name, const std::string& holder) {
  return Locked([&](soci::session& session) -> Status {
    session << "UPDATE leases SET expires_ms = 0 WHERE name = :n AND holder = :h", soci::use(name),
        soci::use(holder);
    return Status::Ok();
  });
}

}  // namespace diamond::store
