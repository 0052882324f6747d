// Hyperparameters as JSON, both ways: the shape the API accepts, the model file stores and
// GET /models shows, one object of named values per algorithm, e.g.
//
//   linear: {"selector": ["carat", ...], "positive": true}
//   gbdt:   {"selector": [...], "monotone": true, "n_estimators": 400, "max_depth": 3, ...}
//
// Each algorithm names and reads its own (ml/algorithm.h); this file does the rest once:
// unknown names, the overlay on a base spec, grids.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "ml/model_spec.h"

namespace diamond::ml {

nlohmann::ordered_json HyperparametersToJson(const ModelSpec& spec);

// Overlays `params` (an object; absent names keep the values of `base`, or of the
// algorithm's defaults when `base` is another algorithm's) for `algorithm`. Unknown names,
// wrong types and out-of-range values go to *problems, one per name, each with what is
// allowed.
template <typename Json>
ModelSpec ParseHyperparameters(const Algorithm& algorithm, const Json& params,
                               const ModelSpec& base, std::vector<SpecProblem>* problems);

// Most combinations one grid may name (each is then fitted once per fold).
inline constexpr size_t kMaxCandidates = 100;

// Every combination of `grid`'s values (an object of non-empty arrays, keyed by
// hyperparameter names) overlaid on `base_params` and parsed against `base`, in grid order.
// Problems name the grid's key ("max_depth") or "" for the grid as a whole.
std::vector<ModelSpec> ExpandGrid(const ModelSpec& base, const nlohmann::json& base_params,
                                  const nlohmann::json& grid, std::vector<SpecProblem>* problems);

}  // namespace diamond::ml
