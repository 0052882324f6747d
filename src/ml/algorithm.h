// An algorithm as the rest of the code knows it: its name, its hyperparameters (names,
// JSON both ways, range checks), how many rows a fit needs, the fit itself, and how a
// fitted model is read back from its section of a model file. Each kind implements this
// once (linear_algorithm.cc, gbdt_algorithm.cc) and is listed in algorithm.cc's registry;
// a ModelSpec knows its algorithm, so nothing else asks which one a spec or a model is
// (docs/models.md, "Adding an algorithm").
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/diamond.h"
#include "core/status.h"
#include "ml/features.h"
#include "ml/model.h"
#include "ml/model_spec.h"
#include "ml/trainer.h"

namespace diamond::ml {

struct LoadedModel {
  std::shared_ptr<const Model> model;
  ModelSpec spec;
};

class Algorithm {
 public:
  virtual ~Algorithm() = default;

  virtual std::string_view name() const = 0;
  // This algorithm with its default hyperparameters.
  virtual ModelSpec DefaultSpec() const = 0;

  // The hyperparameter names the API and the CLI accept for this algorithm.
  virtual const std::vector<std::string>& hyperparameter_names() const = 0;
  // The methods below take specs of this algorithm only (spec.algorithm() == *this).
  virtual nlohmann::ordered_json HyperparametersToJson(const ModelSpec& spec) const = 0;
  // Reads one named hyperparameter (one of hyperparameter_names()) into *spec; a wrong
  // type goes to *problems and leaves *spec as it was.
  virtual void ReadHyperparameter(const std::string& name, const nlohmann::ordered_json& value,
                                  ModelSpec* spec, std::vector<SpecProblem>* problems) const = 0;
  // Every out-of-range value of a parsed spec, each with what is allowed.
  virtual void CheckHyperparameters(const ModelSpec& spec,
                                    std::vector<SpecProblem>* problems) const = 0;

  // Fewest cleaned rows a fit can be determined from.
  virtual size_t MinimumRows(const ModelSpec& spec) const = 0;
  virtual Result<std::shared_ptr<const Model>> Fit(std::span<const Diamond> rows,
                                                   const ModelSpec& spec,
                                                   const ProgressObserver& observer,
                                                   Progress progress) const = 0;

  // Rebuilds a fitted model from `section` (a model file's member named name()), the
  // file's selector and its fitted feature transform. Anything amiss is a Corruption.
  virtual Result<LoadedModel> Load(const nlohmann::ordered_json& section,
                                   const std::vector<Feature>& selector,
                                   const FeatureTransform& transform) const = 0;
  // The first model-file format_version that could hold this algorithm.
  virtual int since_format_version() const = 0;
};

// By name ("linear", "gbdt"), or nullptr.
const Algorithm* FindAlgorithm(std::string_view name);
// "linear, gbdt": for messages listing what is allowed.
std::string AlgorithmNames();

// Every registered algorithm, in registry order.
std::span<const Algorithm* const> Algorithms();

}  // namespace diamond::ml
