// Reading one hyperparameter's JSON value into a spec field, with the problem named when
// its type or value is wrong: shared by every algorithm's ReadHyperparameter.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "ml/features.h"
#include "ml/gbdt_spec.h"

namespace diamond::ml {

// ["carat", "cut", ...]
nlohmann::ordered_json SelectorJson(const std::vector<Feature>& selector);

void ReadSelector(const nlohmann::ordered_json& value, std::vector<Feature>* out,
                  std::vector<SpecProblem>* problems);
void ReadNumber(const nlohmann::ordered_json& value, const char* name, double* out,
                std::vector<SpecProblem>* problems);
void ReadBoolean(const nlohmann::ordered_json& value, const char* name, bool* out,
                 std::vector<SpecProblem>* problems);

// An integer within ±2^40 (and not negative for unsigned fields).
template <typename Int>
void ReadInteger(const nlohmann::ordered_json& value, const char* name, Int* out,
                 std::vector<SpecProblem>* problems) {
  if (!value.is_number_integer()) {
    problems->push_back({name, "must be an integer"});
    return;
  }
  if (value.is_number_unsigned() && value.get<uint64_t>() > 1ull << 40) {
    problems->push_back({name, "is out of range"});
    return;
  }
  const auto v = value.get<int64_t>();
  if constexpr (std::is_unsigned_v<Int>) {
    if (v < 0) {
      problems->push_back({name, "must not be negative"});
      return;
    }
  }
  if (v < -(int64_t{1} << 40) || v > (int64_t{1} << 40)) {
    problems->push_back({name, "is out of range"});
    return;
  }
  *out = static_cast<Int>(v);
}

}  // namespace diamond::ml
