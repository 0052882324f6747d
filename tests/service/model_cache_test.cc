// The model cache: one copy per model version whoever prices with it, a byte bound with
// least-recently-used eviction, and invalidation that a slow loader cannot undo.
#include "service/model_cache.h"

#include <gtest/gtest.h>

#include "ml/linear_model.h"

namespace diamond::service {
namespace {

std::shared_ptr<const LoadedModel> Model(const std::string& owner, const std::string& id,
                                         int64_t version, size_t bytes) {
  ml::LinearSpec spec;
  spec.selector = {ml::Feature::kCarat};
  auto model = std::make_shared<const ml::LinearModel>(spec, ml::FeatureTransform{}, 8.0,
                                                       std::vector<double>{1.0});
  return std::make_shared<const LoadedModel>(
      LoadedModel{owner, id, version, model, std::nullopt, bytes});
}

TEST(ModelCache, ViewersOfASharedModelShareOneCopy) {
  ModelCache cache(1000);
  auto shared = Model("admin", "m", 1, 100);
  cache.Put("admin", shared, cache.Find("admin", "m").generation);
  // Another viewer resolving the same version gets the loaded copy, not a new parse.
  auto found = cache.FindLoaded("admin", "m", 1);
  ASSERT_EQ(found, shared);
  EXPECT_EQ(cache.FindLoaded("admin", "m", 2), nullptr);  // another version is not it
  cache.Put("alice", found, cache.Find("alice", "m").generation);
  EXPECT_EQ(cache.Find("alice", "m").model, shared);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.bytes(), 100u);
  // A newer version replaces the older copy for every viewer.
  cache.Put("admin", Model("admin", "m", 2, 150), cache.Find("admin", "m").generation);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.bytes(), 150u);
  EXPECT_EQ(cache.Find("alice", "m").model, nullptr);
  EXPECT_EQ(cache.Find("admin", "m").model->version, 2);
}

TEST(ModelCache, EvictsTheLeastRecentlyUsedBeyondTheByteBound) {
  ModelCache cache(250);
  cache.Put("u", Model("u", "a", 1, 100), cache.Find("u", "a").generation);
  cache.Put("u", Model("u", "b", 1, 100), cache.Find("u", "b").generation);
  ASSERT_NE(cache.Find("u", "a").model, nullptr);  // a is now more recent than b
  cache.Put("u", Model("u", "c", 1, 100), cache.Find("u", "c").generation);
  EXPECT_EQ(cache.evictions(), 1u);
  EXPECT_EQ(cache.bytes(), 200u);
  EXPECT_FALSE(cache.Contains("u", "b"));
  EXPECT_TRUE(cache.Contains("u", "a"));
  EXPECT_TRUE(cache.Contains("u", "c"));
  // A model bigger than the whole bound is kept alone rather than reloaded every time.
  cache.Put("u", Model("u", "huge", 1, 1000), cache.Find("u", "huge").generation);
  EXPECT_TRUE(cache.Contains("u", "huge"));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.evictions(), 3u);
}

TEST(ModelCache, AnInvalidationDuringALoadKeepsTheStaleModelOut) {
  ModelCache cache(1000);
  const uint64_t generation = cache.Find("u", "m").generation;  // a miss; loading starts
  cache.Invalidate("m");                                        // retrained meanwhile
  cache.Put("u", Model("u", "m", 1, 10), generation);
  EXPECT_FALSE(cache.Contains("u", "m"));
  EXPECT_EQ(cache.bytes(), 0u);
}

}  // namespace
}  // namespace diamond::service
