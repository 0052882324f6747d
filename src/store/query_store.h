// QueryStore: price queries — the batches of stones appended to them, numbered without
// gaps however many clients append at once, and their results, recorded once.
//
// A port of the metadata store (metadata_store.h): every method is atomic (one
// transaction) and safe to call from many threads. Expected failures are values: NotFound
// for unknown ids, FailedPrecondition for a conflicting state (the message says which),
// IoError when the database fails.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/records.h"
#include "core/status.h"

namespace diamond::store {

class QueryStore {
 public:
  virtual ~QueryStore() = default;

  // Tenancy: rows belong to an owner (a user id). Every method that names one takes the
  // owner, and another owner's rows are NotFound — the store never reveals that they exist.

  virtual Status CreateQuery(const QueryRecord& query) = 0;
  // The owner's query `id` on model `model_id` (as the owner resolves that model).
  virtual Result<QueryRecord> GetQuery(const std::string& owner, const std::string& model_id,
                                       const std::string& id) = 0;
  // Appends a batch as the next number, in one write transaction: concurrent appends
  // are serialized here and each gets its own number (1, 2, … with no gap).
  // FailedPrecondition if the results are already computed. Returns the batch's number.
  virtual Result<int64_t> AddQueryBatch(const std::string& owner, const std::string& model_id,
                                        const std::string& id, const std::string& blob_key,
                                        int64_t rows) = 0;
  // The batches' blob keys, in order (query ids are global).
  virtual Result<std::vector<std::string>> QueryBatchKeys(const std::string& id) = 0;
  // Records computed results once; FailedPrecondition if they were already recorded.
  virtual Status SetQueryResults(const std::string& id, const std::string& results_key,
                                 int64_t model_version) = 0;
  // Removes the query; returns blob keys to delete.
  virtual Result<std::vector<std::string>> DeleteQuery(const std::string& owner,
                                                       const std::string& model_id,
                                                       const std::string& id) = 0;
};

}  // namespace diamond::store
