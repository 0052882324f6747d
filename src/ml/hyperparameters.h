// Hyperparameters as JSON, both ways: the shape the API accepts, the model file stores and
// GET /models shows.
//
//   linear: {"selector": ["carat", ...], "positive": true}
//   gbdt:   {"selector": [...], "monotone": true, "n_estimators": 1000, "max_depth": 4,
//            "learning_rate": 0.05,
//            "subsample": 0.8, "colsample_bytree": 0.8, "min_child_weight": 1,
//            "reg_lambda": 1, "early_stopping_rounds": 50, "seed": 42, "threads": 1}
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "ml/gbdt_spec.h"
#include "ml/trainer.h"

namespace diamond::ml {

nlohmann::ordered_json HyperparametersToJson(const ModelSpec& spec);

// The names `algorithm` accepts.
const std::vector<std::string>& HyperparameterNames(ModelSpec::Algorithm algorithm);

// Overlays `params` (an object; absent names keep `base`'s values) on `base` for
// `algorithm`. Unknown names, wrong types and out-of-range values go to *problems, one per
// name, each with what is allowed.
template <typename Json>
ModelSpec ParseHyperparameters(ModelSpec::Algorithm algorithm, const Json& params,
                               const ModelSpec& base, std::vector<SpecProblem>* problems);

// Most combinations one grid may name (each is then fitted once per fold).
inline constexpr size_t kMaxCandidates = 100;

// Every combination of `grid`'s values (an object of non-empty arrays, keyed by
// hyperparameter names) overlaid on `base_params` and parsed against `base`, in grid order.
// Problems name the grid's key ("max_depth") or "" for the grid as a whole.
std::vector<ModelSpec> ExpandGrid(const ModelSpec& base, const nlohmann::json& base_params,
                                  const nlohmann::json& grid, std::vector<SpecProblem>* problems);

}  // namespace diamond::ml
