// Pricing: the one loop that turns stones into prices for the API — real-time predict,
// Open Inference Protocol inference and price queries. Resolve the model, turn an interval
// level into its width, charge the rows (before any work: a key over its quota costs
// nothing), price and explain each stone (ml/stone_pricing.h, the step CSV pricing for
// batch jobs and the CLI shares), refuse a price that is not a number, give the rows back
// if anything failed, count what was priced. Handlers only decode the stones and encode
// the PricedBatch in their protocol's form. Safe for concurrent use.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/request_phases.h"
#include "core/diamond.h"
#include "core/status.h"
#include "ml/stone_pricing.h"
#include "service/model_cache.h"
#include "service/model_service.h"
#include "service/row_account.h"

namespace diamond::service {

struct PricingOptions {
  bool explain = false;
  double interval_level = 0;  // e.g. 0.9; 0 = no interval
};

using StonePrice = ml::StonePrice;

// The prices of a batch, in input order, and what priced them.
struct PricedBatch {
  std::shared_ptr<const LoadedModel> model;  // the version that priced them (and its features)
  double interval_level = 0;                 // 0 when no interval was asked for
  bool explained = false;
  std::vector<StonePrice> prices;
  // With explanations: stone i's log base price, and its effects (one per model feature,
  // in features() order) at [i × features, (i + 1) × features).
  std::vector<double> log_base;
  std::vector<double> effects;

  size_t features() const { return model->model->features().size(); }
  std::span<const double> EffectsOf(size_t i) const {
    return std::span<const double>(effects).subspan(i * features(), features());
  }
};

class Pricing {
 public:
  // `rows_priced` hears of every batch priced (for the service's metrics); may be empty.
  Pricing(ModelService& models, std::function<void(int64_t rows)> rows_priced)
      : models_(models), rows_priced_(std::move(rows_priced)) {}

  // The model `viewer` prices with under `id`: NotFound, or FailedPrecondition while it has
  // never been trained successfully.
  Result<std::shared_ptr<const LoadedModel>> Resolve(const std::string& viewer,
                                                     const std::string& id) {
    return models_.ForPrediction(viewer, id);
  }
  // A kept version of the viewer's own model (ModelService::ForPrediction); 0: as above.
  Result<std::shared_ptr<const LoadedModel>> Resolve(const std::string& viewer,
                                                     const std::string& id, int64_t version) {
    return version == 0 ? models_.ForPrediction(viewer, id)
                        : models_.ForPrediction(viewer, id, version);
  }
  // The version `alias` of the viewer's own model names (ModelService::ForAlias).
  Result<std::shared_ptr<const LoadedModel>> ResolveAlias(const std::string& viewer,
                                                          const std::string& id,
                                                          const std::string& alias) {
    return models_.ForAlias(viewer, id, alias);
  }
  // True if Resolve would not touch the stores (decides where a request runs).
  bool IsWarm(const std::string& viewer, const std::string& id) const {
    return models_.IsWarm(viewer, id);
  }

  // The interval's half-width in log price for `level`: InvalidArgument saying why not (the
  // model was trained without held-out rows; the level is not in (0, 1)).
  static Result<double> IntervalHalfWidth(const LoadedModel& model, double level);

  // Prices `stones` (each passed CheckPriceable) with `model`. Errors: the account's refusal
  // (nothing computed, nothing charged); InvalidArgument when a stone's price is out of range,
  // with *unpriceable set to its index (the rows are refunded; only this error sets it, so
  // it tells the two InvalidArguments apart); the interval's errors as in
  // IntervalHalfWidth. Adds the time spent to `phases` (price, or explain) when not null.
  Result<PricedBatch> Price(std::shared_ptr<const LoadedModel> model,
                            std::span<const Diamond> stones, const PricingOptions& options,
                            RowAccount& account, RequestPhases* phases = nullptr,
                            std::optional<size_t>* unpriceable = nullptr);

 private:
  ModelService& models_;
  std::function<void(int64_t)> rows_priced_;
};

// The model as answers describe it, without the ML layer's types: its algorithm's name and
// the names of the features its explanations report, in their order.
std::string_view AlgorithmName(const LoadedModel& model);
std::vector<std::string_view> FeatureNames(const LoadedModel& model);

// What an explanation shows of a stone's feature `j` (in FeatureNames order): a grade's
// name for cut, color and clarity, else the number the model read (volume in mm³,
// distances as the pipeline computes them).
struct FactorValue {
  std::string_view grade;  // empty for a number
  double number = 0;
};
FactorValue FactorValueOf(const LoadedModel& model, size_t j, const Diamond& stone);

// The message for a stone whose price is out of range.
inline constexpr const char* kPriceOutOfRange = "the predicted price is out of range";

}  // namespace diamond::service
