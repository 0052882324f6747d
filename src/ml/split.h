// A deterministic shuffled holdout split.
//
// The same (n, fraction, seed) gives the same split on every platform and compiler: the
// shuffle uses std::mt19937_64 (whose sequence the standard fixes) with our own unbiased
// bounded draw, not std::uniform_int_distribution (whose algorithm is unspecified).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace diamond::ml {

struct Split {
  std::vector<size_t> train;  // ascending row indices
  std::vector<size_t> test;   // ascending row indices
};

// Holds out ceil(n * test_fraction) rows (as sklearn's train_test_split), 0 <= fraction < 1.
Split HoldoutSplit(size_t n, double test_fraction, uint64_t seed);

// k folds of one shuffle: fold i tests on its share of the rows and trains on the rest.
// 2 <= k <= n.
std::vector<Split> KFoldSplits(size_t n, size_t k, uint64_t seed);

}  // namespace diamond::ml
