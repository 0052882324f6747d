#include "service/training_request.h"

#include <cmath>

#include "service/ids.h"

namespace diamond::service {
namespace {

using nlohmann::json;

}  // namespace

json TrainingRequest::ToJson() const {
  json selector = json::array();
  for (ml::Feature f : spec.selector) selector.push_back(ml::FeatureName(f));
  json validation_json;
  switch (validation.kind) {
    case ml::Validation::Kind::kNone:
      validation_json = {{"holdout", 0}};
      break;
    case ml::Validation::Kind::kHoldout:
      validation_json = {{"holdout", validation.holdout}, {"seed", validation.seed}};
      break;
    case ml::Validation::Kind::kSeparateSet:
      validation_json = {{"dataset_id", validation_dataset_id}};
      break;
  }
  return {{"dataset_id", dataset_id},
          {"algorithm", algorithm},
          {"hyperparameters", {{"selector", selector}, {"positive", spec.positive}}},
          {"validation", validation_json}};
}

Result<TrainingRequest> ParseTrainingRequest(const json& body, std::vector<FieldError>* errors) {
  const size_t errors_before = errors->size();
  auto fail = [&](const std::string& field, const std::string& message) {
    errors->push_back(FieldError{0, 0, field, message});
  };
  TrainingRequest request;
  request.spec.positive = true;  // the seed's chosen model unless told otherwise
  if (!body.is_object()) {
    fail("", "the body must be a JSON object");
    return Status::InvalidArgument("invalid training request");
  }
  static const std::vector<std::string> kKnown = {"dataset_id", "hyperparams", "hyperparameters",
                                                  "algorithm", "validation"};
  for (const auto& [key, value] : body.items()) {
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      fail(key, "unknown field (allowed: dataset_id, hyperparams, hyperparameters, algorithm, validation)");
    }
  }

  auto dataset = body.find("dataset_id");
  if (dataset == body.end() || !dataset->is_string()) {
    fail("dataset_id", "required: the id of the dataset to train on");
  } else if (!IsValidId(dataset->get<std::string>())) {
    fail("dataset_id", std::string("invalid id (") + std::string(kIdRule) + ")");
  } else {
    request.dataset_id = dataset->get<std::string>();
  }

  auto algorithm = body.find("algorithm");
  if (algorithm != body.end() && !algorithm->is_null()) {
    if (!algorithm->is_string() || algorithm->get<std::string>() != "linear") {
      fail("algorithm", "unsupported algorithm (allowed: linear)");
    }
  }

  auto seed_params = body.find("hyperparams");
  auto params = body.find("hyperparameters");
  const bool has_seed = seed_params != body.end() && !seed_params->is_null();
  const bool has_new = params != body.end() && !params->is_null();
  if (has_seed && has_new) {
    fail("hyperparameters", "give hyperparams (the seed's names) or hyperparameters, not both");
  } else if (has_seed || has_new) {
    const json& p = has_seed ? *seed_params : *params;
    const std::string prefix = has_seed ? "hyperparams" : "hyperparameters";
    const std::string positive_key = has_seed ? "linear__regressor__positive" : "positive";
    if (!p.is_object()) {
      fail(prefix, "must be an object");
    } else {
      for (const auto& [key, value] : p.items()) {
        if (key != "selector" && key != positive_key) {
          fail(prefix + "." + key, "unknown hyperparameter (allowed: selector, " + positive_key + ")");
        }
      }
      auto selector = p.find("selector");
      if (selector != p.end()) {
        std::vector<std::string> names;
        bool strings = selector->is_array();
        if (strings) {
          for (const auto& name : *selector) {
            if (!name.is_string()) strings = false;
            else names.push_back(name.get<std::string>());
          }
        }
        if (!strings) {
          fail(prefix + ".selector", "must be an array of feature names");
        } else if (auto parsed = ml::ParseSelector(names); parsed.ok()) {
          request.spec.selector = *parsed;
        } else {
          fail(prefix + ".selector", parsed.status().message());
        }
      } else if (has_seed) {
        fail(prefix + ".selector", "required");
      }
      auto positive = p.find(positive_key);
      if (positive != p.end()) {
        if (positive->is_boolean()) {
          request.spec.positive = positive->get<bool>();
        } else {
          fail(prefix + "." + positive_key, "must be true or false");
        }
      } else if (has_seed) {
        fail(prefix + "." + positive_key, "required");
      }
    }
  }

  auto validation = body.find("validation");
  if (validation != body.end() && !validation->is_null()) {
    const json& v = *validation;
    if (!v.is_object()) {
      fail("validation", "must be an object: {\"holdout\": 0.2, \"seed\": 42} or {\"dataset_id\": \"...\"}");
    } else if (v.contains("dataset_id")) {
      if (v.contains("holdout") || v.contains("seed")) {
        fail("validation", "give either dataset_id or holdout/seed, not both");
      } else if (!v["dataset_id"].is_string() || !IsValidId(v["dataset_id"].get<std::string>())) {
        fail("validation.dataset_id", std::string("invalid id (") + std::string(kIdRule) + ")");
      } else {
        request.validation.kind = ml::Validation::Kind::kSeparateSet;
        request.validation_dataset_id = v["dataset_id"].get<std::string>();
      }
    } else {
      for (const auto& [key, value] : v.items()) {
        if (key != "holdout" && key != "seed") {
          fail("validation." + key, "unknown field (allowed: holdout, seed, dataset_id)");
        }
      }
      if (v.contains("holdout")) {
        const json& h = v["holdout"];
        if (!h.is_number() || !(h.get<double>() >= 0 && h.get<double>() < 1)) {
          fail("validation.holdout", "must be a number from 0 (no holdout) up to, not including, 1");
        } else if (h.get<double>() == 0) {
          request.validation.kind = ml::Validation::Kind::kNone;
        } else {
          request.validation.holdout = h.get<double>();
        }
      }
      if (v.contains("seed")) {
        const json& s = v["seed"];
        if (!s.is_number_integer() || s.get<int64_t>() < 0) {
          fail("validation.seed", "must be a non-negative integer");
        } else {
          request.validation.seed = s.get<uint64_t>();
        }
      }
    }
  }
  if (errors->size() > errors_before) return Status::InvalidArgument("invalid training request");
  return request;
}

}  // namespace diamond::service
