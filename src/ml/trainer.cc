#include "ml/trainer.h"

#include "ml/split.h"

namespace diamond::ml {
namespace {

Metrics Score(const LinearModel& model, std::span<const Diamond> rows) {
  std::vector<double> actual, predicted;
  actual.reserve(rows.size());
  predicted.reserve(rows.size());
  for (const Diamond& stone : rows) {
    actual.push_back(*stone.price);
    predicted.push_back(model.PredictPrice(stone));
  }
  return ComputeMetrics(actual, predicted);
}

std::vector<Diamond> Pick(std::span<const Diamond> rows, const std::vector<size_t>& indices) {
  std::vector<Diamond> out;
  out.reserve(indices.size());
  for (size_t i : indices) out.push_back(rows[i]);
  return out;
}

}  // namespace

Result<Evaluation> Evaluate(const LinearModel& model, std::span<const Diamond> rows) {
  Evaluation evaluation;
  std::vector<Diamond> clean = CleanForTraining(rows, &evaluation.cleaning);
  if (clean.empty()) return Status::InvalidArgument("no rows with a price left to evaluate on");
  evaluation.metrics = Score(model, clean);
  return evaluation;
}

Result<TrainingOutcome> TrainLinear(std::span<const Diamond> rows, const LinearSpec& spec,
                                    const Validation& validation,
                                    std::span<const Diamond> eval_rows) {
  if (validation.kind == Validation::Kind::kHoldout &&
      !(validation.holdout > 0 && validation.holdout < 1)) {
    return Status::InvalidArgument("holdout must be a fraction strictly between 0 and 1");
  }
  CleaningReport cleaning;
  std::vector<Diamond> clean = CleanForTraining(rows, &cleaning);

  std::vector<Diamond> fit_rows;
  std::vector<Diamond> holdout_rows;
  if (validation.kind == Validation::Kind::kHoldout) {
    Split split = HoldoutSplit(clean.size(), validation.holdout, validation.seed);
    fit_rows = Pick(clean, split.train);
    holdout_rows = Pick(clean, split.test);
  } else {
    fit_rows = std::move(clean);
  }
  // The fit itself needs one row more than it has coefficients to be determined at all.
  if (fit_rows.size() < spec.selector.size() + 1) {
    return Status::InvalidArgument("too few rows to fit: " + std::to_string(fit_rows.size()) +
                                   " after cleaning, need at least " +
                                   std::to_string(spec.selector.size() + 1));
  }
  auto model = LinearModel::Fit(fit_rows, spec);
  if (!model.ok()) return model.status();

  TrainingOutcome outcome{std::move(model).value(), validation, cleaning,
                          static_cast<int64_t>(fit_rows.size()), {}, std::nullopt};
  outcome.train_metrics = Score(outcome.model, fit_rows);
  if (validation.kind == Validation::Kind::kHoldout) {
    if (holdout_rows.empty()) return Status::InvalidArgument("the holdout is empty");
    Evaluation evaluation;
    evaluation.cleaning.rows_in = evaluation.cleaning.rows_kept =
        static_cast<int64_t>(holdout_rows.size());
    evaluation.metrics = Score(outcome.model, holdout_rows);
    outcome.validation_result = evaluation;
  } else if (validation.kind == Validation::Kind::kSeparateSet) {
    auto evaluation = Evaluate(outcome.model, eval_rows);
    if (!evaluation.ok()) return evaluation.status();
    outcome.validation_result = *evaluation;
  }
  return outcome;
}

}  // namespace diamond::ml
