// A boosted tree ensemble read from XGBoost's JSON model, laid out for fast one-row work:
// prediction (a walk per tree) and exact path-dependent TreeSHAP (Lundberg et al. 2020).
//
// Why not XGBoost's own predictor: through the C API one row costs a DMatrix and, for
// contributions, 0.3–4 ms (measured with python3-xgboost 1.7, docs/models.md); a priced
// stone with its explanation has to fit in a few microseconds on the I/O thread. Tests
// check both against XGBoost's predictions and contributions.
//
// TreeSHAP here is the per-path form (as in GPUTreeShap): every root-to-leaf path, with
// repeated features merged, contributes to φ_i as a function of which of its features the
// row agrees with. So a whole tree's φ (and its leaf) depends only on the row's decision
// at each split: a tree with at most 7 splits (any tree of depth 3 or less) keeps a table
// over its 128 decision patterns, and explaining a row is finding its pattern (from
// per-feature threshold bins, below) and adding one table row per tree. Larger trees fall
// back to per-path sums.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <vector>

#include "core/status.h"

namespace diamond::ml {

class TreeEnsemble {
 public:
  // Reads learner.gradient_booster.model.trees and base_score of an XGBoost (1.7) JSON
  // model with reg:squarederror over `num_features` numeric features. Anything unexpected
  // is a Corruption status.
  static Result<TreeEnsemble> FromXgboostJson(const nlohmann::ordered_json& model,
                                              size_t num_features);

  // The margin (sum of base score and one leaf per tree). XGBoost compares features as
  // float with `value < threshold` going left; so do we, and sum in double.
  double Predict(std::span<const double> row) const;

  // φ per feature (added into `phi`, which has num_features entries) and, in *margin,
  // Predict(row) to the last bit; returns the bias (expected margin), so bias + Σφ ==
  // *margin up to rounding.
  double Shap(std::span<const double> row, std::span<double> phi, double* margin) const;

  // Total loss reduction of the splits on each feature (XGBoost's "total_gain").
  std::vector<double> TotalGain() const;

  // The memory its tables and trees hold.
  size_t MemoryBytes() const;
  // Steps Shap takes for one row, about: one table row per small tree, and the square of
  // each deeper path's length (PathShap's work) plus the path itself.
  int64_t ExplanationCost() const;

  size_t num_trees() const { return roots_.size(); }
  size_t num_paths() const { return path_begin_.size() - 1; }  // of the fallback trees

 private:
  struct Node {
    int32_t feature = -1;  // -1 for a leaf
    float threshold = 0;   // leaf value for a leaf
    int32_t left = -1;
    int32_t right = -1;
    double gain = 0;
    double cover = 0;
  };
  // One path feature: the row agrees when lo <= (float)x < hi.
  struct PathFeature {
    int32_t feature;
    float lo;
    float hi;
  };

  struct Path;
  std::vector<Path> TreePaths(int32_t root) const;
  static void PathShap(const Path& path, uint32_t agree_mask, double* out);
  bool AddTableTree(int32_t root, const std::vector<Path>& paths);
  void AddFallbackPaths(const std::vector<Path>& paths);
  void AddPathShap(size_t path, uint32_t agree_mask, std::span<double> out) const;

  // A tree of at most kTreeSplits splits, padded to exactly that many (a padded split
  // never goes right) and to kTreeSplits features (padding adds into a scratch slot).
  static constexpr size_t kTreeSplits = 7;
  struct TableTree {
    std::array<uint8_t, kTreeSplits> split_feature;
    std::array<float, kTreeSplits> split_threshold;
    uint32_t leaf_offset;  // of its 2^kTreeSplits leaves in tree_leaf_
  };
  std::vector<TableTree> table_trees_;
  // The table trees' decision patterns come from the row's bin on each feature: with the
  // feature's split thresholds sorted, a value's bin (how many thresholds are <= it) fixes
  // every split on that feature in every tree. So each (feature, bin) keeps one byte per
  // tree with the bits of that tree's splits that go right, and a row's patterns are one
  // binary search per feature and an OR of one byte row per feature (vectorised), instead
  // of seven comparisons per tree.
  struct FeatureBins {
    int32_t feature;
    std::vector<float> thresholds;  // sorted, distinct
    size_t offset;                  // of bin 0's row in bin_bits_; bin b's row follows b rows on
  };
  std::vector<FeatureBins> feature_bins_;
  std::vector<uint8_t> bin_bits_;  // [offset + bin * table_trees_.size() + tree]
  void BuildFeatureBins();
  void TablePatterns(const float* x, uint8_t* patterns) const;
  // [leaf_offset + pattern]. The same values as the rows' leaf slots, kept apart for plain
  // prediction: 8 bytes per tree out of 400 KB rather than a line out of 3.3 MB (reading
  // the slots instead made BM_GbdtPredictOne 1.55 -> 1.7 µs).
  std::vector<double> tree_leaf_;
  // Table tree t's φ for decision pattern p is table_rows_[t * 2^kTreeSplits + p]: one
  // float per feature and the leaf in the last slot, a cache line per tree, so a row's
  // explanation is one aligned line and a few vector adds per tree. Floats, like XGBoost's
  // own leaves and contributions; Shap() restores the exact sum (see there).
  static constexpr size_t kRowWidth = 16;
  static constexpr size_t kLeafSlot = kRowWidth - 1;  // so at most 15 features in a table
  struct alignas(64) TableRow {
    std::array<float, kRowWidth> value;
  };
  std::vector<TableRow> table_rows_;
  double FallbackLeaves(const float* x) const;
  std::vector<int32_t> fallback_roots_;

  size_t num_features_ = 0;
  double base_score_ = 0;
  double bias_ = 0;  // base_score + each tree's expected leaf value
  std::vector<Node> nodes_;
  std::vector<int32_t> roots_;
  // Paths, flattened: features [path_begin_[p], path_begin_[p+1]) of features_,
  // zero_fraction_ (cover share when the feature is unknown) and leaf_value_[p].
  std::vector<uint32_t> path_begin_{0};
  std::vector<PathFeature> features_;
  std::vector<double> zero_fraction_;
  std::vector<double> leaf_value_;
  // For paths with at most kTableFeatures features: φ for every agreement pattern,
  // table_[table_begin_[p] + mask * d + j]. Deeper paths are computed on the fly.
  static constexpr size_t kTableFeatures = 4;
  std::vector<uint32_t> table_begin_;
  std::vector<double> table_;
};

}  // namespace diamond::ml
