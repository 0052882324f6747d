#include "service/query_service.h"

#include <charconv>

#include "core/byte_source.h"
#include "core/diamond_csv.h"
#include "core/diamond_csv_writer.h"
#include "core/ids.h"

namespace diamond::service {
namespace {

// Results are stored one price per line, in the shortest text that reads back exactly.
std::string EncodePrices(const std::vector<double>& prices) {
  std::string out;
  out.reserve(prices.size() * 20);
  char buf[32];
  for (double p : prices) {
    auto result = std::to_chars(buf, buf + sizeof buf, p);
    out.append(buf, static_cast<size_t>(result.ptr - buf));
    out.push_back('\n');
  }
  return out;
}

}  // namespace

Result<std::string> QueryService::Create(const std::string& owner, const std::string& model_id) {
  auto model = model_store_.FindModelFor(owner, model_id);
  if (!model.ok()) return model.status();
  QueryRecord query;
  query.owner = owner;
  query.id = NewId();
  query.model_owner = model->owner;
  query.model_id = model_id;
  if (Status s = query_store_.CreateQuery(query); !s.ok()) return s;
  return query.id;
}

Result<int64_t> QueryService::AppendBatch(const std::string& owner, const std::string& model_id,
                                          const std::string& query_id,
                                          std::span<const Diamond> stones) {
  auto query = query_store_.GetQuery(owner, model_id, query_id);
  if (!query.ok()) return query.status();
  if (!query->results_key.empty()) {
    return Status::FailedPrecondition(
        "the results of price query '" + query_id +
        "' are already computed; open a new query to price more stones");
  }
  // The blob's name is random, not its batch number: the number is assigned by the store
  // when the batch is recorded, so concurrent appends never contend for it.
  const std::string key = "queries/" + query_id + "/batch-" + NewId() + ".csv";
  if (Status s = blobs_.Put(key, StonesToCanonicalCsv(stones)); !s.ok()) return s;
  auto added = query_store_.AddQueryBatch(owner, model_id, query_id, key,
                                          static_cast<int64_t>(stones.size()));
  if (!added.ok()) store::DeleteUnreferencedBlobs(blobs_, {key});
  return added;
}

Result<QueryPrices> QueryService::ReadResults(const std::string& key, int64_t model_version) {
  auto text = blobs_.Get(key);
  if (!text.ok()) return text.status();
  QueryPrices out;
  out.model_version = model_version;
  const char* p = text->data();
  const char* end = p + text->size();
  while (p < end) {
    double value = 0;
    auto result = std::from_chars(p, end, value);
    if (result.ec != std::errc() || result.ptr >= end || *result.ptr != '\n') {
      return Status::Corruption("stored query results " + key + " are damaged");
    }
    out.prices.push_back(value);
    p = result.ptr + 1;
  }
  return out;
}

Result<QueryPrices> QueryService::Prices(const std::string& owner, const std::string& model_id,
                                         const std::string& query_id, RowAccount& account,
                                         RequestPhases* phases) {
  auto query = query_store_.GetQuery(owner, model_id, query_id);
  if (!query.ok()) return query.status();
  if (!query->results_key.empty()) return ReadResults(query->results_key, query->model_version);
  // The first read prices and charges, once: concurrent first reads of one query wait
  // for it here and then read what it kept.
  std::lock_guard pricing(
      pricing_locks_[std::hash<std::string>{}(query_id) % pricing_locks_.size()]);
  query = query_store_.GetQuery(owner, model_id, query_id);
  if (!query.ok()) return query.status();
  if (!query->results_key.empty()) return ReadResults(query->results_key, query->model_version);

  auto model = pricing_.Resolve(owner, model_id);
  if (!model.ok()) return model.status();
  if ((*model)->owner != query->model_owner) {
    // The shared model the query was opened on is gone or no longer shared.
    return Status::NotFound("no model '" + model_id + "'");
  }
  auto keys = query_store_.QueryBatchKeys(query_id);
  if (!keys.ok()) return keys.status();
  std::vector<Diamond> stones;
  stones.reserve(static_cast<size_t>(query->rows));
  for (const auto& key : *keys) {
    auto csv = blobs_.Get(key);
    if (!csv.ok()) return csv.status();
    StringSource source(*csv);
    auto table = LoadDiamondsCsv(source, LoadOptions{});
    if (!table.ok())
      return Status::Corruption("stored batch " + key + ": " + table.status().message());
    stones.insert(stones.end(), table->stones.begin(), table->stones.end());
  }
  // Charged before pricing (results are kept once computed, so a refusal must come first),
  // and given back below if the results cannot be kept.
  auto priced = pricing_.Price(*model, stones, PricingOptions{}, account, phases);
  if (!priced.ok()) return priced.status();
  QueryPrices computed;
  computed.model_version = (*model)->version;
  computed.computed_now = true;
  computed.prices.reserve(priced->prices.size());
  for (const auto& p : priced->prices) computed.prices.push_back(p.price);
  // Not kept: the rows are given back (a retry charges them again).
  auto refund = [&] { account.Refund(static_cast<int64_t>(stones.size())); };
  const std::string results_key =
      "queries/" + query_id + "/results-" + NewId().substr(0, 8) + ".txt";
  if (Status s = blobs_.Put(results_key, EncodePrices(computed.prices)); !s.ok()) {
    refund();
    return s;
  }
  Status recorded = query_store_.SetQueryResults(query_id, results_key, computed.model_version);
  if (recorded.ok()) return computed;
  store::DeleteUnreferencedBlobs(blobs_, {results_key});
  refund();
  if (recorded.code() != StatusCode::kFailedPrecondition) return recorded;
  // Another reader computed them first: theirs are the kept answers.
  auto again = query_store_.GetQuery(owner, model_id, query_id);
  if (!again.ok()) return again.status();
  return ReadResults(again->results_key, again->model_version);
}

Status QueryService::Delete(const std::string& owner, const std::string& model_id,
                            const std::string& query_id) {
  auto keys = query_store_.DeleteQuery(owner, model_id, query_id);
  if (!keys.ok()) return keys.status();
  store::DeleteUnreferencedBlobs(blobs_, *keys);
  return Status::Ok();
}

}  // namespace diamond::service
