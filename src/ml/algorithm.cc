#include "ml/algorithm.h"

#include <array>
#include <cstdlib>

namespace diamond::ml {
namespace {

// The registry: one line per algorithm.
const std::array<const Algorithm*, 2>& Registry() {
  static const std::array<const Algorithm*, 2> kAlgorithms = {&LinearAlgorithm(), &GbdtAlgorithm()};
  return kAlgorithms;
}

}  // namespace

const Algorithm& AlgorithmFor(ModelSpec::Algorithm id) {
  for (const Algorithm* algorithm : Registry()) {
    if (algorithm->id() == id) return *algorithm;
  }
  // Every enum value is registered (tests/ml/algorithm_test.cc); a spec naming another
  // would be priced by the wrong model, so this stops rather than guesses.
  std::abort();
}

const Algorithm* FindAlgorithm(std::string_view name) {
  for (const Algorithm* algorithm : Registry()) {
    if (algorithm->name() == name) return algorithm;
  }
  return nullptr;
}

std::string AlgorithmNames() {
  std::string names;
  for (const Algorithm* algorithm : Registry()) {
    if (!names.empty()) names += ", ";
    names += algorithm->name();
  }
  return names;
}

}  // namespace diamond::ml
