#include "ml/split.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace diamond::ml {
namespace {

// Uniform in [0, bound) by rejection, so no residue class is favoured.
uint64_t UniformBelow(std::mt19937_64& rng, uint64_t bound) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t draw = 0;
  do {
    draw = rng();
  } while (draw >= limit);
  return draw % bound;
}

std::vector<size_t> ShuffledOrder(size_t n, uint64_t seed) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::mt19937_64 rng(seed);
  for (size_t i = n; i > 1; --i) {  // Fisher–Yates
    std::swap(order[i - 1], order[UniformBelow(rng, i)]);
  }
  return order;
}

}  // namespace

Split HoldoutSplit(size_t n, double test_fraction, uint64_t seed) {
  std::vector<size_t> order = ShuffledOrder(n, seed);
  auto test_count = static_cast<size_t>(std::ceil(static_cast<double>(n) * test_fraction));
  test_count = std::min(test_count, n);
  Split split;
  split.test.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(test_count));
  split.train.assign(order.begin() + static_cast<std::ptrdiff_t>(test_count), order.end());
  std::sort(split.test.begin(), split.test.end());
  std::sort(split.train.begin(), split.train.end());
  return split;
}

std::vector<Split> KFoldSplits(size_t n, size_t k, uint64_t seed) {
  std::vector<size_t> order = ShuffledOrder(n, seed);
  std::vector<Split> folds(k);
  for (size_t fold = 0; fold < k; ++fold) {
    // The first n % k folds take one row more, as scikit-learn's KFold.
    const size_t begin = fold * (n / k) + std::min(fold, n % k);
    const size_t end = begin + n / k + (fold < n % k ? 1 : 0);
    for (size_t i = 0; i < n; ++i) {
      (i >= begin && i < end ? folds[fold].test : folds[fold].train).push_back(order[i]);
    }
    std::sort(folds[fold].test.begin(), folds[fold].test.end());
    std::sort(folds[fold].train.begin(), folds[fold].train.end());
  }
  return folds;
}

}  // namespace diamond::ml
