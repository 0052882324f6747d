#include "ml/tree_ensemble.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace diamond::ml {
namespace {

using json = nlohmann::ordered_json;

// Deeper paths than this are refused: XGBoost's max_depth is far below it, and the
// per-path arithmetic uses fixed-size arrays.
constexpr size_t kMaxPathFeatures = 32;
// XGBoost trees we train are at most 10 deep; a file with deeper ones is not ours.
constexpr uint16_t kMaxTreeDepth = 64;

Status Corrupt(const std::string& why) {
  return Status::Corruption("invalid model file: xgboost model: " + why);
}

const json* Find(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

template <typename T>
bool NumberArray(const json* value, size_t size, std::vector<T>* out) {
  if (value == nullptr || !value->is_array() || value->size() != size) return false;
  out->clear();
  for (const auto& v : *value) {
    if (!v.is_number()) return false;
    out->push_back(v.get<T>());
  }
  return true;
}

// XGBoost writes its parameters as strings ("5E-1").
bool NumberString(const json* value, double* out) {
  if (value == nullptr || !value->is_string()) return false;
  const std::string& text = value->get_ref<const std::string&>();
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return end != text.c_str() && *end == '\0' && std::isfinite(*out);
}

}  // namespace

struct TreeEnsemble::Path {
  std::vector<PathFeature> features;  // distinct, in order of first appearance
  std::vector<double> zero;           // per feature: product of the cover shares
  double leaf = 0;
  // The splits on the way, for the tables: node, whether the path goes right there, and
  // which of `features` the node splits on.
  std::vector<int32_t> step_node;
  std::vector<uint8_t> step_right;
  std::vector<uint8_t> step_feature;
};

Result<TreeEnsemble> TreeEnsemble::FromXgboostJson(const json& model, size_t num_features) {
  const json* learner = Find(model, "learner");
  const json* objective = learner ? Find(*learner, "objective") : nullptr;
  const json* objective_name = objective ? Find(*objective, "name") : nullptr;
  if (objective_name == nullptr || *objective_name != "reg:squarederror") {
    return Corrupt("objective must be reg:squarederror");
  }
  const json* params = Find(*learner, "learner_model_param");
  if (num_features == 0 || num_features > 64) return Corrupt("between 1 and 64 features");
  TreeEnsemble ensemble;
  ensemble.num_features_ = num_features;
  double declared_features = 0;
  if (params == nullptr || !NumberString(Find(*params, "base_score"), &ensemble.base_score_) ||
      !NumberString(Find(*params, "num_feature"), &declared_features)) {
    return Corrupt("no base_score or num_feature");
  }
  if (declared_features != static_cast<double>(num_features)) {
    return Corrupt("num_feature does not match the model's features");
  }
  const json* booster = Find(*learner, "gradient_booster");
  const json* booster_name = booster ? Find(*booster, "name") : nullptr;
  const json* gbtree = booster ? Find(*booster, "model") : nullptr;
  const json* trees = gbtree ? Find(*gbtree, "trees") : nullptr;
  if (booster_name == nullptr || *booster_name != "gbtree" || trees == nullptr ||
      !trees->is_array()) {
    return Corrupt("no gbtree trees");
  }

  for (const json& tree : *trees) {
    const json* tree_param = Find(tree, "tree_param");
    double declared_nodes = 0;
    if (tree_param == nullptr || !NumberString(Find(*tree_param, "num_nodes"), &declared_nodes) ||
        declared_nodes < 1 || declared_nodes > 1 << 24) {
      return Corrupt("a tree without num_nodes");
    }
    const auto n = static_cast<size_t>(declared_nodes);
    std::vector<int64_t> left, right, feature, split_type;
    std::vector<double> threshold, gain, cover;
    if (!NumberArray(Find(tree, "left_children"), n, &left) ||
        !NumberArray(Find(tree, "right_children"), n, &right) ||
        !NumberArray(Find(tree, "split_indices"), n, &feature) ||
        !NumberArray(Find(tree, "split_conditions"), n, &threshold) ||
        !NumberArray(Find(tree, "loss_changes"), n, &gain) ||
        !NumberArray(Find(tree, "sum_hessian"), n, &cover) ||
        !NumberArray(Find(tree, "split_type"), n, &split_type)) {
      return Corrupt("a tree's node arrays are missing or of the wrong length");
    }
    const auto offset = static_cast<int32_t>(ensemble.nodes_.size());
    for (size_t i = 0; i < n; ++i) {
      Node node;
      const bool leaf = left[i] == -1;
      if (!std::isfinite(threshold[i]) || !std::isfinite(gain[i]) || !(cover[i] >= 0)) {
        return Corrupt("a node holds a non-finite number");
      }
      node.threshold = static_cast<float>(threshold[i]);
      node.cover = cover[i];
      if (!leaf) {
        // Children after their parent: the walk always moves forward and ends.
        if (left[i] <= static_cast<int64_t>(i) || right[i] <= static_cast<int64_t>(i) ||
            left[i] >= static_cast<int64_t>(n) || right[i] >= static_cast<int64_t>(n) ||
            feature[i] < 0 || feature[i] >= static_cast<int64_t>(num_features) ||
            split_type[i] != 0 || !(cover[i] > 0)) {
          return Corrupt("a split node is malformed");
        }
        node.feature = static_cast<int32_t>(feature[i]);
        node.left = offset + static_cast<int32_t>(left[i]);
        node.right = offset + static_cast<int32_t>(right[i]);
        node.gain = gain[i];
      } else if (right[i] != -1) {
        return Corrupt("a leaf with one child");
      }
      ensemble.nodes_.push_back(node);
    }
    // Depth by node (children come after their parent): a hostile file could chain a
    // million splits, and walking every path of such a tree is quadratic.
    std::vector<uint16_t> depth(n, 0);
    for (size_t i = 0; i < n; ++i) {
      if (left[i] == -1) continue;
      if (depth[i] >= kMaxTreeDepth) return Corrupt("a tree is deeper than 64 levels");
      depth[static_cast<size_t>(left[i])] = static_cast<uint16_t>(depth[i] + 1);
      depth[static_cast<size_t>(right[i])] = static_cast<uint16_t>(depth[i] + 1);
    }
    ensemble.roots_.push_back(offset);
  }

  ensemble.bias_ = ensemble.base_score_;
  // Most trees become tables: room for all of them up front, not a 3 MB vector doubling.
  ensemble.table_rows_.reserve(ensemble.roots_.size() << kTreeSplits);
  ensemble.tree_leaf_.reserve(ensemble.roots_.size() << kTreeSplits);
  for (int32_t root : ensemble.roots_) {
    std::vector<Path> paths = ensemble.TreePaths(root);
    for (const Path& path : paths) {
      if (path.features.size() > kMaxPathFeatures) {
        return Corrupt("a tree is deeper than 32 distinct features");
      }
      double expected = path.leaf;
      for (double z : path.zero) expected *= z;
      ensemble.bias_ += expected;
    }
    if (!ensemble.AddTableTree(root, paths)) {
      ensemble.fallback_roots_.push_back(root);
      ensemble.AddFallbackPaths(paths);
    }
  }
  ensemble.BuildFeatureBins();
  return ensemble;
}

// Every root-to-leaf path of the tree at `root`, with repeated features merged into one
// interval (the row agrees with all of them or not) and one zero fraction (the product of
// the cover shares).
std::vector<TreeEnsemble::Path> TreeEnsemble::TreePaths(int32_t root) const {
  std::vector<Path> done;
  std::vector<std::pair<int32_t, Path>> stack;
  stack.push_back({root, Path{}});
  while (!stack.empty()) {
    auto [node_id, path] = std::move(stack.back());
    stack.pop_back();
    const Node& node = nodes_[static_cast<size_t>(node_id)];
    if (node.feature < 0) {
      path.leaf = node.threshold;
      done.push_back(std::move(path));
      continue;
    }
    for (const bool go_left : {false, true}) {
      Path child = path;
      const int32_t child_id = go_left ? node.left : node.right;
      const double share = nodes_[static_cast<size_t>(child_id)].cover / node.cover;
      size_t j = 0;
      while (j < child.features.size() && child.features[j].feature != node.feature) ++j;
      if (j == child.features.size()) {
        child.features.push_back({node.feature, -std::numeric_limits<float>::infinity(),
                                  std::numeric_limits<float>::infinity()});
        child.zero.push_back(1.0);
      }
      if (go_left) {
        child.features[j].hi = std::min(child.features[j].hi, node.threshold);
      } else {
        child.features[j].lo = std::max(child.features[j].lo, node.threshold);
      }
      child.zero[j] *= share;
      child.step_node.push_back(node_id);
      child.step_right.push_back(go_left ? 0 : 1);
      child.step_feature.push_back(static_cast<uint8_t>(std::min<size_t>(j, 255)));
      stack.push_back({child_id, std::move(child)});
    }
  }
  return done;
}

namespace {

// A path's contribution to φ of each of its d features when the row agrees with the
// features in `agree_mask`: the Shapley value of the game v(S) = leaf × Π_{k in S} o_k ×
// Π_{k not in S} z_k, i.e. φ_i = leaf (o_i − z_i) Σ_s c_i[s] s!(d−1−s)!/d!, where c_i[s]
// is the coefficient of t^s in Π_{k≠i} (z_k + o_k t).
void ShapOfPath(const double* zero, size_t d, double leaf, uint32_t agree_mask, double* out) {
  std::array<double, kMaxPathFeatures + 1> weight{};  // s!(d-1-s)!/d! = 1 / (d · C(d-1, s))
  double binomial = 1;
  for (size_t s = 0; s < d; ++s) {
    weight[s] = 1.0 / (static_cast<double>(d) * binomial);
    binomial = binomial * static_cast<double>(d - 1 - s) / static_cast<double>(s + 1);
  }
  for (size_t i = 0; i < d; ++i) {
    std::array<double, kMaxPathFeatures + 2> poly{};
    poly[0] = 1;
    size_t degree = 0;
    for (size_t k = 0; k < d; ++k) {
      if (k == i) continue;
      const double o = (agree_mask >> k) & 1u ? 1.0 : 0.0;
      ++degree;
      for (size_t s = degree; s > 0; --s) poly[s] = poly[s] * zero[k] + poly[s - 1] * o;
      poly[0] *= zero[k];
    }
    double sum = 0;
    for (size_t s = 0; s < d; ++s) sum += poly[s] * weight[s];
    const double o_i = (agree_mask >> i) & 1u ? 1.0 : 0.0;
    out[i] = leaf * (o_i - zero[i]) * sum;
  }
}

}  // namespace

void TreeEnsemble::PathShap(const Path& path, uint32_t agree_mask, double* out) {
  ShapOfPath(path.zero.data(), path.zero.size(), path.leaf, agree_mask, out);
}

// Tabulates the tree's leaf and φ for every pattern of decisions at its splits; false if
// it has more than kTreeSplits splits.
bool TreeEnsemble::AddTableTree(int32_t root, const std::vector<Path>& paths) {
  std::vector<int32_t> splits;  // node ids; a split's slot is its position here
  std::vector<int32_t> pending = {root};
  while (!pending.empty()) {
    const int32_t id = pending.back();
    pending.pop_back();
    const Node& node = nodes_[static_cast<size_t>(id)];
    if (node.feature < 0) continue;
    splits.push_back(id);
    if (splits.size() > kTreeSplits) return false;
    pending.push_back(node.left);
    pending.push_back(node.right);
  }
  if (num_features_ > kLeafSlot) return false;  // the row has no slot for them
  const auto scratch = static_cast<uint8_t>(num_features_);
  TableTree tree{};
  tree.split_feature.fill(scratch);
  tree.split_threshold.fill(std::numeric_limits<float>::infinity());  // never goes right
  for (size_t j = 0; j < splits.size(); ++j) {
    const Node& node = nodes_[static_cast<size_t>(splits[j])];
    tree.split_feature[j] = static_cast<uint8_t>(node.feature);
    tree.split_threshold[j] = node.threshold;
  }
  auto slot_of_split = [&](int32_t id) {
    return static_cast<uint32_t>(std::find(splits.begin(), splits.end(), id) - splits.begin());
  };
  constexpr uint32_t kPatterns = 1u << kTreeSplits;
  tree.leaf_offset = static_cast<uint32_t>(tree_leaf_.size());
  tree_leaf_.resize(tree_leaf_.size() + kPatterns, 0.0);
  const size_t first_row = table_rows_.size();
  table_rows_.resize(first_row + kPatterns, TableRow{});
  // Per path: φ for each of its agreement masks (at most 2^7 of them: a path of a table
  // tree has at most 7 distinct features) and the split slot of each step. The patterns
  // below then only combine these.
  struct PathCache {
    std::vector<double> phi;  // [mask * d + k]
    std::vector<uint32_t> step_slot;
  };
  std::vector<PathCache> caches(paths.size());
  for (size_t p = 0; p < paths.size(); ++p) {
    const Path& path = paths[p];
    const size_t d = path.features.size();
    PathCache& cache = caches[p];
    cache.phi.resize((size_t{1} << d) * d);
    for (uint32_t mask = 0; mask < (1u << d); ++mask)
      PathShap(path, mask, cache.phi.data() + mask * d);
    for (int32_t node : path.step_node) cache.step_slot.push_back(slot_of_split(node));
  }
  // Only patterns a row can produce are filled in (the others are never looked up): no
  // bit of a padding slot, and a row that goes right at a split goes right at every split
  // on the same feature with a threshold no higher. That skips about half of the work.
  const uint32_t padding = (kPatterns - 1) & ~((1u << splits.size()) - 1);
  std::vector<std::pair<uint32_t, uint32_t>> implied;  // (b, a): bit b set needs bit a set
  for (uint32_t b = 0; b < splits.size(); ++b) {
    for (uint32_t a = 0; a < splits.size(); ++a) {
      if (a != b && tree.split_feature[a] == tree.split_feature[b] &&
          tree.split_threshold[a] <= tree.split_threshold[b]) {
        implied.emplace_back(b, a);
      }
    }
  }
  auto reachable = [&](uint32_t pattern) {
    if ((pattern & padding) != 0) return false;
    for (const auto& [b, a] : implied) {
      if (((pattern >> b) & 1u) != 0 && ((pattern >> a) & 1u) == 0) return false;
    }
    return true;
  };
  std::vector<double> phi(num_features_);
  for (uint32_t pattern = 0; pattern < kPatterns; ++pattern) {
    if (!reachable(pattern)) continue;
    auto goes_right = [&](int32_t id) { return ((pattern >> slot_of_split(id)) & 1u) != 0; };
    const Node* node = &nodes_[static_cast<size_t>(root)];  // the leaf this pattern reaches
    while (node->feature >= 0) {
      const auto id = static_cast<int32_t>(node - nodes_.data());
      node = &nodes_[static_cast<size_t>(goes_right(id) ? node->right : node->left)];
    }
    tree_leaf_[tree.leaf_offset + pattern] = node->threshold;
    std::fill(phi.begin(), phi.end(), 0.0);
    for (size_t p = 0; p < paths.size(); ++p) {
      const Path& path = paths[p];
      const PathCache& cache = caches[p];
      // The row agrees with a path feature when every split on it goes the path's way.
      const size_t d = path.features.size();
      uint32_t agree = (1u << d) - 1;
      for (size_t s = 0; s < path.step_node.size(); ++s) {
        const bool right = ((pattern >> cache.step_slot[s]) & 1u) != 0;
        if (right != (path.step_right[s] != 0)) agree &= ~(1u << path.step_feature[s]);
      }
      for (size_t k = 0; k < d; ++k) {
        phi[static_cast<size_t>(path.features[k].feature)] += cache.phi[agree * d + k];
      }
    }
    TableRow& row = table_rows_[first_row + pattern];
    for (size_t f = 0; f < num_features_; ++f) row.value[f] = static_cast<float>(phi[f]);
    row.value[kLeafSlot] = node->threshold;  // a float already: exact
  }
  table_trees_.push_back(tree);
  return true;
}

void TreeEnsemble::BuildFeatureBins() {
  const size_t trees = table_trees_.size();
  struct Split {
    float threshold;
    uint32_t tree;
    uint8_t bit;
  };
  std::vector<std::vector<Split>> by_feature(num_features_);
  for (size_t t = 0; t < trees; ++t) {
    const TableTree& tree = table_trees_[t];
    for (size_t j = 0; j < kTreeSplits; ++j) {
      if (tree.split_feature[j] >= num_features_) continue;  // padding: never goes right
      by_feature[tree.split_feature[j]].push_back(
          {tree.split_threshold[j], static_cast<uint32_t>(t), static_cast<uint8_t>(1u << j)});
    }
  }
  for (size_t f = 0; f < num_features_; ++f) {
    std::vector<Split>& splits = by_feature[f];
    if (splits.empty()) continue;
    std::sort(splits.begin(), splits.end(),
              [](const Split& a, const Split& b) { return a.threshold < b.threshold; });
    FeatureBins bins{static_cast<int32_t>(f), {}, bin_bits_.size()};
    for (const Split& split : splits) {
      if (bins.thresholds.empty() || bins.thresholds.back() != split.threshold) {
        bins.thresholds.push_back(split.threshold);
      }
    }
    // Bin 0 (below every threshold): nothing goes right. Bin b adds the splits whose
    // threshold is the b-th smallest.
    bin_bits_.resize(bin_bits_.size() + (bins.thresholds.size() + 1) * trees, 0);
    size_t next = 0;
    for (size_t b = 1; b <= bins.thresholds.size(); ++b) {
      uint8_t* row = &bin_bits_[bins.offset + b * trees];
      std::copy_n(row - trees, trees, row);
      for (; next < splits.size() && splits[next].threshold == bins.thresholds[b - 1]; ++next) {
        row[splits[next].tree] |= splits[next].bit;
      }
    }
    feature_bins_.push_back(std::move(bins));
  }
}

void TreeEnsemble::TablePatterns(const float* x, uint8_t* patterns) const {
  const size_t trees = table_trees_.size();
  std::fill_n(patterns, trees, uint8_t{0});
  for (const FeatureBins& bins : feature_bins_) {
    // Goes right when threshold <= x: the bin is the count of such thresholds.
    const auto bin = static_cast<size_t>(
        std::upper_bound(bins.thresholds.begin(), bins.thresholds.end(), x[bins.feature]) -
        bins.thresholds.begin());
    const uint8_t* row = &bin_bits_[bins.offset + bin * trees];
    for (size_t t = 0; t < trees; ++t) patterns[t] |= row[t];
  }
}

void TreeEnsemble::AddFallbackPaths(const std::vector<Path>& paths) {
  for (const Path& path : paths) {
    features_.insert(features_.end(), path.features.begin(), path.features.end());
    zero_fraction_.insert(zero_fraction_.end(), path.zero.begin(), path.zero.end());
    leaf_value_.push_back(path.leaf);
    path_begin_.push_back(static_cast<uint32_t>(features_.size()));
    const size_t d = path.features.size();
    table_begin_.push_back(0);
    if (d > kTableFeatures) continue;
    table_begin_.back() = static_cast<uint32_t>(table_.size());
    table_.resize(table_.size() + (size_t{1} << d) * d);
    for (uint32_t mask = 0; mask < (1u << d); ++mask) {
      PathShap(path, mask, table_.data() + table_begin_.back() + mask * d);
    }
  }
}

void TreeEnsemble::AddPathShap(size_t path, uint32_t agree_mask, std::span<double> out) const {
  const size_t begin = path_begin_[path];
  ShapOfPath(zero_fraction_.data() + begin, path_begin_[path + 1] - begin, leaf_value_[path],
             agree_mask, out.data());
}

namespace {

// The leaves of the table trees, summed in double in two interleaved chains (even and
// odd trees: half the wait on each add). Predict() and Shap() both sum this way, so a
// price with and without its explanation is the same number.
struct LeafSum {
  double even = 0;
  double odd = 0;
  double total() const { return even + odd; }
};

// Sums each tree's row for its pattern: the φ slots in float over blocks of 16 trees (two
// 8-float vector adds per tree; a block's rounding stays near float's 6e-8), each block's
// sum then added in double; the leaf slot in double, in LeafSum's order.
using Float8 = float __attribute__((vector_size(32)));

[[gnu::always_inline]] inline LeafSum SumRows(const float* __restrict rows,
                                              const uint8_t* __restrict patterns, size_t trees,
                                              double* __restrict out) {
  constexpr size_t kWidth = 16;
  constexpr size_t kRowsPerTree = 128;
  constexpr size_t kBlock = 16;
  double sum[kWidth] = {};
  LeafSum leaves;
  for (size_t begin = 0; begin < trees; begin += kBlock) {
    Float8 low = {};
    Float8 high = {};
    float leaf[kBlock];
    const size_t end = std::min(trees, begin + kBlock);
    for (size_t t = begin; t < end; ++t) {
      const float* row = rows + (t * kRowsPerTree + patterns[t]) * kWidth;
      Float8 part;
      std::memcpy(&part, row, sizeof part);
      low += part;
      std::memcpy(&part, row + 8, sizeof part);
      high += part;
      leaf[t - begin] = row[kWidth - 1];
    }
    for (size_t t = begin; t + 1 < end; t += 2) {
      leaves.even += leaf[t - begin];
      leaves.odd += leaf[t - begin + 1];
    }
    if ((end - begin) % 2 == 1) leaves.even += leaf[end - 1 - begin];
    for (size_t k = 0; k < 8; ++k) {
      sum[k] += low[k];
      sum[k + 8] += high[k];
    }
  }
  for (size_t k = 0; k < kWidth; ++k) out[k] = sum[k];
  return leaves;
}

// The same, compiled for AVX2 (one 256-bit add per half row instead of two 128-bit
// ones; about 0.3 µs of 2.3 for the default trees) and picked at run time. Not GCC's
// target_clones: its ifunc resolver runs before ThreadSanitizer's runtime is up.
__attribute__((target("avx2"))) LeafSum SumRowsAvx2(const float* rows, const uint8_t* patterns,
                                                    size_t trees, double* out) {
  return SumRows(rows, patterns, trees, out);
}

LeafSum AddRows(const float* rows, const uint8_t* patterns, size_t trees, double* out) {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2 ? SumRowsAvx2(rows, patterns, trees, out) : SumRows(rows, patterns, trees, out);
}

}  // namespace

double TreeEnsemble::FallbackLeaves(const float* x) const {
  double sum = 0;
  for (int32_t root : fallback_roots_) {
    const Node* node = &nodes_[static_cast<size_t>(root)];
    while (node->feature >= 0) {
      const float value = x[static_cast<size_t>(node->feature)];
      node = &nodes_[static_cast<size_t>(value < node->threshold ? node->left : node->right)];
    }
    sum += node->threshold;
  }
  return sum;
}

double TreeEnsemble::Predict(std::span<const double> row) const {
  std::array<float, 65> x{};  // the features as float, as XGBoost compares them; + scratch
  for (size_t f = 0; f < num_features_; ++f) x[f] = static_cast<float>(row[f]);
  thread_local std::vector<uint8_t> patterns;
  patterns.resize(table_trees_.size());
  TablePatterns(x.data(), patterns.data());
  LeafSum leaves;  // in AddRows' order
  for (size_t t = 0; t < table_trees_.size(); ++t) {
    (t % 2 == 0 ? leaves.even : leaves.odd) +=
        tree_leaf_[table_trees_[t].leaf_offset + patterns[t]];
  }
  return base_score_ + leaves.total() + FallbackLeaves(x.data());
}

double TreeEnsemble::Shap(std::span<const double> row, std::span<double> phi,
                          double* margin_out) const {
  std::array<float, 65> x{};
  for (size_t f = 0; f < num_features_; ++f) x[f] = static_cast<float>(row[f]);
  const size_t trees = table_trees_.size();
  thread_local std::vector<uint8_t> patterns;
  patterns.resize(trees);
  TablePatterns(x.data(), patterns.data());
  alignas(64) std::array<double, kRowWidth> table_sum{};
  static_assert(sizeof(TableRow) == kRowWidth * sizeof(float));
  static_assert(kRowWidth == 16 && (size_t{1} << kTreeSplits) == 128, "SumRows' layout");
  const LeafSum leaves = AddRows(table_rows_.empty() ? nullptr : table_rows_[0].value.data(),
                                 patterns.data(), trees, table_sum.data());
  std::array<double, 65> sum{};
  for (size_t f = 0; f < num_features_; ++f) sum[f] = table_sum[f];
  const double margin = base_score_ + leaves.total() + FallbackLeaves(x.data());
  std::array<double, kMaxPathFeatures> scratch{};
  for (size_t p = 0; p < num_paths(); ++p) {
    const uint32_t begin = path_begin_[p];
    const uint32_t d = path_begin_[p + 1] - begin;
    uint32_t mask = 0;
    for (uint32_t k = 0; k < d; ++k) {
      const PathFeature& pf = features_[begin + k];
      const float value = x[static_cast<size_t>(pf.feature)];
      mask |= static_cast<uint32_t>(value >= pf.lo && value < pf.hi) << k;
    }
    const double* values;
    if (d <= kTableFeatures) {
      values = table_.data() + table_begin_[p] + mask * d;
    } else {
      AddPathShap(p, mask, std::span<double>(scratch.data(), d));
      values = scratch.data();
    }
    for (uint32_t k = 0; k < d; ++k)
      sum[static_cast<size_t>(features_[begin + k].feature)] += values[k];
  }
  // The table's φ are floats, each within about 6e-8 of its exact value, so their sum
  // misses margin - bias by up to ~1e-6. That remainder is spread over the features in
  // proportion to their |φ|: then bias + Σφ is the margin (Predict's number) to rounding,
  // and every φ moves by far less than XGBoost's own float contributions are off by.
  double total = 0;
  double scale = 0;
  for (size_t f = 0; f < num_features_; ++f) {
    total += sum[f];
    scale += std::fabs(sum[f]);
  }
  const double rest = (margin - bias_) - total;
  for (size_t f = 0; f < num_features_; ++f) {
    phi[f] += scale > 0 ? sum[f] + rest * (std::fabs(sum[f]) / scale) : sum[f];
  }
  *margin_out = margin;
  return bias_;
}

size_t TreeEnsemble::MemoryBytes() const {
  auto bytes = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  size_t total = sizeof(*this) + bytes(table_trees_) + bytes(feature_bins_) + bytes(bin_bits_) +
                 bytes(tree_leaf_) + bytes(table_rows_) + bytes(fallback_roots_) + bytes(nodes_) +
                 bytes(roots_) + bytes(path_begin_) + bytes(features_) + bytes(zero_fraction_) +
                 bytes(leaf_value_) + bytes(table_begin_) + bytes(table_);
  for (const auto& bins : feature_bins_) total += bytes(bins.thresholds);
  return total;
}

int64_t TreeEnsemble::ExplanationCost() const {
  int64_t steps = static_cast<int64_t>(table_trees_.size() * kRowWidth);
  for (size_t p = 0; p + 1 < path_begin_.size(); ++p) {
    const int64_t length = path_begin_[p + 1] - path_begin_[p];
    steps += length * length + length;
  }
  return steps;
}

std::vector<double> TreeEnsemble::TotalGain() const {
  std::vector<double> gain(num_features_, 0.0);
  for (const Node& node : nodes_) {
    if (node.feature >= 0) gain[static_cast<size_t>(node.feature)] += node.gain;
  }
  return gain;
}

}  // namespace diamond::ml
