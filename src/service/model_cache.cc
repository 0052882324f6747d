#include "service/model_cache.h"

#include <mutex>

namespace diamond::service {

ModelCache::Lookup ModelCache::Find(const std::string& id) {
  std::shared_lock lock(mutex_);
  auto it = models_.find(id);
  if (it != models_.end()) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return {it->second, generation_};
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return {nullptr, generation_};
}

void ModelCache::Put(std::shared_ptr<const LoadedModel> model, uint64_t generation) {
  std::unique_lock lock(mutex_);
  if (generation != generation_) return;  // invalidated while it was loading: stale
  models_[model->id] = std::move(model);
}

void ModelCache::Invalidate(const std::string& id) {
  std::unique_lock lock(mutex_);
  models_.erase(id);
  ++generation_;
}

size_t ModelCache::size() const {
  std::shared_lock lock(mutex_);
  return models_.size();
}

}  // namespace diamond::service
