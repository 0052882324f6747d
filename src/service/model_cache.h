// ModelCache: models loaded for prediction, shared by all request threads.
//
// A lookup is a shared lock and two hash probes, so real-time prediction never touches
// the database or the blob store once a model is warm. Each model version is parsed and
// held once, whoever prices with it: viewers of a shared model point at the same copy.
// The cache is bounded in bytes (each model's MemoryBytes()); past the bound the least
// recently used models go first. Tenants share it fairly: one owner's models may hold at
// most `owner_share` of the bound (past it, that owner's own least recently used go, not
// other tenants'), and a model larger than that share is served without being kept —
// reloaded per request, at its owner's cost (issue 30: one 225 MB model emptied the
// cache for everyone).
//
// Invalidate() on retrain, delete or sharing change; a generation counter stops a slow
// loader from re-inserting a model invalidated meanwhile.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/mutex.h"
#include "ml/conformal.h"
#include "ml/model.h"

namespace diamond::service {

struct LoadedModel {
  std::string owner;
  std::string id;
  int64_t version = 0;
  std::shared_ptr<const ml::Model> model;
  std::optional<ml::Calibration> calibration;  // for intervals; absent if never calibrated
  size_t bytes = 0;                            // what it holds in memory, about
};

class ModelCache {
 public:
  static constexpr size_t kDefaultMaxBytes = size_t{256} << 20;
  static constexpr double kDefaultOwnerShare = 0.5;
  // owner_share in (0, 1]: the part of max_bytes one owner's models may hold.
  explicit ModelCache(size_t max_bytes = kDefaultMaxBytes, double owner_share = kDefaultOwnerShare)
      : max_bytes_(max_bytes),
        owner_max_bytes_(static_cast<size_t>(static_cast<double>(max_bytes) * owner_share)) {}

  struct Lookup {
    std::shared_ptr<const LoadedModel> model;  // null on a miss
    uint64_t generation = 0;                   // pass to Put after loading
  };

  // The model `viewer` means by `id` (their own, or a shared one), as last resolved.
  // Counts a hit or a miss.
  Lookup Find(const std::string& viewer, const std::string& id);
  // True if Find would hit; counts nothing (for deciding where to run a request).
  bool Contains(const std::string& viewer, const std::string& id) const;
  // The copy of (owner, id) at `version` another viewer loaded, if any: no second parse.
  std::shared_ptr<const LoadedModel> FindLoaded(const std::string& owner, const std::string& id,
                                                int64_t version) const;
  // Makes `viewer` resolve `model->id` to `model`, unless that id was invalidated since
  // the Lookup that missed, or the model is larger than one owner's share (then it is
  // counted as uncached and not kept). Evicts the owner's least recently used models
  // beyond their share, then anyone's beyond the bound.
  void Put(const std::string& viewer, std::shared_ptr<const LoadedModel> model,
           uint64_t generation);
  // `owner`'s model `id` changed (trained, deleted, shared or unshared): forgets that
  // owner's copy, every viewer resolving to it, the owner's own resolution (a new own
  // model hides a shared one), and every resolution of the id to a shared model (sharing
  // can change which shared one a viewer sees). Other users' own models of the same id
  // stay: one tenant retraining "linear4c" costs no other tenant their "linear4c".
  void Invalidate(const std::string& owner, const std::string& id);
  // Forgets everything (a replica that lost track of which models changed).
  void InvalidateAll();

  void RecordLoad() { loads_.fetch_add(1, std::memory_order_relaxed); }

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  uint64_t loads() const { return loads_.load(std::memory_order_relaxed); }
  uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }
  // Models loaded but not kept: larger than one owner's share.
  uint64_t uncached() const { return uncached_.load(std::memory_order_relaxed); }
  size_t size() const;   // models held (distinct versions)
  size_t bytes() const;  // their MemoryBytes, summed
  size_t max_bytes() const { return max_bytes_; }
  size_t owner_max_bytes() const { return owner_max_bytes_; }
  size_t owner_bytes(const std::string& owner) const;  // what the owner's models hold

 private:
  struct Entry {
    std::shared_ptr<const LoadedModel> model;
    mutable std::atomic<uint64_t> last_used{
        0};  // use_clock_ when last used; hits write it under the shared lock
  };
  // Everything cached under one model id: the copies by owner, and which copy each
  // viewer resolves the id to.
  struct IdEntries {
    std::unordered_map<std::string, std::shared_ptr<Entry>> by_owner;
    std::unordered_map<std::string, std::shared_ptr<Entry>> by_viewer;
  };
  void RemoveLocked(IdEntries& entries, const std::string& owner) REQUIRES(mutex_);
  // Evicts the least recently used entries other than `keep` until OverLocked(owner) no
  // longer holds: among `owner`'s entries for their share, or anyone's (owner empty) for
  // the whole bound.
  void EvictLocked(const Entry* keep, const std::string& owner) REQUIRES(mutex_);
  bool OverLocked(const std::string& owner) const REQUIRES(mutex_);

  // Whether `id` was invalidated after the Lookup that returned `generation`.
  bool ChangedSinceLocked(const std::string& id, uint64_t generation) const REQUIRES(mutex_);

  const size_t max_bytes_;
  const size_t owner_max_bytes_;
  mutable SharedMutex mutex_;
  std::unordered_map<std::string, IdEntries> by_id_ GUARDED_BY(mutex_);
  size_t bytes_ GUARDED_BY(mutex_) = 0;
  std::unordered_map<std::string, size_t> owner_bytes_ GUARDED_BY(mutex_);
  // Advanced by every invalidation; a Lookup carries its value. Each id remembers the
  // value of its last invalidation, so that a load racing a change of *that* id is not
  // kept, while loads of other ids are. The memory is capped: past kMaxRememberedIds the
  // ids are forgotten and everything counts as changed once (InvalidateAll does the same).
  static constexpr size_t kMaxRememberedIds = 100000;
  uint64_t generation_ GUARDED_BY(mutex_) = 0;
  uint64_t all_changed_at_ GUARDED_BY(mutex_) = 0;
  std::unordered_map<std::string, uint64_t> changed_at_ GUARDED_BY(mutex_);
  std::atomic<uint64_t> use_clock_{0};  // advanced by Put only
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> loads_{0};
  std::atomic<uint64_t> evictions_{0};
  std::atomic<uint64_t> uncached_{0};
};

}  // namespace diamond::service
