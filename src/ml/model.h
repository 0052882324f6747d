// The interface every fitted price model implements, whatever its algorithm.
//
// Every model predicts log(price), so an explanation is additive in log space and
// multiplicative in price: price = exp(base) × Π exp(effect_i). A fitted Model is
// immutable and safe to share between threads.
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/diamond.h"
#include "ml/features.h"

namespace diamond::ml {

// Why one stone costs what it costs: base + Σ effects == log_price (to rounding).
// `effects` holds one entry per model feature, in features() order.
struct Explanation {
  double base = 0;              // log price of the reference stone (see docs/models.md)
  std::vector<double> effects;  // log-price effect of each feature
  double log_price = 0;         // PredictLogPrice(stone), the same number to the last bit
};

// The most explanation steps (Model::ExplanationCost × stones) one request may ask for:
// about a second of one core. A request over it is refused before any work, so one key
// cannot hold a worker for minutes with a few stones on a model of huge trees (issue 30).
inline constexpr int64_t kMaxExplanationStepsPerRequest = int64_t{1} << 28;

class Model {
 public:
  virtual ~Model() = default;

  virtual std::string_view algorithm() const = 0;
  // The pipeline features the model reads, in the order explanations report them.
  virtual const std::vector<Feature>& features() const = 0;
  virtual const FeatureTransform& transform() const = 0;

  // log(price) of a stone that passed CheckPriceable().
  virtual double PredictLogPrice(const Diamond& stone) const = 0;
  double PredictPrice(const Diamond& stone) const { return std::exp(PredictLogPrice(stone)); }

  // Fills *out (reusing its storage, so a hot loop does not allocate).
  virtual void Explain(const Diamond& stone, Explanation* out) const = 0;

  // How much the model relies on each feature, in features() order, summing to 1
  // (|coefficient| for linear models, total split gain for trees).
  virtual std::vector<double> Importances() const = 0;

  // About how much memory the fitted model holds (for the model cache's byte bound).
  virtual size_t MemoryBytes() const = 0;
  // About how much work explaining one stone is, in steps of a few nanoseconds each (its
  // features for a linear model; a table row per small tree and the square of each deeper
  // path's length for trees): what a request's explanations are budgeted by
  // (kMaxExplanationStepsPerRequest), known before any is computed.
  virtual int64_t ExplanationCost() const = 0;

  // The model's own section of the model file, under its algorithm's name: everything its
  // Algorithm::Load needs to rebuild it (docs/model-file.md).
  virtual nlohmann::ordered_json FileSection() const = 0;
  // What GET /models adds about the fitted model (linear: coefficients; trees: rounds and
  // monotone constraints).
  virtual nlohmann::ordered_json Summary() const = 0;
  // A few words for the CLI's report: ", positive coefficients" or ", 412 rounds".
  virtual std::string Detail() const = 0;
};

// A feature's value as a person reads it: inputs as given (grades as their codes),
// volume in mm³, eccentricity and the distances as the pipeline computes them.
double FeatureValue(Feature feature, const Diamond& stone, const FeatureTransform& transform);

// Normalises non-negative weights to sum to 1 (all zero stays all zero).
std::vector<double> Shares(std::vector<double> weights);

}  // namespace diamond::ml
