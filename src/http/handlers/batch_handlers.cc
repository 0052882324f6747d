// Batch predictions (service/batch_prediction_service.h): start one on a stored dataset,
// watch it, cancel it, and read its priced CSV, whole or by byte ranges.
#include <charconv>

#include "core/diamond_json.h"
#include "http/handlers/handler_support.h"
#include "http/handlers/handlers.h"
#include "http/problem.h"

namespace diamond::http {
namespace {

nlohmann::json BatchJson(const JobRecord& job, const std::string& prefix) {
  nlohmann::json out = {{"id", job.id},
                        {"location", prefix + "/batch-predictions/" + job.id},
                        {"model_id", job.model_id},
                        {"state", std::string(JobStateName(job.state))},
                        {"progress", job.progress},
                        {"attempts", job.attempts},
                        {"created_at", job.created_at},
                        {"started_at", job.started_at},
                        {"finished_at", job.finished_at}};
  if (auto payload = ParseJson(job.payload_json); payload.ok()) {
    out["model_version"] = payload->value("model_version", int64_t{0});
    out["dataset_id"] = payload->value("dataset_id", std::string());
    out["dataset_version"] = payload->value("dataset_version", int64_t{0});
    out["rows_total"] = payload->value("rows", int64_t{0});
    out["explain"] = payload->value("explain", false);
    if (payload->value("interval", 0.0) > 0) out["interval"] = payload->value("interval", 0.0);
  }
  out["rows_done"] = 0;
  out["rows_skipped"] = 0;
  out["rows_per_second"] = 0;
  if (auto detail = ParseJson(job.progress_detail); detail.ok() && detail->is_object()) {
    out["rows_done"] = detail->value("rows_done", int64_t{0});
    out["rows_skipped"] = detail->value("rows_skipped", int64_t{0});
    out["rows_per_second"] = detail->value("rows_per_second", 0.0);
  }
  if (!job.error.empty()) out["error"] = job.error;
  if (job.state == JobState::kSucceeded)
    out["result_location"] = prefix + "/batch-predictions/" + job.id + "/result";
  return out;
}

// One byte range of `total` bytes from a Range header ("bytes=a-b", "bytes=a-", "bytes=-n");
// false if it cannot be served (then the answer is 416).
bool ParseRange(std::string_view header, int64_t total, int64_t* first, int64_t* last) {
  if (!header.starts_with("bytes=")) return false;
  header.remove_prefix(6);
  const size_t dash = header.find('-');
  if (dash == std::string_view::npos || header.find(',') != std::string_view::npos) return false;
  auto number = [](std::string_view text, int64_t* out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
    return ec == std::errc() && end == text.data() + text.size() && *out >= 0;
  };
  const std::string_view a = header.substr(0, dash), b = header.substr(dash + 1);
  int64_t x = 0, y = 0;
  if (a.empty()) {  // the last y bytes
    if (!number(b, &y) || y == 0 || total == 0) return false;
    *first = std::max<int64_t>(0, total - y);
    *last = total - 1;
    return true;
  }
  if (!number(a, &x) || x >= total) return false;
  if (b.empty()) {
    y = total - 1;
  } else if (!number(b, &y) || y < x) {
    return false;
  }
  *first = x;
  *last = std::min(y, total - 1);
  return true;
}

}  // namespace

void RegisterBatchRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/models/{model_id}/batch-predictions", [&ctx](HttpRequest& request) {
    const auto& model_id = request.Param("model_id");
    if (auto error = CheckId(model_id, "model_id")) return *error;
    nlohmann::json body;
    if (auto error = ParseJsonBody(request, &body)) return *error;
    std::vector<FieldError> errors;
    service::BatchRequest batch;
    batch.model_id = model_id;
    if (!body.is_object()) {
      errors.push_back(FieldError{0, 0, "", "the body must be a JSON object"});
    } else {
      for (const auto& [name, value] : body.items()) {
        if (name != "dataset_id" && name != "version" && name != "explain" && name != "interval") {
          errors.push_back(FieldError{
              0, 0, name, "unknown field (allowed: dataset_id, version, explain, interval)"});
        }
      }
      auto id = body.find("dataset_id");
      if (id == body.end() || !id->is_string()) {
        errors.push_back(
            FieldError{0, 0, "dataset_id", "required: the id of the dataset to price"});
      } else {
        batch.dataset_id = id->get<std::string>();
      }
      if (auto v = body.find("version"); v != body.end()) {
        if (!v->is_number_integer() || v->get<int64_t>() < 1) {
          errors.push_back(FieldError{0, 0, "version", "must be a whole number >= 1"});
        } else {
          batch.dataset_version = v->get<int64_t>();
        }
      }
      if (auto e = body.find("explain"); e != body.end()) {
        if (!e->is_boolean())
          errors.push_back(FieldError{0, 0, "explain", "must be true or false"});
        else
          batch.explain = e->get<bool>();
      }
      if (auto i = body.find("interval"); i != body.end()) {
        if (!i->is_number() || i->get<double>() <= 0 || i->get<double>() >= 1) {
          errors.push_back(
              FieldError{0, 0, "interval", "must be a level between 0 and 1, e.g. 0.9"});
        } else {
          batch.interval = i->get<double>();
        }
      }
    }
    if (errors.empty()) {
      if (auto error = CheckId(batch.dataset_id, "dataset_id")) return *error;
    }
    if (!errors.empty()) return ValidationProblem("invalid batch prediction", errors);
    Gate::CallerRows payer(ctx.gate, request);
    auto job = ctx.batches.Start(Owner(request), batch, payer);
    if (!job.ok()) return ProblemFromStatus(job.status());
    ctx.jobs.Notify();
    HttpResponse response = Json(202, BatchJson(*job, request.prefix));
    response.headers.emplace_back("Location", request.prefix + "/batch-predictions/" + job->id);
    return response;
  });

  router.Add("GET", "/batch-predictions/{batch_id}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("batch_id");
    if (auto error = CheckId(id, "batch_id")) return *error;
    auto job = ctx.batches.Get(Owner(request), id);
    if (!job.ok()) return ProblemFromStatus(job.status());
    return Json(200, BatchJson(*job, request.prefix));
  });

  router.Add("DELETE", "/batch-predictions/{batch_id}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("batch_id");
    if (auto error = CheckId(id, "batch_id")) return *error;
    Gate::CallerRows payer(ctx.gate, request);
    auto job = ctx.batches.Cancel(Owner(request), id, payer);
    if (!job.ok()) return ProblemFromStatus(job.status());
    return Json(200, BatchJson(*job, request.prefix));
  });

  router.Add("GET", "/batch-predictions/{batch_id}/result", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("batch_id");
    if (auto error = CheckId(id, "batch_id")) return *error;
    auto reader = ctx.batches.ReadResult(Owner(request), id);
    if (!reader.ok()) return ProblemFromStatus(reader.status());
    const int64_t total = (*reader)->size();
    int64_t first = 0, last = total - 1;
    const auto range = request.Header("range");
    if (range && !ParseRange(*range, total, &first, &last)) {
      HttpResponse response = Problem(416, "range-not-satisfiable", "Range not satisfiable",
                                      "the result has " + std::to_string(total) +
                                          " bytes; ask for one range, e.g. bytes=0-1048575");
      response.headers.emplace_back("Content-Range", "bytes */" + std::to_string(total));
      return response;
    }
    (*reader)->Seek(first);
    HttpResponse response = CsvDownload(std::move(reader).value(), last - first + 1);
    if (response.status != 200) return response;  // the stored result cannot be read
    if (range) response.status = 206;
    response.headers.emplace_back("Accept-Ranges", "bytes");
    if (range) {
      response.headers.emplace_back("Content-Range", "bytes " + std::to_string(first) + "-" +
                                                         std::to_string(last) + "/" +
                                                         std::to_string(total));
    }
    return response;
  });
}

}  // namespace diamond::http
