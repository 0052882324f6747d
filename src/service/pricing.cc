#include "service/pricing.h"

#include <algorithm>

#include "core/grades.h"
#include "ml/features.h"

namespace diamond::service {

std::string_view AlgorithmName(const LoadedModel& model) { return model.model->algorithm(); }

std::vector<std::string_view> FeatureNames(const LoadedModel& model) {
  std::vector<std::string_view> names;
  for (ml::Feature f : model.model->features()) names.push_back(ml::FeatureName(f));
  return names;
}

FactorValue FactorValueOf(const LoadedModel& model, size_t j, const Diamond& stone) {
  const ml::Feature feature = model.model->features()[j];
  switch (feature) {
    case ml::Feature::kCut:
      return {GradeName(GradeScale::kCut, stone.cut), 0};
    case ml::Feature::kColor:
      return {GradeName(GradeScale::kColor, stone.color), 0};
    case ml::Feature::kClarity:
      return {GradeName(GradeScale::kClarity, stone.clarity), 0};
    default:
      return {{}, ml::FeatureValue(feature, stone, model.model->transform())};
  }
}

Result<double> Pricing::IntervalHalfWidth(const LoadedModel& model, double level) {
  if (!model.calibration) {
    return Status::InvalidArgument(
        "the model has no interval calibration: it was trained without held-out rows "
        "(validation holdout 0)");
  }
  return model.calibration->HalfWidth(level);
}

Result<PricedBatch> Pricing::Price(std::shared_ptr<const LoadedModel> model,
                                   std::span<const Diamond> stones, const PricingOptions& options,
                                   RowAccount& account, RequestPhases* phases,
                                   std::optional<size_t>* unpriceable) {
  PricedBatch batch;
  ml::StonePricingOptions stone_options{.explain = options.explain};
  if (options.interval_level > 0) {
    auto width = IntervalHalfWidth(*model, options.interval_level);
    if (!width.ok()) return width.status();
    stone_options.interval = true;
    stone_options.half_width = *width;
    batch.interval_level = options.interval_level;
  }
  batch.model = std::move(model);
  batch.explained = options.explain;
  const ml::Model& priced_by = *batch.model->model;
  const auto rows = static_cast<int64_t>(stones.size());
  if (options.explain) {
    // Known before any work and before any charge: explanations of huge trees cost far
    // more than prices, and a few stones must not hold a worker for minutes.
    const int64_t per_stone = std::max<int64_t>(priced_by.ExplanationCost(), 1);
    if (rows > ml::kMaxExplanationStepsPerRequest / per_stone) {
      const int64_t most = ml::kMaxExplanationStepsPerRequest / per_stone;
      return Status::LimitExceeded(
          "explanation_steps_per_request", ml::kMaxExplanationStepsPerRequest,
          "explaining " + std::to_string(rows) + " stones with this model takes about " +
              std::to_string(per_stone) + " steps each, over the " +
              std::to_string(ml::kMaxExplanationStepsPerRequest) +
              " one request may use: send at most " + std::to_string(most) +
              " stones per explained request, or ask without explain=true");
    }
  }
  if (Status s = account.Reserve(rows); !s.ok()) return s;
  {
    PhaseTimer timer(phases, options.explain ? RequestPhase::kExplain : RequestPhase::kPrice);
    batch.prices.resize(stones.size());
    const size_t features = priced_by.features().size();
    if (options.explain) {
      batch.log_base.resize(stones.size());
      batch.effects.resize(stones.size() * features);
    }
    thread_local ml::Explanation explanation;  // reused: no allocation per stone
    for (size_t i = 0; i < stones.size(); ++i) {
      if (!ml::PriceStone(priced_by, stones[i], stone_options, &batch.prices[i], &explanation)) {
        account.Refund(rows);
        if (unpriceable != nullptr) *unpriceable = i;
        return Status::InvalidArgument("stone " + std::to_string(i + 1) + ": " + kPriceOutOfRange);
      }
      if (options.explain) {
        batch.log_base[i] = explanation.base;
        std::copy(explanation.effects.begin(), explanation.effects.end(),
                  batch.effects.begin() + static_cast<std::ptrdiff_t>(i * features));
      }
    }
  }
  if (rows_priced_) rows_priced_(rows);
  return batch;
}

}  // namespace diamond::service
