// The seed's cleaning before training: keep rows with x, y, z >= 0.1 and price > 0.
// Such rows are well-formed but implausible (the reference data has 11); they are
// dropped here, not rejected at load, and every drop is counted by rule.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/diamond.h"

namespace diamond::ml {

struct CleaningReport {
  int64_t rows_in = 0;
  int64_t rows_kept = 0;
  int64_t rows_dropped = 0;
  // (rule, rows failing it). A row failing several rules counts under each, so these can
  // add up to more than rows_dropped.
  std::vector<std::pair<std::string, int64_t>> dropped_by_rule;
};

// Rules, in report order: "price missing", "price <= 0", "carat <= 0", "x < 0.1",
// "y < 0.1", "z < 0.1". carat <= 0 goes beyond the seed: log(carat) would not be finite.
std::vector<Diamond> CleanForTraining(std::span<const Diamond> rows, CleaningReport* report);

}  // namespace diamond::ml
