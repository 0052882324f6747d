// The Open Inference Protocol V2 (the KServe / Triton / MLServer REST protocol), so that
// inference platforms call diamond without a proxy: server and model metadata, health and
// readiness, and inference with one named tensor per stone column. The same keys,
// tenancy, rate limits and metering as every other route; errors are the protocol's
// {"error": "..."} (Api::Finish reshapes every problem answered under /v2, the gate's too).
#include <cmath>

#include "core/grades.h"
#include "http/handlers/handler_support.h"
#include "http/handlers/handlers.h"
#include "http/problem.h"
#include "ml/features.h"
#include "ml/model.h"

namespace diamond::http {
namespace {

using nlohmann::json;

constexpr const char* kNumberInputs[] = {"carat", "depth", "table", "x", "y", "z"};
constexpr const char* kGradeInputs[] = {"cut", "color", "clarity"};

HttpResponse OipError(int status, const std::string& message) { return Json(status, {{"error", message}}); }

double* NumberSlot(Diamond& stone, std::string_view name) {
  if (name == "carat") return &stone.carat;
  if (name == "depth") return &stone.depth;
  if (name == "table") return &stone.table;
  if (name == "x") return &stone.x;
  if (name == "y") return &stone.y;
  return &stone.z;
}

int* GradeSlot(Diamond& stone, std::string_view name) {
  if (name == "cut") return &stone.cut;
  if (name == "color") return &stone.color;
  return &stone.clarity;
}

GradeScale ScaleOf(std::string_view name) {
  return name == "cut" ? GradeScale::kCut : name == "color" ? GradeScale::kColor : GradeScale::kClarity;
}

bool IsNumberInput(std::string_view name) {
  for (const char* n : kNumberInputs) {
    if (name == n) return true;
  }
  return false;
}

bool IsGradeInput(std::string_view name) {
  for (const char* n : kGradeInputs) {
    if (name == n) return true;
  }
  return false;
}

// The tensor's elements in row-major order (the protocol allows nested arrays).
void Flatten(const json& data, std::vector<const json*>* out) {
  if (!data.is_array()) {
    out->push_back(&data);
    return;
  }
  for (const auto& item : data) Flatten(item, out);
}

// The stones the input tensors describe: every column once, each of shape [N] (or [N, 1]),
// numbers as FP64/FP32 (integers accepted), grades as BYTES. An error names the tensor,
// and the element for a bad value.
std::optional<std::string> StonesFromTensors(const json& inputs, std::vector<Diamond>* stones) {
  if (!inputs.is_array() || inputs.empty()) return "'inputs' must be a non-empty array of tensors";
  std::optional<size_t> rows;
  std::vector<std::string> seen;
  for (const auto& tensor : inputs) {
    if (!tensor.is_object() || !tensor.contains("name") || !tensor["name"].is_string()) {
      return "every input needs a 'name'";
    }
    const std::string name = tensor["name"];
    const bool number = IsNumberInput(name);
    if (!number && !IsGradeInput(name)) {
      return "unknown input '" + name + "' (the inputs are carat, cut, color, clarity, depth, table, x, y, z)";
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) return "input '" + name + "' is given twice";
    seen.push_back(name);
    const std::string datatype = tensor.value("datatype", "");
    const bool number_type = datatype == "FP64" || datatype == "FP32" || datatype == "INT64" || datatype == "INT32";
    if (number ? !number_type : datatype != "BYTES") {
      return "input '" + name + "' must have datatype " + (number ? "FP64 or FP32" : "BYTES") + ", not '" +
             datatype + "'";
    }
    const json& shape = tensor.contains("shape") ? tensor["shape"] : json();
    if (!shape.is_array() || shape.empty() || shape.size() > 2 || !shape[0].is_number_integer() ||
        shape[0].get<int64_t>() < 0 || (shape.size() == 2 && shape[1] != 1)) {
      return "input '" + name + "' must have shape [N] or [N, 1]";
    }
    const size_t n = shape[0].get<size_t>();
    if (rows && *rows != n) return "input '" + name + "' has " + std::to_string(n) + " rows, the others " + std::to_string(*rows);
    rows = n;
    if (!tensor.contains("data")) return "input '" + name + "' has no 'data'";
    std::vector<const json*> values;
    Flatten(tensor["data"], &values);
    if (values.size() != n) {
      return "input '" + name + "' has " + std::to_string(values.size()) + " elements for shape [" +
             std::to_string(n) + "]";
    }
    if (stones->empty()) stones->resize(n);
    for (size_t i = 0; i < n; ++i) {
      const json& v = *values[i];
      const std::string where = "input '" + name + "' element " + std::to_string(i) + ": ";
      if (number) {
        if (!v.is_number() || !std::isfinite(v.get<double>())) return where + "not a finite number";
        *NumberSlot((*stones)[i], name) = v.get<double>();
      } else {
        if (!v.is_string()) return where + "not a string";
        auto code = GradeCode(ScaleOf(name), v.get<std::string>());
        if (!code) {
          return where + "unknown grade '" + v.get<std::string>() + "' (allowed: " + AllowedGradesText(ScaleOf(name)) + ")";
        }
        *GradeSlot((*stones)[i], name) = *code;
      }
    }
  }
  for (const char* n : kNumberInputs) {
    if (std::find(seen.begin(), seen.end(), n) == seen.end()) return std::string("input '") + n + "' is missing";
  }
  for (const char* n : kGradeInputs) {
    if (std::find(seen.begin(), seen.end(), n) == seen.end()) return std::string("input '") + n + "' is missing";
  }
  return std::nullopt;
}

json TensorMeta(const std::string& name, const char* datatype) {
  return {{"name", name}, {"datatype", datatype}, {"shape", {-1}}};
}

json Tensor(const std::string& name, const std::vector<double>& data) {
  return {{"name", name}, {"datatype", "FP64"}, {"shape", {data.size()}}, {"data", data}};
}

// The model `viewer` means by the path's id, at the path's version if it names one.
Result<std::shared_ptr<const service::LoadedModel>> ResolveModel(ApiContext& ctx, const HttpRequest& request) {
  const auto& id = request.Param("model_id");
  if (CheckId(id, "model_id")) return Status::NotFound("no model '" + id + "'");
  auto model = ctx.models.ForPrediction(Owner(request), id);
  if (!model.ok()) return model.status();
  const bool versioned = std::any_of(request.path_params.begin(), request.path_params.end(),
                                     [](const auto& param) { return param.first == "version"; });
  if (versioned && request.Param("version") != std::to_string((*model)->version)) {
    return Status::NotFound("model '" + id + "' serves version " + std::to_string((*model)->version) + ", not '" +
                            request.Param("version") + "'");
  }
  return model;
}

HttpResponse Metadata(ApiContext& ctx, HttpRequest& request) {
  auto model = ResolveModel(ctx, request);
  if (!model.ok()) return ProblemFromStatus(model.status());
  const ml::Model& m = *(*model)->model;
  json inputs = json::array();
  for (const char* n : kNumberInputs) inputs.push_back(TensorMeta(n, "FP64"));
  for (const char* n : kGradeInputs) inputs.push_back(TensorMeta(n, "BYTES"));
  json outputs = json::array({TensorMeta("price", "FP64")});
  if ((*model)->calibration) {
    outputs.push_back(TensorMeta("price_low", "FP64"));
    outputs.push_back(TensorMeta("price_high", "FP64"));
  }
  outputs.push_back(TensorMeta("log_base_price", "FP64"));
  for (ml::Feature f : m.features()) outputs.push_back(TensorMeta("contribution_" + std::string(ml::FeatureName(f)), "FP64"));
  return Json(200, {{"name", request.Param("model_id")},
                    {"versions", {std::to_string((*model)->version)}},
                    {"platform", "diamond_" + std::string(m.algorithm())},
                    {"inputs", inputs},
                    {"outputs", outputs},
                    {"parameters", {{"explain", "request parameter 'explain': true adds log_base_price and "
                                                "contribution_<feature> (log(price) = log_base_price + their sum)"},
                                    {"interval", "request parameter 'interval': a level such as 0.9 adds price_low "
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
  json body;
  if (auto error = ParseJsonBody(request, &body)) return *error;
  if (!body.is_object()) return OipError(400, "the inference request must be a JSON object");
  std::vector<Diamond> stones;
  if (auto error = StonesFromTensors(body.contains("inputs") ? body["inputs"] : json(), &stones)) {
    return OipError(400, *error);
  }
  if (stones.size() > ctx.config.max_predict_stones) {
    return OipError(413, "at most " + std::to_string(ctx.config.max_predict_stones) + " stones per request");
  }
  if (auto error = CheckPriceable(stones)) return *error;
  const json parameters = body.value("parameters", json::object());
  if (!parameters.is_object()) return OipError(400, "'parameters' must be an object");
  const json explain_flag = parameters.value("explain", json(false));
  if (!explain_flag.is_boolean()) return OipError(400, "parameter 'explain' must be true or false");
  const bool explain = explain_flag.get<bool>();
  double half_width = 0;
  const bool interval = parameters.contains("interval");
  if (interval) {
    if (!parameters["interval"].is_number()) return OipError(400, "parameter 'interval' must be a level such as 0.9");
    if (!(*model)->calibration) {
      return OipError(400, "the model has no interval calibration: it was trained without held-out rows");
    }
    auto width = (*model)->calibration->HalfWidth(parameters["interval"].get<double>());
    if (!width.ok()) return OipError(400, "parameter 'interval': " + width.status().message());
    half_width = *width;
  }
  const ml::Model& m = *(*model)->model;
  const size_t n = stones.size();
  std::vector<double> price(n), low, high, base;
  std::vector<std::vector<double>> contributions;
  if (interval) low.resize(n), high.resize(n);
  if (explain) base.resize(n), contributions.assign(m.features().size(), std::vector<double>(n));
  ml::Explanation explanation;
  for (size_t i = 0; i < n; ++i) {
    double log_price;
    if (explain) {
      m.Explain(stones[i], &explanation);
      log_price = explanation.log_price;
      base[i] = explanation.base;
      for (size_t j = 0; j < contributions.size(); ++j) contributions[j][i] = explanation.effects[j];
    } else {
      log_price = m.PredictLogPrice(stones[i]);
    }
    price[i] = std::exp(log_price);
    if (!std::isfinite(price[i])) return OipError(400, "stone " + std::to_string(i) + ": the predicted price is out of range");
    if (interval) {
      low[i] = std::exp(log_price - half_width);
      high[i] = std::exp(log_price + half_width);
    }
  }
  json outputs = json::array({Tensor("price", price)});
  if (interval) {
    outputs.push_back(Tensor("price_low", low));
    outputs.push_back(Tensor("price_high", high));
  }
  if (explain) {
    outputs.push_back(Tensor("log_base_price", base));
    for (size_t j = 0; j < contributions.size(); ++j) {
      outputs.push_back(Tensor("contribution_" + std::string(ml::FeatureName(m.features()[j])), contributions[j]));
    }
  }
  // Only the outputs asked for, when the request names them.
  if (body.contains("outputs")) {
    if (!body["outputs"].is_array()) return OipError(400, "'outputs' must be an array");
    json chosen = json::array();
    for (const auto& wanted : body["outputs"]) {
      const std::string name = wanted.is_object() ? wanted.value("name", "") : "";
      auto found = std::find_if(outputs.begin(), outputs.end(), [&](const json& t) { return t["name"] == name; });
      if (found == outputs.end()) {
        return OipError(400, "unknown output '" + name + "' (this request produces " +
                                 std::to_string(outputs.size()) + " outputs; see the model's metadata)");
      }
      chosen.push_back(*found);
    }
    outputs = std::move(chosen);
  }
  if (Status s = ctx.gate.ChargeRows(request, static_cast<int64_t>(n)); !s.ok()) return ProblemFromStatus(s);
  ctx.metrics.AddPredictedRows(static_cast<int64_t>(n));
  json out = {{"model_name", request.Param("model_id")},
              {"model_version", std::to_string((*model)->version)},
              {"outputs", std::move(outputs)}};
  if (body.contains("id") && body["id"].is_string()) out["id"] = body["id"];
  return Json(200, out);
}

}  // namespace

void RegisterOipRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/v2", [](HttpRequest&) {
    return Json(200, {{"name", "diamond"}, {"version", "0.1.0"}, {"extensions", json::array()}});
  }, RouteOptions{false, {}, Access::kPublic, {}});
  router.Add("GET", "/v2/health/live", [](HttpRequest&) { return Json(200, {{"live", true}}); },
             RouteOptions{false, {}, Access::kPublic, {}});
  router.Add("GET", "/v2/health/ready", [&ctx](HttpRequest&) {
    if (Status s = ctx.job_records.PingStore(); !s.ok()) return OipError(503, "metadata store: " + s.message());
    return Json(200, {{"ready", true}});
  }, RouteOptions{true, {}, Access::kPublic, {}});
  for (const std::string base : {"/v2/models/{model_id}", "/v2/models/{model_id}/versions/{version}"}) {
    router.Add("GET", base, [&ctx](HttpRequest& request) { return Metadata(ctx, request); },
               RouteOptions{true, {}, Access::kUser, {}});
    router.Add("GET", base + "/ready", [&ctx](HttpRequest& request) { return Ready(ctx, request); },
               RouteOptions{true, {}, Access::kUser, {}});
    router.Add("POST", base + "/infer", [&ctx](HttpRequest& request) { return Infer(ctx, request); },
               RouteOptions{false, {}, Access::kUser, [&ctx](const HttpRequest& request) {
                 return request.body.size() <= (64 << 10) && ctx.models.IsWarm(Owner(request), request.Param("model_id"));
               }});
  }
}

}  // namespace diamond::http
