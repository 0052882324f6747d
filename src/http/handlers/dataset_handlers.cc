// /datasets: the seed's routes (list, create empty, append, delete) plus replace with a
// body, CSV in and out, and metadata with statistics.
#include <charconv>

#include "core/diamond_json.h"
#include "http/handlers/handler_support.h"
#include "http/handlers/handlers.h"
#include "http/handlers/resource_json.h"
#include "http/problem.h"

namespace diamond::http {
namespace {

// The caller's plan limits on datasets.
service::DatasetService::Limits LimitsOf(const HttpRequest& request) {
  const PlanRecord& plan = PlanOf(request);
  return {plan.max_dataset_rows, {plan.max_stored_bytes, plan.max_datasets}};
}

nlohmann::json WriteReport(const DatasetRecord& d, const HttpRequest& request, size_t rows_written,
                           int64_t rows_skipped) {
  nlohmann::json out = DatasetJson(d, request.prefix);
  out["rows_written"] = rows_written;
  out["rows_skipped"] = rows_skipped;
  return out;
}

}  // namespace

void RegisterDatasetRoutes(Router& router, ApiContext& ctx) {
  router.Add(
      "GET", "/datasets",
      [&ctx](HttpRequest& request) {
        PageRequest page;
        if (auto error = ParsePage(request, ctx.config, &page)) return *error;
        auto listed = ctx.datasets.List(Owner(request), page.ToStorePage());
        if (!listed.ok()) return ProblemFromStatus(listed.status());
        nlohmann::json results = nlohmann::json::array();
        for (const auto& d : listed->first) {
          results.push_back(
              {{"id_", d.id}, {"version", d.current.version}, {"rows", d.current.rows}});
        }
        return Json(200, PageEnvelope(std::move(results), request, page, listed->second));
      },
      WithQuery({"page", "page_size"}));

  router.Add("GET", "/datasets/{dataset_id}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("dataset_id");
    if (auto error = CheckId(id, "dataset_id")) return *error;
    auto dataset = ctx.datasets.Get(Owner(request), id);
    if (!dataset.ok()) return ProblemFromStatus(dataset.status());
    nlohmann::json out = DatasetJson(*dataset, request.prefix);
    auto versions = ctx.datasets.Versions(Owner(request), id);
    if (!versions.ok()) return ProblemFromStatus(versions.status());
    out["versions"] = nlohmann::json::array();
    for (const auto& v : *versions) {
      nlohmann::json version = DatasetVersionFields(v);
      version["created_at"] = v.created_at;
      out["versions"].push_back(std::move(version));
    }
    return Json(200, out);
  });

  router.Add("GET", "/datasets/{dataset_id}/rows", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("dataset_id");
    if (auto error = CheckId(id, "dataset_id")) return *error;
    auto reader = ctx.datasets.ReadCurrent(Owner(request), id);
    if (!reader.ok()) return ProblemFromStatus(reader.status());
    const int64_t size = (*reader)->size();
    return CsvDownload(std::move(reader).value(), size);
  });

  // The seed's create-or-replace: no body makes the dataset empty, a body (JSON or CSV)
  // becomes its rows.
  router.Add(
      "PUT", "/datasets/{dataset_id}",
      [&ctx](HttpRequest& request) {
        const auto& id = request.Param("dataset_id");
        if (auto error = CheckId(id, "dataset_id")) return *error;
        bool skip_invalid = false;
        if (auto error = ParseFlag(request, "skip_invalid", &skip_invalid)) return *error;
        // No body: the original's create-or-replace with an empty dataset. On an existing
        // dataset that is a new, empty version (earlier versions stay readable).
        StonesBody body;
        if (!request.body.empty()) {
          if (auto error = ParseStonesBody(request, false, skip_invalid, &body)) return *error;
        }
        bool created = false;
        auto written =
            ctx.datasets.Replace(Owner(request), id, body.stones, LimitsOf(request), &created);
        if (!written.ok()) return ProblemFromStatus(written.status());
        return Json(200, WriteReport(*written, request, body.stones.size(), body.rows_invalid));
      },
      WithQuery({"skip_invalid"}));

  // The seed's append of a JSON list of stones (CSV too).
  router.Add(
      "POST", "/datasets/{dataset_id}",
      [&ctx](HttpRequest& request) {
        const auto& id = request.Param("dataset_id");
        if (auto error = CheckId(id, "dataset_id")) return *error;
        bool skip_invalid = false;
        if (auto error = ParseFlag(request, "skip_invalid", &skip_invalid)) return *error;
        StonesBody body;
        if (auto error = ParseStonesBody(request, false, skip_invalid, &body)) return *error;
        auto written = ctx.datasets.Append(Owner(request), id, body.stones, LimitsOf(request));
        if (!written.ok()) return ProblemFromStatus(written.status());
        return Json(200, WriteReport(*written, request, body.stones.size(), body.rows_invalid));
      },
      WithQuery({"skip_invalid"}));

  auto remove = [&ctx](HttpRequest& request) {
    const auto& id = request.Param("dataset_id");
    if (auto error = CheckId(id, "dataset_id")) return *error;
    if (Status s = ctx.datasets.Delete(Owner(request), id); !s.ok()) return ProblemFromStatus(s);
    return Json(200, {{"id_", id}, {"deleted", true}});
  };
  router.Add("DELETE", "/datasets/{dataset_id}", remove);
  router.Add("DELETE", "/dataset/{dataset_id}", remove);  // the seed's singular spelling

  // Frees an old version's bytes. Not the current one, nor one a model was trained on.
  router.Add("DELETE", "/datasets/{dataset_id}/versions/{version}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("dataset_id");
    if (auto error = CheckId(id, "dataset_id")) return *error;
    int64_t version = 0;
    if (auto error = ParseVersionParam(request.Param("version"), &version)) return *error;
    if (Status s = ctx.datasets.DeleteVersion(Owner(request), id, version); !s.ok())
      return ProblemFromStatus(s);
    return Json(200, {{"id_", id}, {"version", version}, {"deleted", true}});
  });
}

}  // namespace diamond::http
