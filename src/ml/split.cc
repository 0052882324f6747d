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

}  // namespace

Split HoldoutSplit(size_t n, double test_fraction, uint64_t seed) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::mt19937_64 rng(seed);
  for (size_t i = n; i > 1; --i) {  // Fisher–Yates
    std::swap(order[i - 1], order[UniformBelow(rng, i)]);
  }
  auto test_count = static_cast<size_t>(std::ceil(static_cast<double>(n) * test_fraction));
  test_count = std::min(test_count, n);
  Split split;
  split.test.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(test_count));
  split.train.assign(order.begin() + static_cast<std::ptrdiff_t>(test_count), order.end());
  std::sort(split.test.begin(), split.test.end());
  std::sort(split.train.begin(), split.train.end());
  return split;
}

}  // namespace diamond::ml
