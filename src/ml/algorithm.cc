#include "ml/algorithm.h"

#include <array>

#include "ml/gbdt_spec.h"
#include "ml/linear_model.h"

namespace diamond::ml {

std::span<const Algorithm* const> Algorithms() {
  // The registry: one line per algorithm, each named by its hyperparameter struct.
  static const std::array kAlgorithms = {
      &AlgorithmOf(LinearSpec{}),
      &AlgorithmOf(GbdtSpec{}),
  };
  return kAlgorithms;
}

const Algorithm* FindAlgorithm(std::string_view name) {
  for (const Algorithm* algorithm : Algorithms()) {
    if (algorithm->name() == name) return algorithm;
  }
  return nullptr;
}

std::string AlgorithmNames() {
  std::string names;
  for (const Algorithm* algorithm : Algorithms()) {
    if (!names.empty()) names += ", ";
    names += algorithm->name();
  }
  return names;
}

}  // namespace diamond::ml
