// Fits gradient-boosted trees through XGBoost's C API (the only file that includes it).
#pragma once

#include <functional>
#include <span>

#include "core/diamond.h"
#include "core/status.h"
#include "ml/gbdt_model.h"
#include "ml/gbdt_spec.h"

namespace diamond::ml {

// Told after each boosting round (1-based) of at most `rounds`; returning false stops the
// training with a Cancelled status.
using RoundObserver = std::function<bool(int round, int rounds)>;

// Fits on cleaned rows with prices. With early stopping on, a seeded slice of `rows`
// (kEarlyStoppingFraction) decides when to stop and the trees are fitted on the rest; the
// model keeps the rounds up to the best one on the slice.
Result<GbdtModel> FitGbdt(std::span<const Diamond> rows, const GbdtSpec& spec,
                          const RoundObserver& observer = {});

}  // namespace diamond::ml
