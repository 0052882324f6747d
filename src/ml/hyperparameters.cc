#include "ml/hyperparameters.h"

#include <algorithm>
#include <string>

namespace diamond::ml {
namespace {

nlohmann::ordered_json SelectorJson(const std::vector<Feature>& selector) {
  nlohmann::ordered_json names = nlohmann::ordered_json::array();
  for (Feature f : selector) names.push_back(FeatureName(f));
  return names;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

template <typename Json>
void ReadSelector(const Json& value, std::vector<Feature>* out, std::vector<SpecProblem>* problems) {
  std::vector<std::string> names;
  bool strings = value.is_array();
  if (strings) {
    for (const auto& name : value) {
      if (!name.is_string()) strings = false;
      else names.push_back(name.template get<std::string>());
    }
  }
  if (!strings) {
    problems->push_back({"selector", "must be an array of feature names"});
  } else if (auto parsed = ParseSelector(names); parsed.ok()) {
    *out = *parsed;
  } else {
    problems->push_back({"selector", parsed.status().message()});
  }
}

template <typename Json, typename Int>
void ReadInteger(const Json& value, const char* name, Int* out, std::vector<SpecProblem>* problems) {
  if (!value.is_number_integer()) {
    problems->push_back({name, "must be an integer"});
    return;
  }
  const auto v = value.template get<int64_t>();
  if (value.is_number_unsigned() && value.template get<uint64_t>() > 1ull << 40) {
    problems->push_back({name, "is out of range"});
    return;
  }
  if constexpr (std::is_unsigned_v<Int>) {
    if (v < 0) {
      problems->push_back({name, "must not be negative"});
      return;
    }
  }
  if (v < -(int64_t{1} << 40) || v > (int64_t{1} << 40)) {
    problems->push_back({name, "is out of range"});
    return;
  }
  *out = static_cast<Int>(v);
}

template <typename Json>
void ReadNumber(const Json& value, const char* name, double* out, std::vector<SpecProblem>* problems) {
  if (!value.is_number()) {
    problems->push_back({name, "must be a number"});
    return;
  }
  *out = value.template get<double>();
}

}  // namespace

const std::vector<std::string>& HyperparameterNames(ModelSpec::Algorithm algorithm) {
  static const std::vector<std::string> kLinear = {"selector", "positive"};
  static const std::vector<std::string> kGbdt = {
      "selector",         "monotone",     "n_estimators", "max_depth",  "learning_rate",
      "subsample",        "colsample_bytree", "min_child_weight", "reg_lambda",
      "early_stopping_rounds", "seed",    "threads"};
  return algorithm == ModelSpec::Algorithm::kLinear ? kLinear : kGbdt;
}

nlohmann::ordered_json HyperparametersToJson(const ModelSpec& spec) {
  if (spec.algorithm == ModelSpec::Algorithm::kLinear) {
    return {{"selector", SelectorJson(spec.linear.selector)}, {"positive", spec.linear.positive}};
  }
  const GbdtSpec& g = spec.gbdt;
  return {{"selector", SelectorJson(g.selector)},
          {"monotone", g.monotone},
          {"n_estimators", g.n_estimators},
          {"max_depth", g.max_depth},
          {"learning_rate", g.learning_rate},
          {"subsample", g.subsample},
          {"colsample_bytree", g.colsample_bytree},
          {"min_child_weight", g.min_child_weight},
          {"reg_lambda", g.reg_lambda},
          {"early_stopping_rounds", g.early_stopping_rounds},
          {"seed", g.seed},
          {"threads", g.threads}};
}

template <typename Json>
ModelSpec ParseHyperparameters(ModelSpec::Algorithm algorithm, const Json& params,
                               const ModelSpec& base, std::vector<SpecProblem>* problems) {
  ModelSpec spec = base;
  spec.algorithm = algorithm;
  if (!params.is_object()) {
    problems->push_back({"", "must be an object"});
    return spec;
  }
  const auto& names = HyperparameterNames(algorithm);
  for (const auto& [key, value] : params.items()) {
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      problems->push_back({key, std::string("unknown hyperparameter for ") +
                                    std::string(AlgorithmName(algorithm)) + " (allowed: " +
                                    Joined(names) + ")"});
      continue;
    }
    if (algorithm == ModelSpec::Algorithm::kLinear) {
      if (key == "selector") {
        ReadSelector(value, &spec.linear.selector, problems);
      } else if (value.is_boolean()) {
        spec.linear.positive = value.template get<bool>();
      } else {
        problems->push_back({"positive", "must be true or false"});
      }
      continue;
    }
    GbdtSpec& g = spec.gbdt;
    if (key == "selector") ReadSelector(value, &g.selector, problems);
    else if (key == "monotone") {
      if (value.is_boolean()) g.monotone = value.template get<bool>();
      else problems->push_back({"monotone", "must be true or false"});
    } else if (key == "n_estimators") ReadInteger(value, "n_estimators", &g.n_estimators, problems);
    else if (key == "max_depth") ReadInteger(value, "max_depth", &g.max_depth, problems);
    else if (key == "learning_rate") ReadNumber(value, "learning_rate", &g.learning_rate, problems);
    else if (key == "subsample") ReadNumber(value, "subsample", &g.subsample, problems);
    else if (key == "colsample_bytree") ReadNumber(value, "colsample_bytree", &g.colsample_bytree, problems);
    else if (key == "min_child_weight") ReadNumber(value, "min_child_weight", &g.min_child_weight, problems);
    else if (key == "reg_lambda") ReadNumber(value, "reg_lambda", &g.reg_lambda, problems);
    else if (key == "early_stopping_rounds") {
      ReadInteger(value, "early_stopping_rounds", &g.early_stopping_rounds, problems);
    } else if (key == "seed") ReadInteger(value, "seed", &g.seed, problems);
    else if (key == "threads") ReadInteger(value, "threads", &g.threads, problems);
  }
  // Fields with the wrong type kept base's (valid) values, so this reports only new problems.
  if (algorithm == ModelSpec::Algorithm::kGbdt) {
    for (SpecProblem& p : CheckGbdtSpec(spec.gbdt)) problems->push_back(std::move(p));
  }
  return spec;
}

std::vector<ModelSpec> ExpandGrid(const ModelSpec& base, const nlohmann::json& base_params,
                                  const nlohmann::json& grid, std::vector<SpecProblem>* problems) {
  if (!grid.is_object() || grid.empty()) {
    problems->push_back({"", "must be an object mapping hyperparameter names to arrays of values"});
    return {};
  }
  const auto& names = HyperparameterNames(base.algorithm);
  size_t combinations = 1;
  for (const auto& [name, values] : grid.items()) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      problems->push_back({name, "unknown hyperparameter (allowed: " + Joined(names) + ")"});
    } else if (!values.is_array() || values.empty()) {
      problems->push_back({name, "must be a non-empty array of values to try"});
    } else {
      combinations = std::min(combinations * values.size(), kMaxCandidates + 1);
    }
  }
  if (!problems->empty()) return {};
  if (combinations > kMaxCandidates) {
    problems->push_back({"", "names more than " + std::to_string(kMaxCandidates) + " combinations"});
    return {};
  }
  std::vector<nlohmann::json> params = {base_params.is_object() ? base_params : nlohmann::json::object()};
  for (const auto& [name, values] : grid.items()) {
    std::vector<nlohmann::json> next;
    for (const auto& partial : params) {
      for (const auto& value : values) {
        next.push_back(partial);
        next.back()[name] = value;
      }
    }
    params = std::move(next);
  }
  std::vector<ModelSpec> candidates;
  for (const auto& combination : params) {
    std::vector<SpecProblem> found;
    ModelSpec candidate = ParseHyperparameters(base.algorithm, combination, base, &found);
    if (!found.empty()) {
      problems->push_back({found.front().field,
                           found.front().message + " (in combination " + combination.dump() + ")"});
      return {};
    }
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

template ModelSpec ParseHyperparameters<nlohmann::json>(ModelSpec::Algorithm,
                                                        const nlohmann::json&, const ModelSpec&,
                                                        std::vector<SpecProblem>*);
template ModelSpec ParseHyperparameters<nlohmann::ordered_json>(ModelSpec::Algorithm,
                                                                const nlohmann::ordered_json&,
                                                                const ModelSpec&,
                                                                std::vector<SpecProblem>*);

}  // namespace diamond::ml
