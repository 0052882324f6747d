#include "ml/tree_ensemble.h"

#include <array>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace diamond::ml {
namespace {

using json = nlohmann::ordered_json;

// Deeper paths than this are refused: XGBoost's max_depth is far below it, and the
// per-path arithmetic uses fixed-size arrays.
constexpr size_t kMaxPathFeatures = 32;

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
    ensemble.roots_.push_back(offset);
  }

  ensemble.bias_ = ensemble.base_score_;
  for (int32_t root : ensemble.roots_) ensemble.AddPaths(root);
  for (size_t p = 0; p + 1 < ensemble.path_begin_.size(); ++p) {
    const size_t d = ensemble.path_begin_[p + 1] - ensemble.path_begin_[p];
    if (d > kMaxPathFeatures) return Corrupt("a tree is deeper than 32 distinct features");
  }
  // Tables of φ over agreement patterns for the short paths.
  ensemble.table_begin_.assign(ensemble.num_paths(), 0);
  for (size_t p = 0; p < ensemble.num_paths(); ++p) {
    const size_t d = ensemble.path_begin_[p + 1] - ensemble.path_begin_[p];
    if (d > kTableFeatures) continue;
    ensemble.table_begin_[p] = static_cast<uint32_t>(ensemble.table_.size());
    ensemble.table_.resize(ensemble.table_.size() + (size_t{1} << d) * d);
    for (uint32_t mask = 0; mask < (1u << d); ++mask) {
      ensemble.AddPathShap(
          p, mask, std::span<double>(ensemble.table_.data() + ensemble.table_begin_[p] + mask * d, d));
    }
  }
  return ensemble;
}

// Walks every root-to-leaf path of the tree at `root`, merging repeated features into one
// interval (the row agrees with all of them or not) and one zero fraction (the product
// of the cover shares), and adds the tree's expected value to the bias.
void TreeEnsemble::AddPaths(int32_t root) {
  struct Step {
    int32_t node;
    std::vector<PathFeature> features;
    std::vector<double> zero;
  };
  std::vector<Step> stack;
  stack.push_back({root, {}, {}});
  while (!stack.empty()) {
    Step step = std::move(stack.back());
    stack.pop_back();
    const Node& node = nodes_[static_cast<size_t>(step.node)];
    if (node.feature < 0) {
      double expected = node.threshold;
      for (double z : step.zero) expected *= z;
      bias_ += expected;
      features_.insert(features_.end(), step.features.begin(), step.features.end());
      zero_fraction_.insert(zero_fraction_.end(), step.zero.begin(), step.zero.end());
      leaf_value_.push_back(node.threshold);
      path_begin_.push_back(static_cast<uint32_t>(features_.size()));
      continue;
    }
    for (const bool go_left : {false, true}) {
      Step child{go_left ? node.left : node.right, step.features, step.zero};
      const double share = nodes_[static_cast<size_t>(child.node)].cover / node.cover;
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
      stack.push_back(std::move(child));
    }
  }
}

// The path's contribution to φ of each of its d features when the row agrees with the
// features in `agree_mask`: the Shapley value of the game v(S) = leaf × Π_{k in S} o_k ×
// Π_{k not in S} z_k, i.e. φ_i = leaf (o_i − z_i) Σ_s c_i[s] s!(d−1−s)!/d!, where c_i[s]
// is the coefficient of t^s in Π_{k≠i} (z_k + o_k t).
void TreeEnsemble::AddPathShap(size_t path, uint32_t agree_mask, std::span<double> out) const {
  const size_t begin = path_begin_[path];
  const size_t d = path_begin_[path + 1] - begin;
  std::array<double, kMaxPathFeatures> weight{};  // s!(d-1-s)!/d! = 1 / (d · C(d-1, s))
  double binomial = 1;
  for (size_t s = 0; s < d; ++s) {
    weight[s] = 1.0 / (static_cast<double>(d) * binomial);
    binomial = binomial * static_cast<double>(d - 1 - s) / static_cast<double>(s + 1);
  }
  for (size_t i = 0; i < d; ++i) {
    std::array<double, kMaxPathFeatures + 1> poly{};
    poly[0] = 1;
    size_t degree = 0;
    for (size_t k = 0; k < d; ++k) {
      if (k == i) continue;
      const double z = zero_fraction_[begin + k];
      const double o = (agree_mask >> k) & 1u ? 1.0 : 0.0;
      ++degree;
      for (size_t s = degree; s > 0; --s) poly[s] = poly[s] * z + poly[s - 1] * o;
      poly[0] *= z;
    }
    double sum = 0;
    for (size_t s = 0; s < d; ++s) sum += poly[s] * weight[s];
    const double o_i = (agree_mask >> i) & 1u ? 1.0 : 0.0;
    out[i] = leaf_value_[path] * (o_i - zero_fraction_[begin + i]) * sum;
  }
}

double TreeEnsemble::Predict(std::span<const double> row) const {
  double margin = base_score_;
  for (int32_t root : roots_) {
    const Node* node = &nodes_[static_cast<size_t>(root)];
    while (node->feature >= 0) {
      const auto value = static_cast<float>(row[static_cast<size_t>(node->feature)]);
      node = &nodes_[static_cast<size_t>(value < node->threshold ? node->left : node->right)];
    }
    margin += node->threshold;
  }
  return margin;
}

double TreeEnsemble::Shap(std::span<const double> row, std::span<double> phi) const {
  std::array<float, 64> as_float{};
  for (size_t f = 0; f < num_features_ && f < as_float.size(); ++f) {
    as_float[f] = static_cast<float>(row[f]);
  }
  std::array<double, kMaxPathFeatures> scratch{};
  for (size_t p = 0; p < num_paths(); ++p) {
    const uint32_t begin = path_begin_[p];
    const uint32_t d = path_begin_[p + 1] - begin;
    uint32_t mask = 0;
    for (uint32_t k = 0; k < d; ++k) {
      const PathFeature& pf = features_[begin + k];
      const float x = as_float[static_cast<size_t>(pf.feature)];
      mask |= static_cast<uint32_t>(x >= pf.lo && x < pf.hi) << k;
    }
    const double* values;
    if (d <= kTableFeatures) {
      values = table_.data() + table_begin_[p] + mask * d;
    } else {
      AddPathShap(p, mask, std::span<double>(scratch.data(), d));
      values = scratch.data();
    }
    for (uint32_t k = 0; k < d; ++k) phi[static_cast<size_t>(features_[begin + k].feature)] += values[k];
  }
  return bias_;
}

std::vector<double> TreeEnsemble::TotalGain() const {
  std::vector<double> gain(num_features_, 0.0);
  for (const Node& node : nodes_) {
    if (node.feature >= 0) gain[static_cast<size_t>(node.feature)] += node.gain;
  }
  return gain;
}

}  // namespace diamond::ml
