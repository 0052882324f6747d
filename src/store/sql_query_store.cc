// MetadataStore on SQL: the original service's price queries and their batches.
#include <soci/soci.h>

#include "base/clock.h"
#include "store/sql_locked.h"
#include "store/sql_rows.h"

namespace diamond::store {

using ll = long long;  // SOCI exchanges 64-bit integers as long long
using namespace sql;   // the shared row readers and lookups (sql_rows.h)

// --- price queries -----------------------------------------------------------------------

Status SqlMetadataStore::CreateQuery(const QueryRecord& query) {
  return Locked([&](soci::session& session) -> Status {
    const std::string now = clock_.Rfc3339();
    session << "INSERT INTO queries (" << kQueryColumns
            << ") VALUES (:o, :id, :mo, :m, 0, 0, '', 0, :c)",
        soci::use(query.owner), soci::use(query.id), soci::use(query.model_owner),
        soci::use(query.model_id), soci::use(now);
    return Status::Ok();
  });
}

Result<QueryRecord> SqlMetadataStore::GetQuery(const std::string& owner,
                                               const std::string& model_id, const std::string& id) {
  return Locked([&](soci::session& session) -> Result<QueryRecord> {
    if (auto query = FindQuery(session, owner, model_id, id)) return *query;
    return Status::NotFound("no price query '" + id + "' for model '" + model_id + "'");
  });
}

Result<int64_t> SqlMetadataStore::AddQueryBatch(const std::string& owner,
                                                const std::string& model_id, const std::string& id,
                                                const std::string& blob_key, int64_t rows) {
  return Locked([&](soci::session& session) -> Result<int64_t> {
    soci::session& sql = session;
    WriteTransaction tx(sql);
    auto query = FindQuery(sql, owner, model_id, id, /*for_update=*/true);
    if (!query) return Status::NotFound("no price query '" + id + "'");
    if (!query->results_key.empty()) {
      return Status::FailedPrecondition(
          "the results of price query '" + id +
          "' are already computed; open a new query to price more stones");
    }
    ll batch = query->batches + 1, count = rows;
    sql << "INSERT INTO query_batches (query_id, batch, blob_key, rows_count) VALUES (:q, :b, :k, "
           ":r)",
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
        (session.prepare
             << "SELECT blob_key FROM query_batches WHERE query_id = :id ORDER BY batch",
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
