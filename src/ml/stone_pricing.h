// One stone's price, its interval and (when asked) its explanation: the step every pricing
// path repeats — real-time predict, Open Inference Protocol, price queries (through
// service::Pricing) and CSV pricing for batch jobs and `diamond predict` (csv_pricing.h).
// Written once so that every path gives the same number for the same stone: with an
// explanation the price comes from the same pass over the model, to the last bit.
#pragma once

#include "core/diamond.h"
#include "ml/model.h"

namespace diamond::ml {

struct StonePricingOptions {
  bool explain = false;   // fill the explanation (base and one effect per model feature)
  bool interval = false;  // fill low and high
  double half_width = 0;  // of the interval, in log price (conformal.h)
};

struct StonePrice {
  double log_price = 0;
  double price = 0;
  double low = 0, high = 0;  // only with an interval
};

// Prices a stone that passed CheckPriceable(). With options.explain, `explanation` must not
// be null and is filled (reusing its storage). Returns false when the price is not a finite
// number — a model fitted on extreme data can still overflow — and the stone must then be
// refused, never answered.
bool PriceStone(const Model& model, const Diamond& stone, const StonePricingOptions& options,
                StonePrice* out, Explanation* explanation);

}  // namespace diamond::ml
