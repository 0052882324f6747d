#include "service/model_cache.h"

#include <mutex>

namespace diamond::service {

ModelCache::Lookup ModelCache::Find(const std::string& viewer, const std::string& id) {
  std::shared_lock lock(mutex_);
  auto by_id = models_.find(id);
  if (by_id != models_.end()) {
    auto it = by_id->second.find(viewer);
    if (it != by_id->second.end()) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return {it->second, generation_};
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return {nullptr, generation_};
}

void ModelCache::Put(const std::string& viewer, std::shared_ptr<const LoadedModel> model,
                     uint64_t generation) {
  std::unique_lock lock(mutex_);
  if (generation != generation_) return;  // invalidated while it was loading: stale
  const std::string id = model->id;
  models_[id][viewer] = std::move(model);
}

void ModelCache::Invalidate(const std::string& id) {
  std::unique_lock lock(mutex_);
  models_.erase(id);
  ++generation_;
}

size_t ModelCache::size() const {
  std::shared_lock lock(mutex_);
  size_t n = 0;
  for (const auto& [id, viewers] : models_) n += viewers.size();
  return n;
}

}  // namespace diamond::service
