#include "ml/stone_pricing.h"

#include <cmath>

namespace diamond::ml {

bool PriceStone(const Model& model, const Diamond& stone, const StonePricingOptions& options,
                StonePrice* out, Explanation* explanation) {
  if (options.explain) {
    model.Explain(stone, explanation);
    out->log_price = explanation->log_price;
  } else {
    out->log_price = model.PredictLogPrice(stone);
  }
  out->price = std::exp(out->log_price);
  if (!std::isfinite(out->price)) return false;
  if (options.interval) {
    out->low = std::exp(out->log_price - options.half_width);
    out->high = std::exp(out->log_price + options.half_width);
  }
  return true;
}

}  // namespace diamond::ml
