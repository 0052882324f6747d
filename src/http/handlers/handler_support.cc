#include "http/handlers/handler_support.h"

#include <charconv>

#include "accounts/principal.h"
#include "base/logger.h"
#include "core/byte_source.h"
#include "core/diamond_csv.h"
#include "core/diamond_json.h"
#include "core/ids.h"
#include "http/problem.h"

namespace diamond::http {

const std::string& Owner(const HttpRequest& request) { return request.principal->user_id; }
const PlanRecord& PlanOf(const HttpRequest& request) { return request.principal->plan; }

namespace {

constexpr size_t kMaxErrorsReported = 100;

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

HttpResponse Json(int status, const nlohmann::json& body) {
  return JsonResponse(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::optional<HttpResponse> CheckId(const std::string& id, const std::string& what) {
  if (IsValidId(id)) return std::nullopt;
  return ValidationProblem("invalid " + what,
                           {FieldError{0, 0, what, "must be " + std::string(kIdRule)}});
}

std::optional<HttpResponse> ParsePage(const HttpRequest& request, const ApiConfig& config,
                                      PageRequest* out) {
  std::vector<FieldError> errors;
  out->page = 0;
  out->page_size = config.default_page_size;
  if (auto page = request.Query("page")) {
    auto value = ParseInt(*page);
    if (!value || *value < 0) {
      errors.push_back({0, 0, "page", "must be an integer >= 0 (pages are 0-based)"});
    } else {
      out->page = *value;
    }
  }
  if (auto size = request.Query("page_size")) {
    auto value = ParseInt(*size);
    if (!value || *value < 1 || *value > config.max_page_size) {
      errors.push_back({0, 0, "page_size",
                        "must be an integer from 1 to " + std::to_string(config.max_page_size)});
    } else {
      out->page_size = *value;
    }
  }
  // Guards the offset arithmetic (and page + 1) against overflow from a huge page number.
  if (errors.empty() && out->page >= (INT64_MAX / out->page_size)) {
    errors.push_back({0, 0, "page", "is too large"});
  }
  if (errors.empty()) return std::nullopt;
  return ValidationProblem("invalid paging parameters", errors);
}

nlohmann::json PageEnvelope(nlohmann::json results, const HttpRequest& request,
                            const PageRequest& page, int64_t total) {
  const int64_t total_pages = (total + page.page_size - 1) / page.page_size;
  nlohmann::json next = nullptr;
  if (page.page + 1 < total_pages) {
    next = request.prefix + request.path + "?page=" + std::to_string(page.page + 1) +
           "&page_size=" + std::to_string(page.page_size);
  }
  return {
      {"results", std::move(results)}, {"next_page_location", next}, {"total_pages", total_pages}};
}

std::optional<HttpResponse> ParseJsonBody(const HttpRequest& request, nlohmann::json* out) {
  const std::string type = request.MediaType();
  if (!type.empty() && type != "application/json") {
    return Problem(415, "unsupported-media-type", "Unsupported media type",
                   "send application/json, not " + type);
  }
  auto parsed = ParseJson(request.body);
  if (!parsed.ok())
    return Problem(400, "malformed-body", "Malformed body", parsed.status().message());
  *out = std::move(parsed).value();
  return std::nullopt;
}

std::optional<HttpResponse> ParseFlag(const HttpRequest& request, const std::string& name,
                                      bool* out) {
  auto value = request.Query(name);
  if (!value) return std::nullopt;
  if (*value == "true" || *value == "1") {
    *out = true;
  } else if (*value == "false" || *value == "0") {
    *out = false;
  } else {
    return ValidationProblem("invalid " + name, {FieldError{0, 0, name, "must be true or false"}});
  }
  return std::nullopt;
}

std::optional<HttpResponse> ParseStonesBody(const HttpRequest& request, bool require_price,
                                            bool skip_invalid, StonesBody* out, bool allow_csv,
                                            size_t max_stones) {
  const std::string type = request.MediaType();
  if (allow_csv && type == "text/csv") {
    StringSource source(request.body);
    LoadOptions options;
    options.csv.require_price = require_price;
    options.skip_invalid = skip_invalid;
    options.max_errors = kMaxErrorsReported;
    InvalidRows invalid;
    auto table = LoadDiamondsCsv(source, options, &invalid);
    if (!table.ok()) {
      if (invalid.errors.empty()) {
        // The header or the CSV syntax is wrong: the body as a whole is malformed.
        return Problem(400, "malformed-body", "Malformed CSV", table.status().message());
      }
      return ValidationProblem(std::to_string(invalid.rows_invalid) +
                                   " invalid row(s); nothing was written (skip_invalid=true "
                                   "keeps the valid rows)",
                               invalid.errors);
    }
    out->stones = std::move(table->stones);
    out->rows_invalid = table->rows_invalid;
    return std::nullopt;
  }
  if (!type.empty() && type != "application/json") {
    return Problem(
        415, "unsupported-media-type", "Unsupported media type",
        std::string(allow_csv ? "send application/json or text/csv" : "send application/json") +
            ", not " + type);
  }
  auto decoded = DecodeStonesJson(request.body,
                                  JsonStoneOptions{require_price, kMaxErrorsReported, max_stones});
  if (!decoded.ok())
    return Problem(400, "malformed-body", "Malformed body", decoded.status().message());
  if (decoded->too_many) {
    return Problem(413, "too-many-stones", "Too many stones",
                   "more than " + std::to_string(max_stones) +
                       " stones in one request (use a price query for more)");
  }
  out->stones = std::move(decoded->stones);
  out->rows_invalid = decoded->rows_invalid;
  if (out->rows_invalid > 0 && !skip_invalid) {
    return ValidationProblem(std::to_string(out->rows_invalid) +
                                 " invalid stone(s); nothing was written (skip_invalid=true "
                                 "keeps the valid ones)",
                             decoded->errors);
  }
  return std::nullopt;
}

std::optional<HttpResponse> CheckPriceable(const std::vector<Diamond>& stones) {
  std::vector<FieldError> errors;
  for (size_t i = 0; i < stones.size() && errors.size() < kMaxErrorsReported; ++i) {
    if (auto problem = diamond::CheckPriceable(stones[i])) {
      problem->row = static_cast<int64_t>(i + 1);
      errors.push_back(std::move(*problem));
    }
  }
  if (errors.empty()) return std::nullopt;
  return ValidationProblem("stones the model cannot price", errors);
}

HttpResponse CsvDownload(std::unique_ptr<RangeReader> reader, int64_t length) {
  HttpResponse response;
  response.content_type = "text/csv; charset=utf-8";
  response.streamed = std::make_shared<StreamedBody>();
  response.streamed->size = length;
  std::shared_ptr<RangeReader> shared = std::move(reader);
  auto failure = std::make_shared<Status>(Status::Ok());
  response.streamed->read = [shared, failure](size_t max, std::string* piece) {
    auto next = shared->Next(max);
    if (!next.ok()) {
      Log(LogLevel::kError, "a download stopped: its stored bytes cannot be read",
          {{"error", next.status().message()}});
      *failure = next.status();
      return false;
    }
    *piece = std::move(next).value();
    return !piece->empty();
  };
  // A small download is read here, whole: a failure is then still a problem document.
  if (length <= kWholeDownloadBytes && !ReadWholeBody(&response)) {
    return ProblemFromStatus(
        failure->ok() ? Status::IoError("the stored bytes are shorter than recorded") : *failure);
  }
  return response;
}

std::optional<HttpResponse> ParseVersionParam(const std::string& text, int64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (ec != std::errc() || end != text.data() + text.size() || *out < 1) {
    return ValidationProblem("invalid version",
                             {FieldError{0, 0, "version", "must be a whole number >= 1"}});
  }
  return std::nullopt;
}

}  // namespace diamond::http
