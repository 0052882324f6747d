// Prices: real-time predict, and the seed's batched price queries.
#include <charconv>
#include <cmath>
#include <span>

#include "core/price_format.h"
#include "http/handlers/handler_support.h"
#include "http/handlers/handlers.h"
#include "http/problem.h"
#include "service/pricing.h"

namespace diamond::http {

namespace {

// Larger predict bodies (about 400+ stones) are decoded on the work pool.
constexpr size_t kInlinePredictBodyBytes = 64 << 10;

// Shortest round-trip form: prices and interval bounds, exactly as computed.
void AppendNumber(std::string& out, double value) {
  char number[32];
  auto result = std::to_chars(number, number + sizeof number, value);
  out.append(number, static_cast<size_t>(result.ptr - number));
}

// Twelve significant digits: explanation factors, base price and values, whose product
// still meets the price to 1e-10.
void AppendSignificant(std::string& out, double value) {
  char number[kPriceTextMax];
  out += FormatSignificant(value, number);
}

// The options of a real-time predict: ?explain=true&interval=0.9. The interval is checked
// against the model here, before the body is read, so that its error comes first.
std::optional<HttpResponse> ParsePredictOptions(const HttpRequest& request,
                                                const service::LoadedModel& model,
                                                service::PricingOptions* options) {
  if (auto explain = request.Query("explain")) {
    if (*explain == "true" || *explain == "1") {
      options->explain = true;
    } else if (*explain != "false" && *explain != "0") {
      return ValidationProblem("invalid query parameter",
                               {FieldError{0, 0, "explain", "must be true or false"}});
    }
  }
  if (auto interval = request.Query("interval")) {
    double level = 0;
    auto [end, error] =
        std::from_chars(interval->data(), interval->data() + interval->size(), level);
    if (error != std::errc() || end != interval->data() + interval->size()) {
      return ValidationProblem(
          "invalid query parameter",
          {FieldError{0, 0, "interval", "must be a level between 0 and 1, e.g. 0.9"}});
    }
    auto width = service::Pricing::IntervalHalfWidth(model, level);
    if (!width.ok()) {
      return ValidationProblem("invalid query parameter",
                               {FieldError{0, 0, "interval", width.status().message()}});
    }
    options->interval_level = level;
  }
  return std::nullopt;
}

// ,"explanation":{"base_price":…,"factors":[{"feature":"carat","value":1.1,"factor":1.4},…]}
void AppendExplanation(std::string& out, const service::LoadedModel& model,
                       std::span<const std::string_view> features, const Diamond& stone,
                       double log_base, std::span<const double> effects) {
  out += ",\"explanation\":{\"base_price\":";
  AppendSignificant(out, std::exp(log_base));
  out += ",\"factors\":[";
  for (size_t j = 0; j < features.size(); ++j) {
    if (j > 0) out += ',';
    out += "{\"feature\":\"";
    out += features[j];
    out += "\",\"value\":";
    const service::FactorValue value = service::FactorValueOf(model, j, stone);
    if (!value.grade.empty()) {
      out += '"';
      out += value.grade;
      out += '"';
    } else {
      AppendSignificant(out, value.number);
    }
    out += ",\"factor\":";
    AppendSignificant(out, std::exp(effects[j]));
    out += '}';
  }
  out += "]}";
}

}  // namespace

void RegisterPriceRoutes(Router& router, ApiContext& ctx) {
  // Real time: one stone or an array, priced in input order, optionally with an interval
  // and an explanation. Runs on the I/O thread: a warm model is a cache probe and a few
  // microseconds of arithmetic (an explanation of the default trees about 3 µs more).
  router.Add(
      "POST", "/models/{model_id}/predict",
      [&ctx](HttpRequest& request) {
        const auto& id = request.Param("model_id");
        if (auto error = CheckId(id, "model_id")) return *error;
        int64_t version = 0;  // the champion
        if (auto text = request.Query("version")) {
          if (auto error = ParseVersionParam(std::string(*text), &version)) return *error;
        }
        const auto alias = request.Query("alias");
        if (alias && version != 0) {
          return ValidationProblem("give version or alias, not both",
                                   {FieldError{0, 0, "alias", "give version or alias, not both"}});
        }
        auto model = alias ? ctx.pricing.ResolveAlias(Owner(request), id, std::string(*alias))
                           : ctx.pricing.Resolve(Owner(request), id, version);
        if (!model.ok()) return ProblemFromStatus(model.status());
        service::PricingOptions options;
        if (auto error = ParsePredictOptions(request, **model, &options)) return *error;
        StonesBody body;
        {
          PhaseTimer decoding(&request.phases, RequestPhase::kDecode);
          if (auto error = ParseStonesBody(request, false, false, &body, /*allow_csv=*/false,
                                           ctx.config.max_predict_stones)) {
            return *error;
          }
          if (auto error = CheckPriceable(body.stones)) return *error;
        }
        Gate::CallerRows account(ctx.gate, request);
        std::optional<size_t> unpriceable;
        auto priced = ctx.pricing.Price(std::move(*model), body.stones, options, account,
                                        &request.phases, &unpriceable);
        if (!priced.ok()) {
          if (!unpriceable) return ProblemFromStatus(priced.status());
          return ValidationProblem("a stone the model cannot price",
                                   {FieldError{static_cast<int64_t>(*unpriceable + 1), 0, "",
                                               service::kPriceOutOfRange}});
        }
        PhaseTimer encoding(&request.phases, RequestPhase::kEncode);
        const std::vector<std::string_view> features = priced->explained
                                                           ? service::FeatureNames(*priced->model)
                                                           : std::vector<std::string_view>();
        // Built by hand: ids are validated ([A-Za-z0-9._-]) so they need no escaping.
        std::string out;
        out.reserve(64 + id.size() + (options.explain ? 900 : 32) * body.stones.size());
        out += "{\"model_id\":\"";
        out += id;
        out += "\",\"model_version\":";
        out += std::to_string(priced->model->version);
        // Whose model priced them: a shared model answers under the caller's id once the
        // caller has none of their own by that id.
        out += ",\"model_owner\":\"";
        out += priced->model->owner;  // a validated user id: no escaping needed
        out += "\",\"predictions\":[";
        for (size_t i = 0; i < body.stones.size(); ++i) {
          const service::StonePrice& stone = priced->prices[i];
          if (i > 0) out += ',';
          out += "{\"price\":";
          AppendNumber(out, stone.price);
          if (priced->interval_level > 0) {
            out += ",\"interval\":{\"level\":";
            AppendNumber(out, priced->interval_level);
            out += ",\"low\":";
            AppendNumber(out, stone.low);
            out += ",\"high\":";
            AppendNumber(out, stone.high);
            out += '}';
          }
          if (priced->explained) {
            AppendExplanation(out, *priced->model, features, body.stones[i], priced->log_base[i],
                              priced->EffectsOf(i));
          }
          out += '}';
        }
        out += "]}";
        return JsonResponse(200, std::move(out));
      },
      RouteOptions{false,
                   {"explain", "interval", "version", "alias"},
                   Access::kUser,
                   [&ctx](const HttpRequest& request) {
                     // On the I/O thread only when it cannot block: the model is in memory (else it
                     // is read and parsed on the pool) and the body is small enough to decode in
                     // microseconds, and no explanation is asked for — its cost grows with the
                     // model's trees and depth (0.2 s a stone for the largest model a plan admits),
                     // and on an I/O thread it would hold up every other connection of that thread,
                     // /healthz included (issue 30).
                     if (auto explain = request.Query("explain");
                         explain && *explain != "false" && *explain != "0")
                       return false;
                     // A version other than the champion is looked up in the database.
                     return request.body.size() <= kInlinePredictBodyBytes &&
                            !request.Query("version") && !request.Query("alias") &&
                            ctx.pricing.IsWarm(Owner(request), request.Param("model_id"));
                   }});

  router.Add("POST", "/models/{model_id}/prices", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    auto query = ctx.queries.Create(Owner(request), id);
    if (!query.ok()) return ProblemFromStatus(query.status());
    // The original's form, with no leading slash: its clients call BASE + "/" + location.
    // Under /v1 it is "v1/models/…", so the same clients stay on the versioned paths.
    std::string location = request.prefix.empty() ? std::string() : request.prefix.substr(1) + "/";
    location += "models/" + id + "/prices/" + *query;
    return Json(200, {{"location", std::move(location)}});
  });

  router.Add("POST", "/models/{model_id}/prices/{query_id}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    const auto& query_id = request.Param("query_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    if (auto error = CheckId(query_id, "query_id")) return *error;
    StonesBody body;
    {
      PhaseTimer decoding(&request.phases, RequestPhase::kDecode);
      if (auto error = ParseStonesBody(request, false, false, &body)) return *error;
      if (auto error = CheckPriceable(body.stones)) return *error;
    }
    auto batches = ctx.queries.AppendBatch(Owner(request), id, query_id, body.stones);
    if (!batches.ok()) return ProblemFromStatus(batches.status());
    return Json(200, {{"batch_number", *batches}});
  });

  router.Add(
      "GET", "/models/{model_id}/prices/{query_id}",
      [&ctx](HttpRequest& request) {
        const auto& id = request.Param("model_id");
        const auto& query_id = request.Param("query_id");
        if (auto error = CheckId(id, "model_id")) return *error;
        if (auto error = CheckId(query_id, "query_id")) return *error;
        PageRequest page;
        if (auto error = ParsePage(request, ctx.config, &page)) return *error;
        Gate::CallerRows account(ctx.gate, request);
        auto prices = ctx.queries.Prices(Owner(request), id, query_id, account, &request.phases);
        if (!prices.ok()) return ProblemFromStatus(prices.status());
        PhaseTimer encoding(&request.phases, RequestPhase::kEncode);
        const int64_t total = static_cast<int64_t>(prices->prices.size());
        nlohmann::json results = nlohmann::json::array();
        const int64_t begin = page.offset();
        for (int64_t i = begin; i < total && i < begin + page.page_size; ++i) {
          results.push_back({{"price", prices->prices[static_cast<size_t>(i)]}});
        }
        nlohmann::json envelope = PageEnvelope(std::move(results), request, page, total);
        envelope["model_version"] = prices->model_version;
        return Json(200, envelope);
      },
      WithQuery({"page", "page_size"}));

  router.Add("DELETE", "/models/{model_id}/prices/{query_id}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    const auto& query_id = request.Param("query_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    if (auto error = CheckId(query_id, "query_id")) return *error;
    if (Status s = ctx.queries.Delete(Owner(request), id, query_id); !s.ok())
      return ProblemFromStatus(s);
    return Json(200, {{"deleted", true}});
  });
}

}  // namespace diamond::http
