#include "service/model_cache.h"

#include <limits>

namespace diamond::service {

ModelCache::Lookup ModelCache::Find(const std::string& viewer, const std::string& id) {
  ReaderLock lock(mutex_);
  auto by_id = by_id_.find(id);
  if (by_id != by_id_.end()) {
    auto it = by_id->second.by_viewer.find(viewer);
    if (it != by_id->second.by_viewer.end()) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      // The clock only moves on Put: a hit reads it, and writes the entry only when the
      // entry was not used since the last Put, so I/O threads do not fight over a line.
      const uint64_t now = use_clock_.load(std::memory_order_relaxed);
      if (it->second->last_used.load(std::memory_order_relaxed) != now) {
        it->second->last_used.store(now, std::memory_order_relaxed);
      }
      return {it->second->model, generation_};
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return {nullptr, generation_};
}

bool ModelCache::Contains(const std::string& viewer, const std::string& id) const {
  ReaderLock lock(mutex_);
  auto by_id = by_id_.find(id);
  return by_id != by_id_.end() && by_id->second.by_viewer.count(viewer) > 0;
}

std::shared_ptr<const LoadedModel> ModelCache::FindLoaded(const std::string& owner,
                                                          const std::string& id,
                                                          int64_t version) const {
  ReaderLock lock(mutex_);
  auto by_id = by_id_.find(id);
  if (by_id == by_id_.end()) return nullptr;
  auto it = by_id->second.by_owner.find(owner);
  if (it == by_id->second.by_owner.end() || it->second->model->version != version) return nullptr;
  return it->second->model;
}

void ModelCache::Put(const std::string& viewer, std::shared_ptr<const LoadedModel> model,
                     uint64_t generation) {
  if (model->bytes > owner_max_bytes_) {  // served, never kept: it would crowd out others
    uncached_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  WriterLock lock(mutex_);
  if (ChangedSinceLocked(model->id, generation)) return;  // changed while it loaded: stale
  IdEntries& entries = by_id_[model->id];
  auto owned = entries.by_owner.find(model->owner);
  if (owned == entries.by_owner.end() || owned->second->model->version != model->version) {
    if (owned != entries.by_owner.end()) RemoveLocked(entries, model->owner);  // an older version
    auto entry = std::make_shared<Entry>();
    entry->model = std::move(model);
    bytes_ += entry->model->bytes;
    owner_bytes_[entry->model->owner] += entry->model->bytes;
    owned = entries.by_owner.emplace(entry->model->owner, std::move(entry)).first;
  }
  std::shared_ptr<Entry> entry = owned->second;
  // Two ticks: this entry is newer than anything used before it, and anything used after
  // it (stamped with the clock's new value) is newer than it.
  entry->last_used.store(use_clock_.fetch_add(1, std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
  use_clock_.fetch_add(1, std::memory_order_relaxed);
  entries.by_viewer[viewer] = entry;
  const std::string& owner = entry->model->owner;
  EvictLocked(entry.get(), owner);
  EvictLocked(entry.get(), "");
}

void ModelCache::RemoveLocked(IdEntries& entries, const std::string& owner) {
  auto owned = entries.by_owner.find(owner);
  if (owned == entries.by_owner.end()) return;
  const Entry* gone = owned->second.get();
  bytes_ -= gone->model->bytes;
  auto held = owner_bytes_.find(owner);
  if (held != owner_bytes_.end() && (held->second -= gone->model->bytes) == 0) {
    owner_bytes_.erase(held);
  }
  for (auto it = entries.by_viewer.begin(); it != entries.by_viewer.end();) {
    it = it->second.get() == gone ? entries.by_viewer.erase(it) : std::next(it);
  }
  entries.by_owner.erase(owned);
}

bool ModelCache::OverLocked(const std::string& owner) const {
  if (owner.empty()) return bytes_ > max_bytes_;
  auto held = owner_bytes_.find(owner);
  return held != owner_bytes_.end() && held->second > owner_max_bytes_;
}

void ModelCache::EvictLocked(const Entry* keep, const std::string& only_owner) {
  // A scan for the oldest: evictions are rare and the cache holds few models, so an
  // intrusive list (and a write on every hit to keep it) would cost more than it saves.
  while (OverLocked(only_owner)) {
    IdEntries* oldest_entries = nullptr;
    std::string oldest_id, oldest_owner;
    uint64_t oldest = std::numeric_limits<uint64_t>::max();
    for (auto& [id, entries] : by_id_) {
      for (auto& [owner, entry] : entries.by_owner) {
        if (!only_owner.empty() && owner != only_owner) continue;
        const uint64_t used = entry->last_used.load(std::memory_order_relaxed);
        if (entry.get() != keep && used < oldest) {
          oldest = used;
          oldest_entries = &entries;
          oldest_id = id;
          oldest_owner = owner;
        }
      }
    }
    if (oldest_entries == nullptr) return;  // only `keep` is left
    RemoveLocked(*oldest_entries, oldest_owner);
    if (oldest_entries->by_owner.empty()) by_id_.erase(oldest_id);
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
}

bool ModelCache::ChangedSinceLocked(const std::string& id, uint64_t generation) const {
  if (all_changed_at_ > generation) return true;
  auto changed = changed_at_.find(id);
  return changed != changed_at_.end() && changed->second > generation;
}

void ModelCache::Invalidate(const std::string& owner, const std::string& id) {
  WriterLock lock(mutex_);
  ++generation_;
  if (changed_at_.size() >= kMaxRememberedIds) {
    changed_at_.clear();
    all_changed_at_ = generation_;
  }
  changed_at_[id] = generation_;
  auto by_id = by_id_.find(id);
  if (by_id == by_id_.end()) return;
  IdEntries& entries = by_id->second;
  RemoveLocked(entries, owner);
  for (auto it = entries.by_viewer.begin(); it != entries.by_viewer.end();) {
    auto own = entries.by_owner.find(it->first);
    const bool resolves_to_own = own != entries.by_owner.end() && own->second == it->second;
    it = it->first == owner || !resolves_to_own ? entries.by_viewer.erase(it) : std::next(it);
  }
  if (entries.by_owner.empty()) by_id_.erase(by_id);
}

void ModelCache::InvalidateAll() {
  WriterLock lock(mutex_);
  by_id_.clear();
  owner_bytes_.clear();
  bytes_ = 0;
  ++generation_;
  changed_at_.clear();
  all_changed_at_ = generation_;
}

size_t ModelCache::size() const {
  ReaderLock lock(mutex_);
  size_t n = 0;
  for (const auto& [id, entries] : by_id_) n += entries.by_owner.size();
  return n;
}

size_t ModelCache::owner_bytes(const std::string& owner) const {
  ReaderLock lock(mutex_);
  auto held = owner_bytes_.find(owner);
  return held == owner_bytes_.end() ? 0 : held->second;
}

size_t ModelCache::bytes() const {
  ReaderLock lock(mutex_);
  return bytes_;
}

}  // namespace diamond::service
