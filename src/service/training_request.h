// The body of PUT /models/{id}: the seed's shape plus what this service adds.
//
//   {"dataset_id": "reference",
//    "hyperparams": {"selector": ["carat","cut","color","clarity"],
//                    "linear__regressor__positive": true},        (the seed's names), or
//    "hyperparameters": {"selector": [...], "positive": true},     (this service's names)
//    "algorithm": "linear" | "gbdt",     (gbdt: see ml/hyperparameters.h for its names)
//    "validation": {"holdout": 0.2, "seed": 42} | {"dataset_id": "other"} | {"holdout": 0},
//    "search": {"grid": {"max_depth": [3, 4], "learning_rate": [0.05, 0.1]},
//               "folds": 5, "metric": "mae", "seed": 42}}
//
// Absent hyperparameters mean the seed's chosen model (carat,cut,color,clarity, positive)
// for linear and the defaults of ml/gbdt_spec.h for gbdt; absent validation means an 80/20
// holdout with seed 42. A search tries every combination of the grid's values over the
// given hyperparameters.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/diamond.h"
#include "core/status.h"
#include "ml/trainer.h"

namespace diamond::service {

struct TrainingRequest {
  std::string dataset_id;
  ml::ModelSpec spec;
  ml::Validation validation;
  std::string validation_dataset_id;  // for Validation::Kind::kSeparateSet
  std::optional<ml::SearchSpec> search;
  nlohmann::json search_json;  // as given, so the job re-reads the same grid
  // The new version becomes the champion when ready; false keeps it beside the champion
  // (a model's first version is the champion anyway).
  bool promote = true;

  nlohmann::json ToJson() const;
};

// Checks every field; problems go to *errors (column = the field's path, e.g.
// "hyperparams.selector") and make the result InvalidArgument.
Result<TrainingRequest> ParseTrainingRequest(const nlohmann::json& body,
                                             std::vector<FieldError>* errors);

}  // namespace diamond::service
