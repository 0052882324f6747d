// MetadataStore on SQL: datasets and their versions.
#include <soci/soci.h>

#include <optional>

#include "base/clock.h"
#include "core/plan_rules.h"
#include "store/sql_locked.h"
#include "store/sql_rows.h"

namespace diamond::store {

using ll = long long;  // SOCI exchanges 64-bit integers as long long
using namespace sql;   // the shared row readers and lookups (sql_rows.h)

// --- datasets ----------------------------------------------------------------------------

Result<std::pair<std::vector<DatasetRecord>, int64_t>> SqlMetadataStore::ListDatasets(
    const std::string& owner, Page page) {
  return Locked(
      [&](soci::session& session) -> Result<std::pair<std::vector<DatasetRecord>, int64_t>> {
        soci::session& sql = session;
        ll limit = page.limit, offset = page.offset;
        std::vector<DatasetRecord> out;
        soci::rowset<soci::row> rows =
            (sql.prepare
                 << "SELECT " << kDatasetColumns
                 << " FROM datasets d JOIN dataset_versions v ON v.owner = d.owner AND"
                    " v.dataset_id = d.id AND v.version = d.current_version"
                    " WHERE d.owner = :o ORDER BY d.id COLLATE \"C\" LIMIT :limit OFFSET :offset",
             soci::use(owner), soci::use(limit), soci::use(offset));
        for (const auto& r : rows) out.push_back(ReadDataset(r));
        ll total = 0;
        sql << "SELECT COUNT(*) FROM datasets WHERE owner = :o", soci::use(owner),
            soci::into(total);
        return std::make_pair(std::move(out), static_cast<int64_t>(total));
      });
}

Result<DatasetRecord> SqlMetadataStore::GetDataset(const std::string& owner,
                                                   const std::string& id) {
  return Locked([&](soci::session& session) -> Result<DatasetRecord> {
    if (auto dataset = FindDataset(session, owner, id)) return *dataset;
    return Status::NotFound("no dataset '" + id + "'");
  });
}

namespace sql {

namespace {

// Bytes of the owner's distinct segments (a segment shared by many versions counts once).
int64_t StoredBytesIn(soci::session& sql, const std::string& owner) {
  ll bytes = 0;
  soci::indicator ind = soci::i_null;
  sql << "SELECT SUM(bytes) FROM (SELECT DISTINCT blob_key, bytes FROM dataset_segments WHERE "
         "owner = :o) s",
      soci::use(owner), soci::into(bytes, ind);
  return ind == soci::i_ok ? bytes : 0;
}

}  // namespace

std::vector<DatasetSegment> LoadSegments(soci::session& sql, const std::string& owner,
                                         const std::string& dataset_id, int64_t version) {
  ll v = version;
  std::vector<DatasetSegment> out;
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT blob_key, rows_count, bytes FROM dataset_segments"
                      " WHERE owner = :o AND dataset_id = :id AND version = :v ORDER BY ordinal",
       soci::use(owner), soci::use(dataset_id), soci::use(v));
  for (const auto& r : rows) out.push_back({r.get<std::string>(0), r.get<ll>(1), r.get<ll>(2)});
  return out;
}

namespace {

// A dataset_versions row read as "version, sha256_state, rows_count, bytes, sha256,
// stats_json, created_at" (without its segments).
DatasetVersion ReadDatasetVersion(const soci::row& r) {
  DatasetVersion v;
  v.version = r.get<ll>(0);
  v.sha256_state = r.get<std::string>(1);
  v.rows = r.get<ll>(2);
  v.bytes = r.get<ll>(3);
  v.sha256 = r.get<std::string>(4);
  v.stats_json = r.get<std::string>(5);
  v.created_at = r.get<std::string>(6);
  return v;
}

}  // namespace

std::vector<std::string> DeleteVersionIn(soci::session& sql, const std::string& owner,
                                         const std::string& dataset_id, int64_t version) {
  ll v = version;
  std::vector<DatasetSegment> segments = LoadSegments(sql, owner, dataset_id, version);
  sql << "DELETE FROM dataset_segments WHERE owner = :o AND dataset_id = :id AND version = :v",
      soci::use(owner), soci::use(dataset_id), soci::use(v);
  sql << "DELETE FROM dataset_versions WHERE owner = :o AND dataset_id = :id AND version = :v",
      soci::use(owner), soci::use(dataset_id), soci::use(v);
  std::vector<std::string> freed;
  for (const DatasetSegment& segment : segments) {
    ll uses = 0;
    sql << "SELECT COUNT(*) FROM dataset_segments WHERE blob_key = :k", soci::use(segment.blob_key),
        soci::into(uses);
    if (uses == 0) freed.push_back(segment.blob_key);
  }
  return freed;
}

Result<DatasetRecord> CommitVersionIn(soci::session& sql, const std::string& owner,
                                      const std::string& id, int64_t expected_current,
                                      const DatasetVersion& version,
                                      const MetadataStore::StorageLimits& limits,
                                      const std::string& now) {
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
    if (Status s = CheckDatasetCount(datasets, limits.max_datasets); !s.ok()) return s;
  }
  // Segments are shared between versions: only those not stored yet take new space.
  const int64_t stored = StoredBytesIn(sql, owner);
  int64_t added = 0;
  for (const DatasetSegment& segment : version.segments) {
    ll uses = 0;
    sql << "SELECT COUNT(*) FROM dataset_segments WHERE blob_key = :k", soci::use(segment.blob_key),
        soci::into(uses);
    if (uses == 0) added += segment.bytes;
  }
  if (Status s = CheckStoredBytes(stored, added, limits.max_stored_bytes); !s.ok()) return s;
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
  if (version.segments.empty())
    return Status::Internal("a dataset version needs at least its header's segment");
  sql << "INSERT INTO dataset_versions (owner, dataset_id, version, blob_key, rows_count, bytes,"
         " sha256, stats_json, created_at, sha256_state) VALUES (:o, :id, :v, :k, :r, :b, :s, :st, "
         ":c, :ss)",
      soci::use(owner), soci::use(id), soci::use(v), soci::use(version.segments.front().blob_key),
      soci::use(rows), soci::use(bytes), soci::use(version.sha256), soci::use(version.stats_json),
      soci::use(now), soci::use(version.sha256_state);
  for (size_t i = 0; i < version.segments.size(); ++i) {
    const DatasetSegment& segment = version.segments[i];
    ll ordinal = static_cast<ll>(i), segment_rows = segment.rows, segment_bytes = segment.bytes;
    sql << "INSERT INTO dataset_segments (owner, dataset_id, version, ordinal, blob_key, "
           "rows_count, bytes)"
           " VALUES (:o, :id, :v, :n, :k, :r, :b)",
        soci::use(owner), soci::use(id), soci::use(v), soci::use(ordinal),
        soci::use(segment.blob_key), soci::use(segment_rows), soci::use(segment_bytes);
  }
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
  if (!committed)
    return Status::Internal("dataset '" + id + "' vanished inside its own transaction");
  return *committed;
}

namespace {

// Versions of the owner's dataset that no kept model version was trained on: what deleting
// the dataset removes (the others are kept for the models' lineage). The model row's
// fields are the champion's, itself a kept version; both are named all the same.
constexpr const char* kUnusedVersions =
    " FROM dataset_versions WHERE owner = :o AND dataset_id = :id AND NOT EXISTS"
    " (SELECT 1 FROM models m WHERE m.owner = dataset_versions.owner"
    " AND m.dataset_id = dataset_versions.dataset_id AND m.dataset_version = "
    "dataset_versions.version) AND NOT EXISTS (SELECT 1 FROM model_versions mv WHERE"
    " mv.owner = dataset_versions.owner AND mv.dataset_id = dataset_versions.dataset_id"
    " AND mv.dataset_version = dataset_versions.version)";

}  // namespace

std::vector<std::string> ReleaseLineageVersionsIn(soci::session& sql, const std::string& owner,
                                                  const std::string& dataset_id) {
  ll exists = 0;
  sql << "SELECT COUNT(*) FROM datasets WHERE owner = :o AND id = :id", soci::use(owner),
      soci::use(dataset_id), soci::into(exists);
  if (exists > 0) return {};  // a live dataset keeps its history until it is deleted
  std::vector<ll> unused;
  {
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT version" << kUnusedVersions,
                                    soci::use(owner), soci::use(dataset_id));
    for (const auto& r : rows) unused.push_back(r.get<ll>(0));
  }
  std::vector<std::string> freed;
  for (ll version : unused) {
    std::vector<std::string> keys = DeleteVersionIn(sql, owner, dataset_id, version);
    freed.insert(freed.end(), keys.begin(), keys.end());
  }
  return freed;
}

}  // namespace sql

Result<DatasetRecord> SqlMetadataStore::CommitDatasetVersion(const std::string& owner,
                                                             const std::string& id,
                                                             int64_t expected_current,
                                                             const DatasetVersion& version,
                                                             const StorageLimits& limits) {
  return Locked([&](soci::session& session) -> Result<DatasetRecord> {
    WriteTransaction tx(session);
    auto committed =
        CommitVersionIn(session, owner, id, expected_current, version, limits, clock_.Rfc3339());
    if (committed.ok()) tx.Commit();
    return committed;
  });
}

Result<std::vector<DatasetVersion>> SqlMetadataStore::ListDatasetVersions(const std::string& owner,
                                                                          const std::string& id) {
  return Locked([&](soci::session& session) -> Result<std::vector<DatasetVersion>> {
    soci::session& sql = session;
    ll exists = 0;
    sql << "SELECT COUNT(*) FROM datasets WHERE owner = :o AND id = :id", soci::use(owner),
        soci::use(id), soci::into(exists);
    if (exists == 0) return Status::NotFound("no dataset '" + id + "'");
    std::vector<DatasetVersion> out;
    soci::rowset<soci::row> rows =
        (sql.prepare
             << "SELECT version, sha256_state, rows_count, bytes, sha256, stats_json, created_at"
                " FROM dataset_versions WHERE owner = :o AND dataset_id = :id ORDER BY version",
         soci::use(owner), soci::use(id));
    for (const auto& r : rows) out.push_back(ReadDatasetVersion(r));
    for (DatasetVersion& v : out) v.segments = LoadSegments(sql, owner, id, v.version);
    return out;
  });
}

Result<std::vector<std::string>> SqlMetadataStore::DeleteDataset(const std::string& owner,
                                                                 const std::string& id) {
  return Locked([&](soci::session& session) -> Result<std::vector<std::string>> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    soci::statement st = (sql.prepare << "DELETE FROM datasets WHERE owner = :o AND id = :id",
                          soci::use(owner), soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Status::NotFound("no dataset '" + id + "'");
    std::vector<std::string> keys = ReleaseLineageVersionsIn(sql, owner, id);
    tx.Commit();
    return keys;
  });
}

Result<DatasetVersion> SqlMetadataStore::GetDatasetVersion(const std::string& owner,
                                                           const std::string& id, int64_t version) {
  return Locked([&](soci::session& session) -> Result<DatasetVersion> {
    soci::session& sql = session;
    ll v = version;
    std::optional<DatasetVersion> found;
    soci::rowset<soci::row> rows =
        (sql.prepare
             << "SELECT version, sha256_state, rows_count, bytes, sha256, stats_json, created_at"
                " FROM dataset_versions WHERE owner = :o AND dataset_id = :id AND version = :v",
         soci::use(owner), soci::use(id), soci::use(v));
    for (const auto& r : rows) found = ReadDatasetVersion(r);
    if (!found) {
      return Status::NotFound("dataset '" + id + "' keeps no version " + std::to_string(version));
    }
    found->segments = LoadSegments(sql, owner, id, version);
    return *std::move(found);
  });
}

Result<std::vector<std::string>> SqlMetadataStore::DeleteDatasetVersion(const std::string& owner,
                                                                        const std::string& id,
                                                                        int64_t version) {
  return Locked([&](soci::session& session) -> Result<std::vector<std::string>> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    ll current = 0, v = version;
    sql << "SELECT current_version FROM datasets WHERE owner = :o AND id = :id", soci::use(owner),
        soci::use(id), soci::into(current);
    if (!sql.got_data()) return Status::NotFound("no dataset '" + id + "'");
    ll exists = 0;
    sql << "SELECT COUNT(*) FROM dataset_versions WHERE owner = :o AND dataset_id = :id AND "
           "version = :v",
        soci::use(owner), soci::use(id), soci::use(v), soci::into(exists);
    if (exists == 0) {
      return Status::NotFound("dataset '" + id + "' has no version " + std::to_string(version));
    }
    if (v == current) {
      return Status::FailedPrecondition("version " + std::to_string(version) +
                                        " is the current version of dataset '" + id +
                                        "'; replace the dataset or delete it whole");
    }
    std::string model;
    ll model_version = 0;
    sql << "SELECT model_id, version FROM model_versions WHERE owner = :o AND dataset_id = :id"
           " AND dataset_version = :v ORDER BY model_id COLLATE \"C\", version LIMIT 1",
        soci::use(owner), soci::use(id), soci::use(v), soci::into(model), soci::into(model_version);
    if (sql.got_data()) {
      return Status::FailedPrecondition("version " + std::to_string(model_version) + " of model '" +
                                        model + "' was trained on version " +
                                        std::to_string(version) + " of dataset '" + id +
                                        "'; it is kept until that model version is deleted");
    }
    std::vector<std::string> freed = DeleteVersionIn(sql, owner, id, version);
    tx.Commit();
    return freed;
  });
}

Result<int64_t> SqlMetadataStore::StoredBytes(const std::string& owner) {
  return Locked(
      [&](soci::session& session) -> Result<int64_t> { return StoredBytesIn(session, owner); });
}

}  // namespace diamond::store
