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
  ModelCache cache(250, /*owner_share=*/1.0);
  cache.Put("u", Model("u", "a", 1, 100), cache.Find("u", "a").generation);
  cache.Put("u", Model("u", "b", 1, 100), cache.Find("u", "b").generation);
  ASSERT_NE(cache.Find("u", "a").model, nullptr);  // a is now more recent than b
  cache.Put("u", Model("u", "c", 1, 100), cache.Find("u", "c").generation);
  EXPECT_EQ(cache.evictions(), 1u);
  EXPECT_EQ(cache.bytes(), 200u);
  EXPECT_FALSE(cache.Contains("u", "b"));
  EXPECT_TRUE(cache.Contains("u", "a"));
  EXPECT_TRUE(cache.Contains("u", "c"));
  // A model bigger than the whole bound is served, not kept: it would empty the cache.
  cache.Put("u", Model("u", "huge", 1, 1000), cache.Find("u", "huge").generation);
  EXPECT_FALSE(cache.Contains("u", "huge"));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.uncached(), 1u);
  EXPECT_EQ(cache.evictions(), 1u);
}

// Issue 30 (finding 7): one tenant's models hold at most their share of the cache — past
// it their own least recently used go, never another tenant's — and a model larger than
// the share is served uncached instead of emptying the cache for everyone.
TEST(ModelCache, OneOwnersModelsNeverTakeMoreThanTheirShare) {
  ModelCache cache(1000, /*owner_share=*/0.5);
  EXPECT_EQ(cache.owner_max_bytes(), 500u);
  cache.Put("bob", Model("bob", "b1", 1, 200), cache.Find("bob", "b1").generation);
  cache.Put("bob", Model("bob", "b2", 1, 200), cache.Find("bob", "b2").generation);
  for (const char* id : {"a1", "a2", "a3", "a4"}) {
    cache.Put("ann", Model("ann", id, 1, 200), cache.Find("ann", id).generation);
  }
  EXPECT_EQ(cache.owner_bytes("ann"), 400u);
  EXPECT_FALSE(cache.Contains("ann", "a1"));
  EXPECT_FALSE(cache.Contains("ann", "a2"));
  EXPECT_TRUE(cache.Contains("ann", "a4"));
  EXPECT_TRUE(cache.Contains("bob", "b1")) << "another tenant's models are not evicted";
  EXPECT_TRUE(cache.Contains("bob", "b2"));
  EXPECT_EQ(cache.owner_bytes("bob"), 400u);
  EXPECT_EQ(cache.bytes(), 800u);

  // Larger than a share: priced from a fresh load each time, nobody's model evicted.
  cache.Put("ann", Model("ann", "big", 1, 600), cache.Find("ann", "big").generation);
  EXPECT_FALSE(cache.Contains("ann", "big"));
  EXPECT_EQ(cache.uncached(), 1u);
  EXPECT_EQ(cache.bytes(), 800u);
  EXPECT_TRUE(cache.Contains("bob", "b1"));

  // Invalidation and eviction give the owner's bytes back.
  cache.Invalidate("ann", "a4");
  EXPECT_EQ(cache.owner_bytes("ann"), 200u);
  cache.InvalidateAll();
  EXPECT_EQ(cache.owner_bytes("bob"), 0u);
}

TEST(ModelCache, AnInvalidationDuringALoadKeepsTheStaleModelOut) {
  ModelCache cache(1000);
  const uint64_t generation = cache.Find("u", "m").generation;  // a miss; loading starts
  cache.Invalidate("u", "m");                                   // retrained meanwhile
  cache.Put("u", Model("u", "m", 1, 10), generation);
  EXPECT_FALSE(cache.Contains("u", "m"));
  EXPECT_EQ(cache.bytes(), 0u);
}

// Issue 30, finding 7: invalidating an id dropped every owner's model of that id, and
// any invalidation refused every load in flight. Now only what the change can affect.
TEST(ModelCache, AChangeToOneTenantsModelCostsNoOtherTenantTheirsOrTheirLoads) {
  ModelCache cache(1000);
  cache.Put("alice", Model("alice", "linear4c", 1, 10), cache.Find("alice", "linear4c").generation);
  cache.Put("bob", Model("bob", "linear4c", 1, 10), cache.Find("bob", "linear4c").generation);
  const uint64_t loading = cache.Find("carol", "other").generation;  // a load in flight
  cache.Invalidate("bob", "linear4c");                               // bob retrains his
  EXPECT_TRUE(cache.Contains("alice", "linear4c"));
  EXPECT_FALSE(cache.Contains("bob", "linear4c"));
  EXPECT_EQ(cache.bytes(), 10u);
  cache.Put("carol", Model("carol", "other", 1, 10), loading);  // another id: kept
  EXPECT_TRUE(cache.Contains("carol", "other"));
}

TEST(ModelCache, AChangeToASharedModelDropsEveryoneResolvingToItButNotOwnModels) {
  ModelCache cache(1000);
  // admin shares "m": dave and erin price with it; frank has his own "m".
  auto shared = Model("admin", "m", 1, 10);
  cache.Put("dave", shared, cache.Find("dave", "m").generation);
  cache.Put("erin", shared, cache.Find("erin", "m").generation);
  cache.Put("frank", Model("frank", "m", 1, 10), cache.Find("frank", "m").generation);
  cache.Invalidate("admin", "m");  // retrained or unshared
  EXPECT_FALSE(cache.Contains("dave", "m"));
  EXPECT_FALSE(cache.Contains("erin", "m"));
  EXPECT_TRUE(cache.Contains("frank", "m"));
  // dave trains his own "m": his resolution to the shared one goes, and (since sharing can
  // change which shared model a viewer sees) so does erin's; frank's own stays.
  cache.Put("dave", shared, cache.Find("dave", "m").generation);
  cache.Put("erin", shared, cache.Find("erin", "m").generation);
  cache.Invalidate("dave", "m");
  EXPECT_FALSE(cache.Contains("dave", "m"));
  EXPECT_FALSE(cache.Contains("erin", "m"));
  EXPECT_TRUE(cache.Contains("frank", "m"));
}

}  // namespace
}  // namespace diamond::service
