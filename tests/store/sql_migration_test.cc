// A database written by schema v1 (before accounts and tenancy) opens with every row
// kept, owned by "admin" — the user the first start then creates.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/sql_metadata_store.h"
#include "support/test_support.h"

namespace diamond::store {
namespace {

// The v1 schema exactly as session 1 shipped it, and one row of each kind.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE schema_version (version BIGINT NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE datasets (id TEXT PRIMARY KEY, current_version BIGINT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE dataset_versions (dataset_id TEXT NOT NULL, version BIGINT NOT NULL, blob_key TEXT NOT NULL, rows_count BIGINT NOT NULL, bytes BIGINT NOT NULL, sha256 TEXT NOT NULL, stats_json TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (dataset_id, version));
CREATE TABLE models (id TEXT PRIMARY KEY, status TEXT NOT NULL, request_json TEXT NOT NULL, job_id TEXT NOT NULL, error TEXT NOT NULL, version BIGINT NOT NULL, artifact_key TEXT NOT NULL, dataset_id TEXT NOT NULL, dataset_version BIGINT NOT NULL, summary_json TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, model_id TEXT NOT NULL, state TEXT NOT NULL, progress DOUBLE PRECISION NOT NULL, error TEXT NOT NULL, payload_json TEXT NOT NULL, attempts BIGINT NOT NULL, cancel_requested BIGINT NOT NULL, created_at TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL);
CREATE INDEX jobs_by_state ON jobs (state, created_at);
CREATE TABLE queries (id TEXT PRIMARY KEY, model_id TEXT NOT NULL, batches BIGINT NOT NULL, rows_count BIGINT NOT NULL, results_key TEXT NOT NULL, model_version BIGINT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE query_batches (query_id TEXT NOT NULL, batch BIGINT NOT NULL, blob_key TEXT NOT NULL, rows_count BIGINT NOT NULL, PRIMARY KEY (query_id, batch));
INSERT INTO datasets VALUES ('old', 1, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
INSERT INTO dataset_versions VALUES ('old', 1, 'datasets/old/v1.csv', 6, 300, 'abc', '{}', '2026-11-01T00:00:00.000Z');
INSERT INTO models VALUES ('m', 'ready', '{}', 'j1', '', 1, 'models/m/j1.json', 'old', 1, '{}', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
INSERT INTO jobs VALUES ('j1', 'train', 'm', 'succeeded', 1, '', '{}', 1, 0, '2026-11-01T00:00:00.000Z', '', '');
INSERT INTO queries VALUES ('q1', 'm', 1, 2, '', 0, '2026-11-01T00:00:00.000Z');
INSERT INTO query_batches VALUES ('q1', 1, 'queries/q1/b1.csv', 2);
)sql";

TEST(SqlMigration, Version1RowsBelongToAdminAfterTheUpgrade) {
  testing::TempDir dir;
  const std::string path = (dir / "metadata.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, kVersion1, nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_close(db);

  auto opened = SqlMetadataStore::OpenSqlite(path);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  SqlMetadataStore& store = **opened;
  auto dataset = store.GetDataset("admin", "old");
  ASSERT_TRUE(dataset.ok()) << dataset.status().message();
  EXPECT_EQ(dataset->current.rows, 6);
  // A version from before segments is one segment: its blob.
  ASSERT_EQ(dataset->current.segments.size(), 1u);
  EXPECT_EQ(dataset->current.segments[0].rows, 6);
  EXPECT_EQ(dataset->current.sha256_state, "");
  EXPECT_EQ(store.GetDataset("alice", "old").status().code(), StatusCode::kNotFound);
  auto model = store.GetModel("admin", "m");
  ASSERT_TRUE(model.ok());
  EXPECT_FALSE(model->shared);
  EXPECT_EQ(model->artifact_key, "models/m/j1.json");
  EXPECT_TRUE(store.GetJob("admin", "j1").ok());
  auto query = store.GetQuery("admin", "m", "q1");
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->model_owner, "admin");
  auto keys = store.ReferencedBlobKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 3u);
  // The default plans exist; no users yet (the first `diamond serve` creates admin).
  EXPECT_EQ(store.ListPlans()->size(), 3u);
  EXPECT_EQ(*store.CountUsers(), 0);
  // Opening again is a no-op.
  opened->reset();
  EXPECT_TRUE(SqlMetadataStore::OpenSqlite(path).ok());
}

}  // namespace
}  // namespace diamond::store
