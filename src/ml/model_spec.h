// Which algorithm, with its hyperparameters. Each algorithm keeps its hyperparameters in
// a struct of its own (LinearSpec, GbdtSpec) and names itself for that struct with an
// AlgorithmOf overload next to it; a ModelSpec holds one such struct by value, so adding
// an algorithm adds a struct and touches nothing here (docs/models.md, "Adding an
// algorithm"). Only the algorithm's own code reads its struct back (params<P>()).
#pragma once

#include <any>
#include <string>
#include <string_view>

namespace diamond::ml {

class Algorithm;  // ml/algorithm.h

// One hyperparameter that cannot be used, and what is allowed instead.
struct SpecProblem {
  std::string field;    // hyperparameter name
  std::string message;  // what is allowed
};

class ModelSpec {
 public:
  // The linear model with its default hyperparameters: what an unconfigured fit means.
  ModelSpec();
  // `params` is one algorithm's hyperparameter struct; its AlgorithmOf overload (found by
  // argument-dependent lookup) says which algorithm it belongs to.
  template <typename Params>
  explicit ModelSpec(Params params)
      : algorithm_(&AlgorithmOf(params)), params_(std::move(params)) {}

  const Algorithm& algorithm() const { return *algorithm_; }
  std::string_view name() const;

  // The hyperparameters, as the algorithm's own struct. Asking for another algorithm's
  // struct throws std::bad_any_cast: only the algorithm that owns a spec reads it.
  template <typename Params>
  const Params& params() const {
    return std::any_cast<const Params&>(params_);
  }
  template <typename Params>
  Params& mutable_params() {
    return std::any_cast<Params&>(params_);
  }

 private:
  const Algorithm* algorithm_;  // a registered algorithm: static, never null
  std::any params_;
};

// The original service's chosen model: linear with non-negative coefficients, what a
// training request that names no algorithm and no hyperparameters trains.
ModelSpec SeedModelSpec();

}  // namespace diamond::ml
