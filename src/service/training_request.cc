#include "service/training_request.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "core/ids.h"
#include "ml/algorithm.h"
#include "ml/hyperparameters.h"

namespace diamond::service {
namespace {

using nlohmann::json;

using Fail = std::function<void(const std::string& field, const std::string& message)>;

// The search's own fields are checked with the rest of the body; its grid only when the
// rest is valid, since every candidate is the request's hyperparameters with the grid's
// values put in (an invalid base would make every candidate fail the same way).
void ParseSearch(const json& s, const json& base_params, bool base_valid, TrainingRequest* request,
                 const Fail& fail) {
  if (!s.is_object()) {
    fail("search", "must be an object: {\"grid\": {...}, \"folds\": 5, \"metric\": \"mae\"}");
    return;
  }
  for (const auto& [key, value] : s.items()) {
    if (key != "grid" && key != "folds" && key != "metric" && key != "seed") {
      fail("search." + key, "unknown field (allowed: grid, folds, metric, seed)");
    }
  }
  ml::SearchSpec search;
  auto folds = s.find("folds");
  if (folds != s.end()) {
    if (!folds->is_number_integer() || folds->get<int64_t>() < 2 ||
        folds->get<int64_t>() > ml::kMaxFolds) {
      fail("search.folds", "must be an integer from 2 to " + std::to_string(ml::kMaxFolds));
    } else {
      search.folds = folds->get<int>();
    }
  }
  auto metric = s.find("metric");
  if (metric != s.end()) {
    static const std::vector<std::string> kMetrics = {"mae", "rmse", "r2", "mape"};
    if (!metric->is_string() ||
        std::find(kMetrics.begin(), kMetrics.end(), metric->get<std::string>()) == kMetrics.end()) {
      fail("search.metric", "must be one of mae, rmse, mape (lower is better) or r2 (higher)");
    } else {
      search.metric = metric->get<std::string>();
    }
  }
  auto seed = s.find("seed");
  if (seed != s.end()) {
    if (!seed->is_number_integer() || seed->get<int64_t>() < 0) {
      fail("search.seed", "must be a non-negative integer");
    } else {
      search.seed = seed->get<uint64_t>();
    }
  }
  auto grid = s.find("grid");
  if (grid == s.end()) {
    fail("search.grid", "required: an object mapping hyperparameter names to arrays of values");
    return;
  }
  if (!base_valid) return;
  std::vector<ml::SpecProblem> problems;
  search.candidates = ml::ExpandGrid(request->spec, base_params, *grid, &problems);
  for (const auto& problem : problems) {
    fail(problem.field.empty() ? "search.grid" : "search.grid." + problem.field, problem.message);
  }
  if (!problems.empty()) return;
  if (search.candidates.size() * static_cast<size_t>(search.folds) > ml::kMaxSearchFits) {
    fail("search", "candidates × folds must be at most " + std::to_string(ml::kMaxSearchFits));
    return;
  }
  request->search = std::move(search);
  request->search_json = s;
}

}  // namespace

json TrainingRequest::ToJson() const {
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
  json out = {{"dataset_id", dataset_id},
              {"algorithm", spec.name()},
              {"hyperparameters", json::parse(ml::HyperparametersToJson(spec).dump())},
              {"validation", validation_json}};
  if (search) out["search"] = search_json;
  if (!promote) out["promote"] = false;
  return out;
}

Result<TrainingRequest> ParseTrainingRequest(const json& body, std::vector<FieldError>* errors) {
  const size_t errors_before = errors->size();
  auto fail = [&](const std::string& field, const std::string& message) {
    errors->push_back(FieldError{0, 0, field, message});
  };
  TrainingRequest request;
  request.spec = ml::SeedModelSpec();  // unless told otherwise
  if (!body.is_object()) {
    fail("", "the body must be a JSON object");
    return Status::InvalidArgument("invalid training request");
  }
  static const std::vector<std::string> kKnown = {"dataset_id", "hyperparams", "hyperparameters",
                                                  "algorithm",  "validation",  "search",
                                                  "promote"};
  for (const auto& [key, value] : body.items()) {
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      fail(key,
           "unknown field (allowed: dataset_id, hyperparams, hyperparameters, algorithm, "
           "validation, search, promote)");
    }
  }
  if (auto promote = body.find("promote"); promote != body.end() && !promote->is_null()) {
    if (promote->is_boolean())
      request.promote = promote->get<bool>();
    else
      fail("promote", "must be true or false");
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
    const ml::Algorithm* found =
        algorithm->is_string() ? ml::FindAlgorithm(algorithm->get<std::string>()) : nullptr;
    if (found == nullptr) {
      fail("algorithm", "unsupported algorithm (allowed: " + ml::AlgorithmNames() + ")");
    } else if (found != &request.spec.algorithm()) {
      request.spec = found->DefaultSpec();
    }
  }

  auto seed_params = body.find("hyperparams");
  auto params = body.find("hyperparameters");
  const bool has_seed = seed_params != body.end() && !seed_params->is_null();
  const bool has_new = params != body.end() && !params->is_null();
  json base_params = json::object();  // what the client gave, for a search to build on
  if (has_seed && has_new) {
    fail("hyperparameters", "give hyperparams (the seed's names) or hyperparameters, not both");
  } else if (has_seed) {
    // The seed's shape: both names required, linear only.
    const json& p = *seed_params;
    if (!p.is_object()) {
      fail("hyperparams", "must be an object");
    } else if (&request.spec.algorithm() != &ml::SeedModelSpec().algorithm()) {
      fail("hyperparams", "the seed's hyperparams describe a linear model; use hyperparameters");
    } else {
      for (const auto& [key, value] : p.items()) {
        if (key == "selector")
          base_params["selector"] = value;
        else if (key == "linear__regressor__positive")
          base_params["positive"] = value;
        else
          fail("hyperparams." + key,
               "unknown hyperparameter (allowed: selector, linear__regressor__positive)");
      }
      if (!p.contains("selector")) fail("hyperparams.selector", "required");
      if (!p.contains("linear__regressor__positive")) {
        fail("hyperparams.linear__regressor__positive", "required");
      }
    }
  } else if (has_new) {
    if (!params->is_object())
      fail("hyperparameters", "must be an object");
    else
      base_params = *params;
  }
  if (base_params.is_object()) {
    std::vector<ml::SpecProblem> problems;
    request.spec =
        ml::ParseHyperparameters(request.spec.algorithm(), base_params, request.spec, &problems);
    for (const auto& problem : problems) {
      const std::string name =
          has_seed && problem.field == "positive" ? "linear__regressor__positive" : problem.field;
      fail(std::string(has_seed ? "hyperparams." : "hyperparameters.") + name, problem.message);
    }
  }

  auto validation = body.find("validation");
  if (validation != body.end() && !validation->is_null()) {
    const json& v = *validation;
    if (!v.is_object()) {
      fail("validation",
           "must be an object: {\"holdout\": 0.2, \"seed\": 42} or {\"dataset_id\": \"...\"}");
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
          fail("validation.holdout",
               "must be a number from 0 (no holdout) up to, not including, 1");
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

  auto search = body.find("search");
  if (search != body.end() && !search->is_null()) {
    ParseSearch(*search, base_params, errors->size() == errors_before, &request, fail);
  }
  if (errors->size() > errors_before) return Status::InvalidArgument("invalid training request");
  return request;
}

}  // namespace diamond::service
