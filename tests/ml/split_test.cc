#include "ml/split.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace diamond::ml {
namespace {

TEST(HoldoutSplit, SizesFollowSklearnsCeiling) {
  Split split = HoldoutSplit(4989, 0.2, 42);
  EXPECT_EQ(split.test.size(), 998u);  // ceil(997.8)
  EXPECT_EQ(split.train.size(), 3991u);
}

TEST(HoldoutSplit, IsAPartitionInAscendingOrder) {
  Split split = HoldoutSplit(1000, 0.25, 7);
  std::vector<size_t> all = split.train;
  all.insert(all.end(), split.test.begin(), split.test.end());
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], i);
  EXPECT_TRUE(std::is_sorted(split.train.begin(), split.train.end()));
  EXPECT_TRUE(std::is_sorted(split.test.begin(), split.test.end()));
}

TEST(HoldoutSplit, SameSeedSameSplitOtherSeedOtherSplit) {
  EXPECT_EQ(HoldoutSplit(500, 0.2, 1).test, HoldoutSplit(500, 0.2, 1).test);
  EXPECT_NE(HoldoutSplit(500, 0.2, 1).test, HoldoutSplit(500, 0.2, 2).test);
}

TEST(HoldoutSplit, PinnedSequenceSoSplitsStayReproducibleAcrossReleases) {
  // If this changes, every recorded holdout metric changes meaning: bump the model format.
  EXPECT_EQ(HoldoutSplit(10, 0.3, 42).test, (std::vector<size_t>{1, 7, 9}));
}

}  // namespace
}  // namespace diamond::ml
