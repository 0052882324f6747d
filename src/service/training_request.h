// The body of PUT /models/{id}: the seed's shape plus what this service adds.
//
//   {"dataset_id": "reference",
//    "hyperparams": {"selector": ["carat","cut","color","clarity"],
//                    "linear__regressor__positive": true},        (the seed's names), or
//    "hyperparameters": {"selector": [...], "positive": true},     (this service's names)
//    "algorithm": "linear",
//    "validation": {"holdout": 0.2, "seed": 42} | {"dataset_id": "other"} | {"holdout": 0}}
//
// Absent hyperparameters mean the seed's chosen model (carat,cut,color,clarity, positive);
// absent validation means an 80/20 holdout with seed 42.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/diamond.h"
#include "core/status.h"
#include "ml/linear_model.h"
#include "ml/trainer.h"

namespace diamond::service {

struct TrainingRequest {
  std::string dataset_id;
  std::string algorithm = "linear";
  ml::LinearSpec spec;
  ml::Validation validation;
  std::string validation_dataset_id;  // for Validation::Kind::kSeparateSet

  nlohmann::json ToJson() const;
};

// Checks every field; problems go to *errors (column = the field's path, e.g.
// "hyperparams.selector") and make the result InvalidArgument.
Result<TrainingRequest> ParseTrainingRequest(const nlohmann::json& body,
                                             std::vector<FieldError>* errors);

}  // namespace diamond::service
