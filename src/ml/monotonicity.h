// The monotonicity probe: does a better grade or a bigger stone ever get a lower price?
//
// Each probe stone is priced at every grade of each scale (one step at a time, worst to
// best) and at sizes +0 % … +50 % in 5 % steps (carat times the factor, x, y and z times its
// cube root, so the shape stays the same). A step that lowers the price is an inversion.
// Pure: a model and some stones in, counts out.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/diamond.h"
#include "ml/model.h"

namespace diamond::ml {

// Stones probed at most, evenly spaced over the rows given.
inline constexpr size_t kMonotonicityStones = 400;
// A step lowers the price when the new price is below the old one by more than this share
// (a billionth: float rounding of the exp, far below a cent).
inline constexpr double kMonotonicityTolerance = 1e-9;

struct MonotonicityCheck {
  std::string name;        // "cut", "color", "clarity" or "size"
  int64_t steps = 0;       // one-step upgrades priced
  int64_t inversions = 0;  // of those, how many lowered the price
  double worst_drop = 0;   // the largest drop, as a share of the lower grade's price
};

struct MonotonicityReport {
  int64_t stones = 0;
  std::vector<MonotonicityCheck> checks;  // cut, color, clarity, size
  int64_t inversions() const;
};

// Probes `model` with up to `max_stones` of `rows` (priceable stones, e.g. cleaned
// training rows).
MonotonicityReport CheckMonotonicity(const Model& model, std::span<const Diamond> rows,
                                     size_t max_stones = kMonotonicityStones);

}  // namespace diamond::ml
