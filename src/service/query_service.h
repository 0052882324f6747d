// Price queries (the seed's batched predictions): open a query on a model, append batches
// of stones, then read the prices page by page. Prices are computed once, on the first
// read, with the model version current then, and kept: later reads (and restarts) return
// the same answers. Appending after that is refused — open a new query.
#pragma once

#include <array>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/diamond.h"
#include "service/pricing.h"
#include "store/blob_store.h"
#include "store/model_store.h"
#include "store/query_store.h"

namespace diamond::service {

struct QueryPrices {
  std::vector<double> prices;  // every row of every batch, in order
  int64_t model_version = 0;
  bool computed_now = false;  // this call priced the stones (the first read), for metering
};

class QueryService {
 public:
  QueryService(store::ModelStore& model_store, store::QueryStore& query_store,
               store::BlobStore& blobs, Pricing& pricing)
      : model_store_(model_store), query_store_(query_store), blobs_(blobs), pricing_(pricing) {}

  // Queries belong to the owner who opened them, on a model the owner can see (their own
  // or a shared one). NotFound if the model does not exist. Returns the new query's id.
  Result<std::string> Create(const std::string& owner, const std::string& model_id);
  // Stones must be priceable (checked by the caller). Returns the batch count so far.
  Result<int64_t> AppendBatch(const std::string& owner, const std::string& model_id,
                              const std::string& query_id, std::span<const Diamond> stones);
  // The first read prices the stones (service::Pricing: the rows are reserved on `account`
  // first, and given back if the prices cannot be kept); `phases` hears of the pricing.
  Result<QueryPrices> Prices(const std::string& owner, const std::string& model_id,
                             const std::string& query_id, RowAccount& account,
                             RequestPhases* phases = nullptr);
  Status Delete(const std::string& owner, const std::string& model_id, const std::string& query_id);

 private:
  Result<QueryPrices> ReadResults(const std::string& key, int64_t model_version);

  store::ModelStore& model_store_;
  store::QueryStore& query_store_;
  store::BlobStore& blobs_;
  Pricing& pricing_;
  // Striped by query id: the first read of a query computes (and charges) alone.
  std::array<std::mutex, 64> pricing_locks_;
};

}  // namespace diamond::service
