// Prices: real-time predict, and the seed's batched price queries.
#include <charconv>
#include <cmath>

#include "http/handlers/handler_support.h"
#include "http/handlers/handlers.h"
#include "http/problem.h"

namespace diamond::http {

void RegisterPriceRoutes(Router& router, ApiContext& ctx) {
  // Real time: one stone or an array, priced in input order. Runs on the I/O thread: a warm
  // model is a cache probe and a few microseconds of arithmetic.
  router.Add("POST", "/models/{model_id}/predict", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    auto model = ctx.models.ForPrediction(Owner(request), id);
    if (!model.ok()) return ProblemFromStatus(model.status());
    StonesBody body;
    if (auto error = ParseStonesBody(request, false, false, &body, /*allow_csv=*/false)) return *error;
    if (body.stones.size() > ctx.config.max_predict_stones) {
      return Problem(413, "too-many-stones", "Too many stones",
                     std::to_string(body.stones.size()) + " stones in one request; the limit is " +
                         std::to_string(ctx.config.max_predict_stones) +
                         " (use a price query for more)");
    }
    if (auto error = CheckPriceable(body.stones)) return *error;
    // Built by hand: ids are validated ([A-Za-z0-9._-]) so they need no escaping.
    std::string out;
    out.reserve(64 + id.size() + 32 * body.stones.size());
    out += "{\"model_id\":\"";
    out += id;
    out += "\",\"model_version\":";
    out += std::to_string((*model)->version);
    out += ",\"predictions\":[";
    char number[32];
    for (size_t i = 0; i < body.stones.size(); ++i) {
      const double price = (*model)->model->PredictPrice(body.stones[i]);
      if (!std::isfinite(price)) {  // a model trained on extreme data can still overflow
        return ValidationProblem("a stone the model cannot price",
                                 {FieldError{static_cast<int64_t>(i + 1), 0, "",
                                             "the predicted price is out of range"}});
      }
      auto result = std::to_chars(number, number + sizeof number, price);
      if (i > 0) out += ',';
      out += "{\"price\":";
      out.append(number, static_cast<size_t>(result.ptr - number));
      out += '}';
    }
    out += "]}";
    // Charged once every stone is priced, so a refused or failed request costs nothing.
    if (Status s = ctx.gate.ChargeRows(request, static_cast<int64_t>(body.stones.size())); !s.ok()) {
      return ProblemFromStatus(s);
    }
    ctx.metrics.AddPredictedRows(static_cast<int64_t>(body.stones.size()));
    return JsonResponse(200, std::move(out));
  }, Inline());

  router.Add("POST", "/models/{model_id}/prices", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    auto query = ctx.queries.Create(Owner(request), id);
    if (!query.ok()) return ProblemFromStatus(query.status());
    return Json(200, {{"location", request.prefix + "/models/" + id + "/prices/" + *query}});
  });

  router.Add("POST", "/models/{model_id}/prices/{query_id}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    const auto& query_id = request.Param("query_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    if (auto error = CheckId(query_id, "query_id")) return *error;
    StonesBody body;
    if (auto error = ParseStonesBody(request, false, false, &body)) return *error;
    if (auto error = CheckPriceable(body.stones)) return *error;
    auto batches = ctx.queries.AppendBatch(Owner(request), id, query_id, body.stones);
    if (!batches.ok()) return ProblemFromStatus(batches.status());
    return Json(200, {{"batch_number", *batches}});
  });

  router.Add("GET", "/models/{model_id}/prices/{query_id}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    const auto& query_id = request.Param("query_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    if (auto error = CheckId(query_id, "query_id")) return *error;
    PageRequest page;
    if (auto error = ParsePage(request, ctx.config, &page)) return *error;
    auto prices = ctx.queries.Prices(Owner(request), id, query_id, [&](int64_t rows) {
      return ctx.gate.ChargeRows(request, rows);
    });
    if (!prices.ok()) return ProblemFromStatus(prices.status());
    if (prices->computed_now) ctx.metrics.AddPredictedRows(static_cast<int64_t>(prices->prices.size()));
    const int64_t total = static_cast<int64_t>(prices->prices.size());
    nlohmann::json results = nlohmann::json::array();
    const int64_t begin = (page.page - 1) * page.page_size;
    for (int64_t i = begin; i < total && i < begin + page.page_size; ++i) {
      results.push_back({{"price", prices->prices[static_cast<size_t>(i)]}});
    }
    nlohmann::json envelope = PageEnvelope(std::move(results), request, page, total);
    envelope["model_version"] = prices->model_version;
    return Json(200, envelope);
  }, WithQuery({"page", "page_size"}));

  router.Add("DELETE", "/models/{model_id}/prices/{query_id}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    const auto& query_id = request.Param("query_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    if (auto error = CheckId(query_id, "query_id")) return *error;
    if (Status s = ctx.queries.Delete(Owner(request), id, query_id); !s.ok()) return ProblemFromStatus(s);
    return Json(200, {{"deleted", true}});
  });
}

}  // namespace diamond::http
