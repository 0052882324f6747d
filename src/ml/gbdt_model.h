// Gradient-boosted trees on log(price) over the pipeline's features (unscaled: trees do not
// care), trained by XGBoost (gbdt_training.h) and evaluated by TreeEnsemble.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "core/status.h"
#include "ml/features.h"
#include "ml/gbdt_spec.h"
#include "ml/model.h"
#include "ml/tree_ensemble.h"

namespace diamond::ml {

class GbdtModel final : public Model {
 public:
  // `xgboost_model` is XGBoost's own JSON model over spec.selector's features in order.
  static Result<GbdtModel> FromXgboost(GbdtSpec spec, FeatureTransform transform,
                                       nlohmann::ordered_json xgboost_model);

  std::string_view algorithm() const override { return "gbdt"; }
  const std::vector<Feature>& features() const override { return spec_.selector; }
  const FeatureTransform& transform() const override { return transform_; }
  double PredictLogPrice(const Diamond& stone) const override;
  // TreeSHAP (path-dependent): base = the expected log price over the training rows.
  void Explain(const Diamond& stone, Explanation* out) const override;
  // Total split gain shares.
  std::vector<double> Importances() const override;
  size_t MemoryBytes() const override;
  int64_t ExplanationCost() const override { return ensemble_.ExplanationCost(); }
  // {"hyperparameters", "monotone_constraints", "rounds", "xgboost"}.
  nlohmann::ordered_json FileSection() const override;
  nlohmann::ordered_json Summary() const override;
  std::string Detail() const override;

  const GbdtSpec& spec() const { return spec_; }
  const nlohmann::ordered_json& xgboost_model() const { return xgboost_model_; }
  size_t rounds() const { return ensemble_.num_trees(); }

 private:
  GbdtModel(GbdtSpec spec, FeatureTransform transform, nlohmann::ordered_json xgboost_model,
            TreeEnsemble ensemble);
  // The selected features of one stone, as XGBoost saw them in training.
  std::array<double, kNumFeatures> Row(const Diamond& stone) const;

  GbdtSpec spec_;
  FeatureTransform transform_;
  nlohmann::ordered_json xgboost_model_;
  TreeEnsemble ensemble_;
};

// {"carat": 1, "cut": 1, …}: the features the trees are constrained to be increasing in.
nlohmann::ordered_json MonotoneConstraintsJson(const GbdtSpec& spec);

// The feature matrix XGBoost trains on: one row per stone, spec.selector's columns.
std::vector<float> GbdtFeatureMatrix(std::span<const Diamond> rows,
                                     const std::vector<Feature>& selector,
                                     const FeatureTransform& transform);

}  // namespace diamond::ml
