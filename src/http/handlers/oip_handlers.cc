// The Open Inference Protocol V2 (the KServe / Triton / MLServer REST protocol), so that
// inference platforms call diamond without a proxy: server and model metadata, health and
// readiness, and inference with one named tensor per stone column. The same keys,
// tenancy, rate limits and metering as every other route; errors are the protocol's
// {"error": "..."} (Api::Finish reshapes every problem answered under /v2, the gate's too).
#include <charconv>
#include <cmath>

#include "core/inference_request.h"
#include "http/handlers/handler_support.h"
#include "http/handlers/handlers.h"
#include "http/problem.h"
#include "service/pricing.h"

namespace diamond::http {
namespace {

using nlohmann::json;

constexpr const char* kNumberInputs[] = {"carat", "depth", "table", "x", "y", "z"};
constexpr const char* kGradeInputs[] = {"cut", "color", "clarity"};  // BYTES

HttpResponse OipError(int status, const std::string& message) {
  return Json(status, {{"error", message}});
}

json TensorMeta(const std::string& name, const char* datatype) {
  return {{"name", name}, {"datatype", datatype}, {"shape", {-1}}};
}

// ,{"name":"<name>","datatype":"FP64","shape":[N],"data":[...]} built by hand, as /predict
// builds its answer: numbers in their shortest round-trip form.
void AppendTensor(std::string& out, std::string_view name, const std::vector<double>& data) {
  out += "{\"name\":\"";
  out += name;
  out += "\",\"datatype\":\"FP64\",\"shape\":[";
  out += std::to_string(data.size());
  out += "],\"data\":[";
  char number[32];
  for (size_t i = 0; i < data.size(); ++i) {
    if (i > 0) out += ',';
    auto result = std::to_chars(number, number + sizeof number, data[i]);
    out.append(number, static_cast<size_t>(result.ptr - number));
  }
  out += "]}";
}

// The model `viewer` means by the path's id, at the path's version if it names one.
Result<std::shared_ptr<const service::LoadedModel>> ResolveModel(ApiContext& ctx,
                                                                 const HttpRequest& request) {
  const auto& id = request.Param("model_id");
  if (CheckId(id, "model_id")) return Status::NotFound("no model '" + id + "'");
  const bool versioned = std::any_of(request.path_params.begin(), request.path_params.end(),
                                     [](const auto& param) { return param.first == "version"; });
  if (!versioned) return ctx.pricing.Resolve(Owner(request), id);
  // Any kept version of the caller's own model (issue 25); the champion's for a shared one.
  int64_t version = 0;
  if (ParseVersionParam(request.Param("version"), &version)) {
    return Status::NotFound("model '" + id + "' has no version '" + request.Param("version") + "'");
  }
  auto model = ctx.pricing.Resolve(Owner(request), id);
  if (!model.ok()) return model.status();
  if ((*model)->version == version) return model;
  auto kept = (*model)->owner == Owner(request) ? ctx.pricing.Resolve(Owner(request), id, version)
                                                : Status::NotFound("");
  if (kept.ok() || kept.status().code() != StatusCode::kNotFound) return kept;
  return Status::NotFound("model '" + id + "' serves version " + std::to_string((*model)->version) +
                          " and keeps no version '" + request.Param("version") + "'");
}

HttpResponse Metadata(ApiContext& ctx, HttpRequest& request) {
  auto model = ResolveModel(ctx, request);
  if (!model.ok()) return ProblemFromStatus(model.status());
  json inputs = json::array();
  for (const char* n : kNumberInputs) inputs.push_back(TensorMeta(n, "FP64"));
  for (const char* n : kGradeInputs) inputs.push_back(TensorMeta(n, "BYTES"));
  json outputs = json::array({TensorMeta("price", "FP64")});
  if ((*model)->calibration) {
    outputs.push_back(TensorMeta("price_low", "FP64"));
    outputs.push_back(TensorMeta("price_high", "FP64"));
  }
  outputs.push_back(TensorMeta("log_base_price", "FP64"));
  for (std::string_view name : service::FeatureNames(**model))
    outputs.push_back(TensorMeta("contribution_" + std::string(name), "FP64"));
  return Json(200, {{"name", request.Param("model_id")},
                    {"versions", {std::to_string((*model)->version)}},
                    {"platform", "diamond_" + std::string(service::AlgorithmName(**model))},
                    {"inputs", inputs},
                    {"outputs", outputs},
                    {"parameters",
                     {{"explain",
                       "request parameter 'explain': true adds log_base_price and "
                       "contribution_<feature> (log(price) = log_base_price + their sum)"},
                      {"interval",
                       "request parameter 'interval': a level such as 0.9 adds price_low "
                       "and price_high"}}}});
}

HttpResponse Ready(ApiContext& ctx, HttpRequest& request) {
  auto model = ResolveModel(ctx, request);
  if (!model.ok()) return ProblemFromStatus(model.status());
  return Json(200, {{"name", request.Param("model_id")}, {"ready", true}});
}

HttpResponse Infer(ApiContext& ctx, HttpRequest& request) {
  auto model = ResolveModel(ctx, request);
  if (!model.ok()) return ProblemFromStatus(model.status());
  if (request.MediaType() != "application/json") {
    return OipError(415, "send the inference request as application/json");
  }
  std::optional<Result<InferenceRequest>> decoded;
  {
    PhaseTimer decoding(&request.phases, RequestPhase::kDecode);
    decoded.emplace(DecodeInferenceRequest(request.body, ctx.config.max_predict_stones));
    if (!decoded->ok()) {
      return OipError(decoded->status().code() == StatusCode::kLimitExceeded ? 413 : 400,
                      decoded->status().message());
    }
    if (auto error = CheckPriceable((*decoded)->stones)) return *error;
  }
  InferenceRequest& infer = **decoded;
  const size_t n = infer.stones.size();
  if (infer.interval) {
    if (auto width = service::Pricing::IntervalHalfWidth(**model, *infer.interval); !width.ok())
      return OipError(400, "parameter 'interval': " + width.status().message());
  }
  Gate::CallerRows account(ctx.gate, request);
  std::optional<size_t> unpriceable;
  auto priced =
      ctx.pricing.Price(std::move(*model), infer.stones,
                        service::PricingOptions{.explain = infer.explain,
                                                .interval_level = infer.interval.value_or(0)},
                        account, &request.phases, &unpriceable);
  if (!priced.ok()) {
    if (!unpriceable) return ProblemFromStatus(priced.status());
    return OipError(400,
                    "stone " + std::to_string(*unpriceable) + ": " + service::kPriceOutOfRange);
  }
  PhaseTimer encoding(&request.phases, RequestPhase::kEncode);
  const std::vector<std::string_view> features = service::FeatureNames(*priced->model);
  // The protocol's tensors are columns.
  std::vector<double> price(n), low, high, base;
  std::vector<std::vector<double>> contributions;
  if (infer.interval) low.resize(n), high.resize(n);
  if (infer.explain) {
    base = std::move(priced->log_base);
    contributions.assign(features.size(), std::vector<double>(n));
  }
  for (size_t i = 0; i < n; ++i) {
    const service::StonePrice& stone = priced->prices[i];
    price[i] = stone.price;
    if (infer.interval) {
      low[i] = stone.low;
      high[i] = stone.high;
    }
    if (infer.explain) {
      const auto effects = priced->EffectsOf(i);
      for (size_t j = 0; j < contributions.size(); ++j) contributions[j][i] = effects[j];
    }
  }
  // The outputs this request produces, in the metadata's order.
  std::vector<std::pair<std::string, const std::vector<double>*>> produced = {{"price", &price}};
  if (infer.interval) {
    produced.emplace_back("price_low", &low);
    produced.emplace_back("price_high", &high);
  }
  if (infer.explain) {
    produced.emplace_back("log_base_price", &base);
    for (size_t j = 0; j < contributions.size(); ++j) {
      produced.emplace_back("contribution_" + std::string(features[j]), &contributions[j]);
    }
  }
  // Only those asked for, in the order asked, when the request names them.
  if (!infer.outputs.empty()) {
    std::vector<std::pair<std::string, const std::vector<double>*>> chosen;
    for (const auto& name : infer.outputs) {
      auto found = std::find_if(produced.begin(), produced.end(),
                                [&](const auto& p) { return p.first == name; });
      if (found == produced.end()) {
        return OipError(400, "unknown output '" + name + "' (this request produces " +
                                 std::to_string(produced.size()) +
                                 "; see the model's metadata and parameters)");
      }
      chosen.push_back(*found);
    }
    produced = std::move(chosen);
  }
  // Built by hand: ids are validated ([A-Za-z0-9._-]) and need no escaping; the request id
  // is the client's text and is escaped.
  std::string out;
  out.reserve(96 + produced.size() * (48 + 24 * n));
  out += "{\"model_name\":\"";
  out += request.Param("model_id");
  out += "\",\"model_version\":\"";
  out += std::to_string(priced->model->version);
  out += '"';
  if (infer.id) {
    out += ",\"id\":";
    out += json(*infer.id).dump();
  }
  out += ",\"outputs\":[";
  for (size_t k = 0; k < produced.size(); ++k) {
    if (k > 0) out += ',';
    AppendTensor(out, produced[k].first, *produced[k].second);
  }
  out += "]}";
  return JsonResponse(200, std::move(out));
}

}  // namespace

void RegisterOipRoutes(Router& router, ApiContext& ctx) {
  router.Add(
      "GET", "/v2",
      [](HttpRequest&) {
        return Json(200,
                    {{"name", "diamond"}, {"version", "0.1.0"}, {"extensions", json::array()}});
      },
      RouteOptions{false, {}, Access::kPublic, {}});
  router.Add(
      "GET", "/v2/health/live",
      [](HttpRequest&) {
        return Json(200, {{"live", true}});
      },
      RouteOptions{false, {}, Access::kPublic, {}});
  router.Add(
      "GET", "/v2/health/ready",
      [&ctx](HttpRequest&) {
        // Public: says whether, never why (the reason is in /readyz's log line).
        if (Status s = ctx.job_records.PingStore(); !s.ok()) return OipError(503, "not ready");
        return Json(200, {{"ready", true}});
      },
      RouteOptions{true, {}, Access::kPublic, {}});
  for (const std::string base :
       {"/v2/models/{model_id}", "/v2/models/{model_id}/versions/{version}"}) {
    router.Add(
        "GET", base, [&ctx](HttpRequest& request) { return Metadata(ctx, request); },
        RouteOptions{true, {}, Access::kUser, {}});
    router.Add(
        "GET", base + "/ready", [&ctx](HttpRequest& request) { return Ready(ctx, request); },
        RouteOptions{true, {}, Access::kUser, {}});
    router.Add(
        "POST", base + "/infer", [&ctx](HttpRequest& request) { return Infer(ctx, request); },
        RouteOptions{false, {}, Access::kUser, [&ctx](const HttpRequest& request) {
                       // As /predict: inline only when cheap. The explain parameter is in the body,
                       // so a body that mentions it at all goes to the pool (issue 30).
                       return request.body.size() <= (64 << 10) &&
                              request.body.find("\"explain\"") == std::string::npos &&
                              ctx.pricing.IsWarm(Owner(request), request.Param("model_id"));
                     }});
  }
}

}  // namespace diamond::http
