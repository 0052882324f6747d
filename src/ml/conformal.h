// Split-conformal prediction intervals (Lei et al. 2018) in log-price space.
//
// The model's absolute log residuals on rows it was not fitted on are kept, sorted. For a
// level α the half-width is the ⌈(n+1)α⌉-th smallest residual, which covers a new stone
// from the same distribution with probability at least α; in prices the interval is
// [price·e^-w, price·e^w], so it widens with the price, as a jeweller's uncertainty does.
#pragma once

#include <span>
#include <vector>

#include "core/diamond.h"
#include "core/status.h"
#include "ml/model.h"

namespace diamond::ml {

struct Calibration {
  std::vector<double> residuals;  // |log(actual) − log(predicted)|, ascending

  // Half-width in log space for `level` in (0, 1); InvalidArgument when the level is out of
  // range or above MaxLevel() (too few rows to promise it).
  Result<double> HalfWidth(double level) const;
  // n/(n+1): the highest level n residuals can support.
  double MaxLevel() const;
};

// Residuals of `model` on cleaned rows with prices it was not fitted on.
Calibration Calibrate(const Model& model, std::span<const Diamond> rows);

}  // namespace diamond::ml
