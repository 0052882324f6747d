// Helpers every handler uses: ids, pages, bodies of stones, JSON output.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/account_records.h"
#include "core/diamond.h"
#include "core/range_reader.h"
#include "core/records.h"
#include "http/api.h"
#include "http/http_types.h"

namespace diamond::http {

// The caller (the gate has authenticated them on every non-public route): the owner of
// whatever the handler creates or reads, and the plan whose limits apply.
const std::string& Owner(const HttpRequest& request);
const PlanRecord& PlanOf(const HttpRequest& request);

// 422 naming the parameter unless `id` is a valid resource id.
std::optional<HttpResponse> CheckId(const std::string& id, const std::string& what);

// Page and page_size from the query, or a 422. Pages are 0-based, as in the original
// service: page P holds items P*page_size ... P*page_size + page_size - 1.
struct PageRequest {
  int64_t page = 0;
  int64_t page_size = 100;
  int64_t offset() const { return page * page_size; }
  Page ToStorePage() const { return {offset(), page_size}; }
};
std::optional<HttpResponse> ParsePage(const HttpRequest& request, const ApiConfig& config,
                                      PageRequest* out);

// The seed's page envelope: {"results": [...], "next_page_location": ..., "total_pages": n}.
nlohmann::json PageEnvelope(nlohmann::json results, const HttpRequest& request,
                            const PageRequest& page, int64_t total);

struct StonesBody {
  std::vector<Diamond> stones;
  int64_t rows_invalid = 0;  // skipped, with skip_invalid
};
// Decodes a body of stones: JSON (one object or an array) or CSV (text/csv). Errors:
// 415 for another media type, 400 for malformed JSON/CSV, 422 listing bad rows (unless
// skip_invalid, which drops them and counts them), 413 for more than `max_stones` in a
// JSON body (found while decoding: the rest is not decoded).
std::optional<HttpResponse> ParseStonesBody(const HttpRequest& request, bool require_price,
                                            bool skip_invalid, StonesBody* out,
                                            bool allow_csv = true, size_t max_stones = SIZE_MAX);

// 422 for the first stones a model cannot price (carat <= 0, a dimension < 0.1).
std::optional<HttpResponse> CheckPriceable(const std::vector<Diamond>& stones);

// 400/415 unless the body is a JSON document; *out receives it.
std::optional<HttpResponse> ParseJsonBody(const HttpRequest& request, nlohmann::json* out);

// A `{version}` path parameter: a whole number >= 1, or a 422 naming it.
std::optional<HttpResponse> ParseVersionParam(const std::string& text, int64_t* out);

// A boolean query flag ("true"/"false"/"1"/"0"), or a 422.
std::optional<HttpResponse> ParseFlag(const HttpRequest& request, const std::string& name,
                                      bool* out);

HttpResponse Json(int status, const nlohmann::json& body);

// A download: `length` bytes of `reader` from where it stands, as a text/csv body. Up to
// kWholeDownloadBytes are read here; a larger one is streamed (StreamedBody), so that the
// server holds one piece of it at a time whatever its size.
inline constexpr int64_t kWholeDownloadBytes = int64_t{1} << 20;
HttpResponse CsvDownload(std::unique_ptr<RangeReader> reader, int64_t length);

}  // namespace diamond::http
