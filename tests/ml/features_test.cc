#include "ml/features.h"

#include <gtest/gtest.h>

#include <cmath>

namespace diamond::ml {
namespace {

Diamond Stone(double carat, double depth, double table, double x, double y, double z) {
  Diamond s;
  s.carat = carat;
  s.cut = 5;
  s.color = 20;
  s.clarity = 4;
  s.depth = depth;
  s.table = table;
  s.x = x;
  s.y = y;
  s.z = z;
  s.price = 1000;
  return s;
}

TEST(Features, DerivedAndLoggedValues) {
  FeatureTransform t;
  t.table_mean = 57;
  t.depth_mean = 61;
  FeatureRow f = UnscaledFeatures(Stone(0.5, 62, 55, 5.0, 4.0, 3.0), t);
  EXPECT_DOUBLE_EQ(f[static_cast<size_t>(Feature::kCarat)], std::log(0.5));
  EXPECT_DOUBLE_EQ(f[static_cast<size_t>(Feature::kCut)], 5);
  EXPECT_DOUBLE_EQ(f[static_cast<size_t>(Feature::kDepth)], 62);
  EXPECT_DOUBLE_EQ(f[static_cast<size_t>(Feature::kX)], std::log(5.0));
  EXPECT_DOUBLE_EQ(f[static_cast<size_t>(Feature::kVolume)], std::log(60.0));
  EXPECT_DOUBLE_EQ(f[static_cast<size_t>(Feature::kEccentricity)], std::sqrt(1 - 4.0 / 5.0));
  EXPECT_DOUBLE_EQ(f[static_cast<size_t>(Feature::kTableDistance)], 2);
  EXPECT_DOUBLE_EQ(f[static_cast<size_t>(Feature::kDepthDistance)], 1);
}

TEST(Features, TransformFitsMeansAndPopulationStd) {
  std::vector<Diamond> rows = {Stone(1, 60, 54, 5, 5, 3), Stone(1, 64, 58, 5, 5, 3)};
  FeatureTransform t = FitFeatureTransform(rows);
  EXPECT_DOUBLE_EQ(t.table_mean, 56);
  EXPECT_DOUBLE_EQ(t.depth_mean, 62);
  const auto depth = static_cast<size_t>(Feature::kDepth);
  EXPECT_DOUBLE_EQ(t.mean[depth], 62);
  EXPECT_DOUBLE_EQ(t.scale[depth], 2);  // population std of {60, 64}
  // Constant features keep scale 1, as sklearn's StandardScaler.
  EXPECT_DOUBLE_EQ(t.scale[static_cast<size_t>(Feature::kCarat)], 1);
  EXPECT_DOUBLE_EQ(t.scale[static_cast<size_t>(Feature::kEccentricity)], 1);
}

TEST(Features, SelectorParsing) {
  std::vector<std::string> names = {"carat", "volume", "depth_distance"};
  auto selector = ParseSelector(names);
  ASSERT_TRUE(selector.ok());
  EXPECT_EQ(JoinFeatureNames(*selector), "carat,volume,depth_distance");

  std::vector<std::string> unknown = {"carat", "weight"};
  auto bad = ParseSelector(unknown);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown feature 'weight' (allowed: carat,cut,"),
            std::string::npos);
  std::vector<std::string> twice = {"cut", "cut"};
  EXPECT_FALSE(ParseSelector(twice).ok());
  EXPECT_FALSE(ParseSelector(std::vector<std::string>{}).ok());
}

}  // namespace
}  // namespace diamond::ml
