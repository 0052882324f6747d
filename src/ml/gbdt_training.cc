#include "ml/gbdt_training.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "ml/split.h"

namespace diamond::ml {
namespace {

struct DMatrixFree {
  void operator()(void* handle) const { XGDMatrixFree(handle); }
};
struct BoosterFree {
  void operator()(void* handle) const { XGBoosterFree(handle); }
};
using DMatrix = std::unique_ptr<void, DMatrixFree>;
using Booster = std::unique_ptr<void, BoosterFree>;

Status XgboostError(const char* call) {
  return Status::Internal(std::string("xgboost ") + call + " failed: " + XGBGetLastError());
}

// A DMatrix over the rows' features with log(price) as the label.
Result<DMatrix> MakeDMatrix(std::span<const Diamond> rows, const GbdtSpec& spec,
                            const FeatureTransform& transform) {
  std::vector<float> matrix = GbdtFeatureMatrix(rows, spec.selector, transform);
  std::vector<float> labels;
  labels.reserve(rows.size());
  for (const Diamond& stone : rows) labels.push_back(static_cast<float>(std::log(*stone.price)));
  DMatrixHandle handle = nullptr;
  if (XGDMatrixCreateFromMat(matrix.data(), rows.size(), spec.selector.size(), NAN, &handle) != 0) {
    return XgboostError("XGDMatrixCreateFromMat");
  }
  DMatrix owned(handle);
  if (XGDMatrixSetFloatInfo(handle, "label", labels.data(), labels.size()) != 0) {
    return XgboostError("XGDMatrixSetFloatInfo");
  }
  return owned;
}

// The last number of XGBoost's evaluation line "[3]\tstop-rmse:0.1234".
double ParseEvalLine(const char* line) {
  const char* colon = std::strrchr(line, ':');
  return colon == nullptr ? NAN : std::strtod(colon + 1, nullptr);
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// XGBoost's tuple syntax: "(1,1,0)", one entry per column.
std::string ConstraintsText(const std::vector<int>& constraints) {
  std::string text = "(";
  for (size_t i = 0; i < constraints.size(); ++i) {
    if (i > 0) text += ',';
    text += std::to_string(constraints[i]);
  }
  return text + ")";
}

}  // namespace

Result<GbdtModel> FitGbdt(std::span<const Diamond> rows, const GbdtSpec& spec,
                          const RoundObserver& observer) {
  if (auto problems = CheckGbdtSpec(spec); !problems.empty()) {
    return Status::InvalidArgument(problems.front().field + ": " + problems.front().message);
  }
  std::vector<Diamond> fit_rows(rows.begin(), rows.end());
  std::vector<Diamond> stop_rows;
  if (spec.early_stopping_rounds > 0) {
    Split split = HoldoutSplit(rows.size(), kEarlyStoppingFraction, spec.seed);
    fit_rows.clear();
    for (size_t i : split.train) fit_rows.push_back(rows[i]);
    for (size_t i : split.test) stop_rows.push_back(rows[i]);
  }
  if (fit_rows.size() < 2 || (spec.early_stopping_rounds > 0 && stop_rows.empty())) {
    return Status::InvalidArgument("too few rows to fit trees: " + std::to_string(rows.size()) +
                                   " after cleaning");
  }
  const FeatureTransform transform = FitFeatureTransform(fit_rows);
  double mean_log_price = 0;
  for (const Diamond& stone : fit_rows) mean_log_price += std::log(*stone.price);
  mean_log_price /= static_cast<double>(fit_rows.size());

  auto train = MakeDMatrix(fit_rows, spec, transform);
  if (!train.ok()) return train.status();
  Result<DMatrix> stop = DMatrix();
  if (!stop_rows.empty()) stop = MakeDMatrix(stop_rows, spec, transform);
  if (!stop.ok()) return stop.status();

  DMatrixHandle cache[] = {train->get(), stop->get()};
  BoosterHandle booster_handle = nullptr;
  if (XGBoosterCreate(cache, stop_rows.empty() ? 1 : 2, &booster_handle) != 0) {
    return XgboostError("XGBoosterCreate");
  }
  Booster booster(booster_handle);
  // More OpenMP threads than cores only oversubscribes the machine (and every other job
  // and request on it): a tenant's `threads` is a ceiling, the cores are the other.
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = std::min(spec.threads, cores);
  const std::pair<const char*, std::string> params[] = {
      {"objective", "reg:squarederror"},
      {"tree_method", "hist"},
      {"eval_metric", "rmse"},
      {"verbosity", "0"},
      {"base_score", Number(mean_log_price)},
      {"max_depth", std::to_string(spec.max_depth)},
      {"eta", Number(spec.learning_rate)},
      {"subsample", Number(spec.subsample)},
      {"colsample_bytree", Number(spec.colsample_bytree)},
      {"min_child_weight", Number(spec.min_child_weight)},
      {"lambda", Number(spec.reg_lambda)},
      {"seed", std::to_string(spec.seed)},
      {"nthread", std::to_string(threads)},
      {"monotone_constraints", ConstraintsText(MonotoneConstraints(spec))},
  };
  for (const auto& [name, value] : params) {
    if (XGBoosterSetParam(booster.get(), name, value.c_str()) != 0) {
      return XgboostError("XGBoosterSetParam");
    }
  }

  int best_round = spec.n_estimators - 1;  // 0-based
  double best_score = INFINITY;
  for (int round = 0; round < spec.n_estimators; ++round) {
    if (XGBoosterUpdateOneIter(booster.get(), round, train->get()) != 0) {
      return XgboostError("XGBoosterUpdateOneIter");
    }
    if (!stop_rows.empty()) {
      DMatrixHandle eval_sets[] = {stop->get()};
      const char* eval_names[] = {"stop"};
      const char* line = nullptr;
      if (XGBoosterEvalOneIter(booster.get(), round, eval_sets, eval_names, 1, &line) != 0) {
        return XgboostError("XGBoosterEvalOneIter");
      }
      const double score = ParseEvalLine(line);
      if (score < best_score) {
        best_score = score;
        best_round = round;
      }
    }
    if (observer && !observer(round + 1, spec.n_estimators)) {
      return Status::Cancelled("training cancelled");
    }
    if (!stop_rows.empty() && round - best_round >= spec.early_stopping_rounds) break;
  }

  BoosterHandle kept_handle = booster.get();
  Booster sliced;
  if (!stop_rows.empty()) {
    // Keep the trees up to the best round; the later ones only fitted noise.
    if (XGBoosterSlice(booster.get(), 0, best_round + 1, 1, &kept_handle) != 0) {
      return XgboostError("XGBoosterSlice");
    }
    sliced.reset(kept_handle);
  }
  bst_ulong length = 0;
  const char* bytes = nullptr;
  if (XGBoosterSaveModelToBuffer(kept_handle, R"({"format": "json"})", &length, &bytes) != 0) {
    return XgboostError("XGBoosterSaveModelToBuffer");
  }
  auto model = nlohmann::ordered_json::parse(bytes, bytes + length, nullptr, false);
  if (model.is_discarded()) return Status::Internal("xgboost saved a model that is not JSON");
  return GbdtModel::FromXgboost(spec, transform, std::move(model));
}

}  // namespace diamond::ml
