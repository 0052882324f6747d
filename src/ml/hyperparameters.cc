#include "ml/hyperparameters.h"

#include <algorithm>
#include <string>

#include "ml/algorithm.h"
#include "ml/hyperparameter_readers.h"

namespace diamond::ml {
namespace {

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

nlohmann::ordered_json SelectorJson(const std::vector<Feature>& selector) {
  nlohmann::ordered_json names = nlohmann::ordered_json::array();
  for (Feature f : selector) names.push_back(FeatureName(f));
  return names;
}

void ReadSelector(const nlohmann::ordered_json& value, std::vector<Feature>* out,
                  std::vector<SpecProblem>* problems) {
  std::vector<std::string> names;
  bool strings = value.is_array();
  if (strings) {
    for (const auto& name : value) {
      if (!name.is_string())
        strings = false;
      else
        names.push_back(name.get<std::string>());
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

void ReadNumber(const nlohmann::ordered_json& value, const char* name, double* out,
                std::vector<SpecProblem>* problems) {
  if (!value.is_number()) {
    problems->push_back({name, "must be a number"});
    return;
  }
  *out = value.get<double>();
}

void ReadBoolean(const nlohmann::ordered_json& value, const char* name, bool* out,
                 std::vector<SpecProblem>* problems) {
  if (!value.is_boolean()) {
    problems->push_back({name, "must be true or false"});
    return;
  }
  *out = value.get<bool>();
}

nlohmann::ordered_json HyperparametersToJson(const ModelSpec& spec) {
  return spec.algorithm().HyperparametersToJson(spec);
}

template <typename Json>
ModelSpec ParseHyperparameters(const Algorithm& algorithm, const Json& params,
                               const ModelSpec& base, std::vector<SpecProblem>* problems) {
  ModelSpec spec = &base.algorithm() == &algorithm ? base : algorithm.DefaultSpec();
  if (!params.is_object()) {
    problems->push_back({"", "must be an object"});
    return spec;
  }
  const auto& names = algorithm.hyperparameter_names();
  for (const auto& [key, value] : params.items()) {
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      problems->push_back({key, "unknown hyperparameter for " + std::string(algorithm.name()) +
                                    " (allowed: " + Joined(names) + ")"});
      continue;
    }
    algorithm.ReadHyperparameter(key, nlohmann::ordered_json(value), &spec, problems);
  }
  // Fields with the wrong type kept base's (valid) values, so this reports only new problems.
  algorithm.CheckHyperparameters(spec, problems);
  return spec;
}

std::vector<ModelSpec> ExpandGrid(const ModelSpec& base, const nlohmann::json& base_params,
                                  const nlohmann::json& grid, std::vector<SpecProblem>* problems) {
  if (!grid.is_object() || grid.empty()) {
    problems->push_back({"", "must be an object mapping hyperparameter names to arrays of values"});
    return {};
  }
  const auto& names = base.algorithm().hyperparameter_names();
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
    problems->push_back(
        {"", "names more than " + std::to_string(kMaxCandidates) + " combinations"});
    return {};
  }
  std::vector<nlohmann::json> params = {base_params.is_object() ? base_params
                                                                : nlohmann::json::object()};
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
    ModelSpec candidate = ParseHyperparameters(base.algorithm(), combination, base, &found);
    if (!found.empty()) {
      problems->push_back({found.front().field,
                           found.front().message + " (in combination " + combination.dump() + ")"});
      return {};
    }
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

template ModelSpec ParseHyperparameters<nlohmann::json>(const Algorithm&, const nlohmann::json&,
                                                        const ModelSpec&,
                                                        std::vector<SpecProblem>*);
template ModelSpec ParseHyperparameters<nlohmann::ordered_json>(const Algorithm&,
                                                                const nlohmann::ordered_json&,
                                                                const ModelSpec&,
                                                                std::vector<SpecProblem>*);

}  // namespace diamond::ml
