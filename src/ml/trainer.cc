#include "ml/trainer.h"

#include <algorithm>
#include <cmath>

#include "ml/algorithm.h"
#include "ml/split.h"

namespace diamond::ml {
namespace {

Metrics Score(const Model& model, std::span<const Diamond> rows) {
  std::vector<double> actual, predicted;
  actual.reserve(rows.size());
  predicted.reserve(rows.size());
  for (const Diamond& stone : rows) {
    actual.push_back(*stone.price);
    predicted.push_back(model.PredictPrice(stone));
  }
  return ComputeMetrics(actual, predicted);
}

// Every k-th row's actual and predicted price, k chosen so that at most
// kEvaluationSampleRows are kept.
void SampleRows(const Model& model, std::span<const Diamond> rows, Evaluation* evaluation) {
  const size_t step = (rows.size() + kEvaluationSampleRows - 1) / kEvaluationSampleRows;
  for (size_t i = 0; step > 0 && i < rows.size(); i += step) {
    evaluation->sample_actual.push_back(*rows[i].price);
    evaluation->sample_predicted.push_back(model.PredictPrice(rows[i]));
  }
}

std::vector<Diamond> Pick(std::span<const Diamond> rows, const std::vector<size_t>& indices) {
  std::vector<Diamond> out;
  out.reserve(indices.size());
  for (size_t i : indices) out.push_back(rows[i]);
  return out;
}

size_t MinimumRows(const ModelSpec& spec) { return spec.algorithm().MinimumRows(spec); }

double MetricValue(const Metrics& m, const std::string& metric) {
  if (metric == "rmse") return m.rmse;
  if (metric == "r2") return m.r2;
  if (metric == "mape") return m.mape;
  return m.mae;
}

MetricSummary Summarise(const std::vector<Metrics>& folds, const std::string& metric) {
  MetricSummary summary;
  for (const Metrics& m : folds) summary.mean += MetricValue(m, metric);
  summary.mean /= static_cast<double>(folds.size());
  for (const Metrics& m : folds) {
    const double d = MetricValue(m, metric) - summary.mean;
    summary.std += d * d;
  }
  summary.std = std::sqrt(summary.std / static_cast<double>(folds.size()));
  return summary;
}

// Scores every candidate by k-fold cross-validation on `rows` and ranks them.
Result<SearchResult> CrossValidate(std::span<const Diamond> rows, const SearchSpec& search,
                                   const ProgressObserver& observer) {
  if (search.folds < 2 || search.folds > kMaxFolds) {
    return Status::InvalidArgument("folds must be from 2 to " + std::to_string(kMaxFolds));
  }
  if (search.candidates.size() * static_cast<size_t>(search.folds) > kMaxSearchFits) {
    return Status::InvalidArgument("the search would run more than " +
                                   std::to_string(kMaxSearchFits) + " fits (candidates × folds)");
  }
  const std::vector<Split> folds =
      KFoldSplits(rows.size(), static_cast<size_t>(search.folds), search.seed);
  SearchResult result{search, {}, 0};
  Progress progress;
  progress.fits = static_cast<int>(search.candidates.size()) * search.folds + 1;
  for (const ModelSpec& candidate : search.candidates) {
    std::vector<Metrics> scores;
    for (const Split& fold : folds) {
      std::vector<Diamond> train = Pick(rows, fold.train);
      std::vector<Diamond> test = Pick(rows, fold.test);
      if (train.size() < MinimumRows(candidate) || test.empty()) {
        return Status::InvalidArgument("too few rows for " + std::to_string(search.folds) +
                                       " folds: " + std::to_string(rows.size()) + " training rows");
      }
      auto model = FitModel(train, candidate, observer, progress);
      if (!model.ok()) return model.status();
      scores.push_back(Score(**model, test));
      ++progress.fit;
    }
    result.candidates.push_back({candidate, Summarise(scores, "mae"), Summarise(scores, "rmse"),
                                 Summarise(scores, "r2"), Summarise(scores, "mape"), 0});
  }
  // Rank by the mean of the chosen metric (ties keep grid order).
  const bool higher_is_better = search.metric == "r2";
  std::vector<size_t> order(result.candidates.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto mean_of = [&](size_t i) {
    const CandidateResult& c = result.candidates[i];
    const double value = search.metric == "rmse"   ? c.rmse.mean
                         : search.metric == "r2"   ? c.r2.mean
                         : search.metric == "mape" ? c.mape.mean
                                                   : c.mae.mean;
    return higher_is_better ? -value : value;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return mean_of(a) < mean_of(b); });
  for (size_t rank = 0; rank < order.size(); ++rank) {
    result.candidates[order[rank]].rank = static_cast<int>(rank + 1);
  }
  result.best = order.front();
  return result;
}

}  // namespace

double Progress::Fraction() const {
  const double within = rounds > 0 ? static_cast<double>(round) / rounds : 1.0;
  return (static_cast<double>(fit - 1) + within) / static_cast<double>(fits);
}

std::string Progress::Describe() const {
  std::string text;
  if (fits > 1) text = "fit " + std::to_string(fit) + " of " + std::to_string(fits);
  if (rounds > 0) {
    if (!text.empty()) text += ", ";
    text += "round " + std::to_string(round) + " of " + std::to_string(rounds);
  }
  return text;
}

Result<std::shared_ptr<const Model>> FitModel(std::span<const Diamond> rows, const ModelSpec& spec,
                                              const ProgressObserver& observer, Progress progress) {
  return spec.algorithm().Fit(rows, spec, observer, progress);
}

Result<Evaluation> Evaluate(const Model& model, std::span<const Diamond> rows) {
  Evaluation evaluation;
  std::vector<Diamond> clean = CleanForTraining(rows, &evaluation.cleaning);
  if (clean.empty()) return Status::InvalidArgument("no rows with a price left to evaluate on");
  evaluation.metrics = Score(model, clean);
  SampleRows(model, clean, &evaluation);
  return evaluation;
}

MetricSummary MeanAndStandardError(std::span<const double> values) {
  MetricSummary summary;
  if (values.empty()) return summary;
  for (double v : values) summary.mean += v;
  const double n = static_cast<double>(values.size());
  summary.mean /= n;
  if (values.size() < 2) return summary;
  double squares = 0;
  for (double v : values) squares += (v - summary.mean) * (v - summary.mean);
  summary.std = std::sqrt(squares / (n - 1)) / std::sqrt(n);
  return summary;
}

Result<CrossValidationResult> CrossValidateSpecs(std::span<const Diamond> rows,
                                                 std::span<const ModelSpec> specs,
                                                 const CrossValidationSpec& cv,
                                                 const ProgressObserver& observer) {
  if (cv.folds < 2 || cv.folds > kMaxFolds) {
    return Status::InvalidArgument("folds must be from 2 to " + std::to_string(kMaxFolds));
  }
  if (cv.repeats < 1 || cv.repeats > kMaxRepeats) {
    return Status::InvalidArgument("repeats must be from 1 to " + std::to_string(kMaxRepeats));
  }
  CrossValidationResult result;
  const std::vector<Diamond> clean = CleanForTraining(rows, &result.cleaning);
  if (clean.size() < static_cast<size_t>(cv.folds)) {
    return Status::InvalidArgument("too few rows for " + std::to_string(cv.folds) +
                                   " folds: " + std::to_string(clean.size()) + " after cleaning");
  }
  result.scores.assign(specs.size(), {});
  Progress progress;
  progress.fits = static_cast<int>(specs.size()) * cv.folds * cv.repeats;
  for (int repeat = 0; repeat < cv.repeats; ++repeat) {
    const std::vector<Split> folds = KFoldSplits(clean.size(), static_cast<size_t>(cv.folds),
                                                 cv.seed + static_cast<uint64_t>(repeat));
    for (const Split& fold : folds) {
      const std::vector<Diamond> train = Pick(clean, fold.train);
      const std::vector<Diamond> test = Pick(clean, fold.test);
      for (size_t s = 0; s < specs.size(); ++s) {
        if (train.size() < MinimumRows(specs[s]) || test.empty()) {
          return Status::InvalidArgument("too few rows for " + std::to_string(cv.folds) +
                                         " folds: " + std::to_string(clean.size()) +
                                         " after cleaning");
        }
        auto model = FitModel(train, specs[s], observer, progress);
        if (!model.ok()) return model.status();
        result.scores[s].push_back(Score(**model, test));
        ++progress.fit;
      }
    }
  }
  return result;
}

Result<TrainingOutcome> Train(std::span<const Diamond> rows, const ModelSpec& spec,
                              const Validation& validation, std::span<const Diamond> eval_rows,
                              const SearchSpec* search, const ProgressObserver& observer) {
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

  TrainingOutcome outcome;
  outcome.spec = spec;
  Progress refit;
  if (search != nullptr && !search->candidates.empty()) {
    auto searched = CrossValidate(fit_rows, *search, observer);
    if (!searched.ok()) return searched.status();
    outcome.spec = searched->candidates[searched->best].spec;
    refit.fit = refit.fits = static_cast<int>(searched->candidates.size()) * search->folds + 1;
    outcome.search = std::move(searched).value();
  }
  // The fit itself needs one row more than it has coefficients to be determined at all.
  if (fit_rows.size() < MinimumRows(outcome.spec)) {
    return Status::InvalidArgument("too few rows to fit: " + std::to_string(fit_rows.size()) +
                                   " after cleaning, need at least " +
                                   std::to_string(MinimumRows(outcome.spec)));
  }
  auto model = FitModel(fit_rows, outcome.spec, observer, refit);
  if (!model.ok()) return model.status();
  outcome.model = std::move(model).value();
  outcome.validation = validation;
  outcome.cleaning = cleaning;
  outcome.rows_fit = static_cast<int64_t>(fit_rows.size());
  outcome.train_metrics = Score(*outcome.model, fit_rows);
  outcome.monotonicity = CheckMonotonicity(*outcome.model, fit_rows);
  if (validation.kind == Validation::Kind::kHoldout) {
    if (holdout_rows.empty()) return Status::InvalidArgument("the holdout is empty");
    Evaluation evaluation;
    evaluation.cleaning.rows_in = evaluation.cleaning.rows_kept =
        static_cast<int64_t>(holdout_rows.size());
    evaluation.metrics = Score(*outcome.model, holdout_rows);
    SampleRows(*outcome.model, holdout_rows, &evaluation);
    outcome.validation_result = evaluation;
    outcome.calibration = Calibrate(*outcome.model, holdout_rows);
  } else if (validation.kind == Validation::Kind::kSeparateSet) {
    auto evaluation = Evaluate(*outcome.model, eval_rows);
    if (!evaluation.ok()) return evaluation.status();
    outcome.validation_result = *evaluation;
    CleaningReport ignored;
    outcome.calibration = Calibrate(*outcome.model, CleanForTraining(eval_rows, &ignored));
  }
  return outcome;
}

Result<TrainingOutcome> TrainLinear(std::span<const Diamond> rows, const LinearSpec& spec,
                                    const Validation& validation,
                                    std::span<const Diamond> eval_rows) {
  return Train(rows, ModelSpec(spec), validation, eval_rows);
}

}  // namespace diamond::ml
