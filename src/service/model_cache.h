// ModelCache: models loaded for prediction, shared by all request threads.
// A lookup is a shared lock and a map probe, so real-time prediction never touches the
// database or the blob store once a model is warm. Invalidate() on retrain or delete;
// a generation counter stops a slow loader from re-inserting a model invalidated meanwhile.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include <optional>

#include "ml/conformal.h"
#include "ml/model.h"

namespace diamond::service {

struct LoadedModel {
  std::string owner;
  std::string id;
  int64_t version = 0;
  std::shared_ptr<const ml::Model> model;
  std::optional<ml::Calibration> calibration;  // for intervals; absent if never calibrated
};

class ModelCache {
 public:
  struct Lookup {
    std::shared_ptr<const LoadedModel> model;  // null on a miss
    uint64_t generation = 0;                   // pass to Put after loading
  };

  // The model `viewer` means by `id` (their own, or a shared one), as last resolved.
  Lookup Find(const std::string& viewer, const std::string& id);
  // Inserts unless the cache was invalidated since the Lookup that missed.
  void Put(const std::string& viewer, std::shared_ptr<const LoadedModel> model,
           uint64_t generation);
  // Forgets every viewer's entry for models with this id: a retrain, a delete, sharing
  // or a new model with the same id may change what any of them resolves to.
  void Invalidate(const std::string& id);

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  size_t size() const;

 private:
  mutable std::shared_mutex mutex_;
  // model id -> viewer -> model. Two probes and no key building on the hot path.
  std::unordered_map<std::string,
                     std::unordered_map<std::string, std::shared_ptr<const LoadedModel>>>
      models_;  // GUARDED_BY(mutex_)
  uint64_t generation_ = 0;  // GUARDED_BY(mutex_)
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace diamond::service
