#include "store/blob_gc.h"

#include <algorithm>

#include "base/logger.h"
#include "core/ids.h"
#include "store/store_binding.h"

namespace diamond::store {

void DeleteUnreferencedBlobs(BlobStore& blobs, const std::vector<std::string>& keys) {
  for (const auto& key : keys) {
    if (Status s = blobs.Delete(key); !s.ok()) {
      Log(LogLevel::kWarn, "could not delete an unreferenced blob; blob GC will retry",
          {{"key", key}, {"error", s.message()}});
    }
  }
}

Status DiscardUpload(UploadStore& uploads, BlobStore& blobs, const std::string& owner,
                     const std::string& id) {
  auto upload = uploads.GetUpload(owner, id);
  if (!upload.ok()) return upload.status();
  auto keys = uploads.DeleteUpload(owner, id);
  if (!keys.ok()) return keys.status();
  DeleteUnreferencedBlobs(blobs, *keys);
  // A reopening racing this delete may have moved the parts to a new handle; those are
  // left to the store's expiry of parts, like those of a process that died.
  if (!upload->parts_id.empty()) {
    if (Status s = blobs.AbortParts(upload->parts_key, upload->parts_id); !s.ok()) {
      Log(LogLevel::kWarn,
          "could not abort an upload's parts; the store's expiry of parts must remove them",
          {{"key", upload->parts_key}, {"error", s.message()}});
    }
  }
  return Status::Ok();
}

Result<int64_t> DeleteExpiredUploads(UploadStore& uploads, BlobStore& blobs, const Clock& clock) {
  auto expired = uploads.ExpiredUploads(clock.UnixMs());
  if (!expired.ok()) return expired.status();
  int64_t deleted = 0;
  for (const auto& [owner, id] : *expired) {
    Status s = DiscardUpload(uploads, blobs, owner, id);
    if (s.code() == StatusCode::kNotFound) continue;  // aborted meanwhile
    if (!s.ok()) return s;
    ++deleted;
  }
  return deleted;
}

Result<int64_t> RemoveUnreferencedBlobs(MaintenanceStore& maintenance, BlobStore& blobs,
                                        std::chrono::seconds grace) {
  // List first: anything committed after this listing is referenced by the time the
  // references are read below, so it cannot be mistaken for garbage.
  auto stored = blobs.List("");
  if (!stored.ok()) return stored.status();
  auto referenced = maintenance.ReferencedBlobKeys();
  if (!referenced.ok()) return referenced.status();
  std::sort(referenced->begin(), referenced->end());
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  int64_t removed = 0;
  for (const auto& blob : *stored) {
    if (std::binary_search(referenced->begin(), referenced->end(), blob.key)) continue;
    if (blob.key == kStoreBindingKey) continue;              // which database the store belongs to
    if (now - blob.modified_unix < grace.count()) continue;  // its row may be on its way
    if (Status s = blobs.Delete(blob.key); !s.ok()) return s;
    ++removed;
  }
  return removed;
}

namespace {

// Long enough for a GC round over a large bucket; a process that dies holding the lease
// blocks GC for at most this long.
constexpr int64_t kGcLeaseMs = 30 * 60 * 1000;

}  // namespace

PeriodicBlobGc::PeriodicBlobGc(UploadStore& uploads, MaintenanceStore& maintenance,
                               BlobStore& blobs, std::chrono::seconds interval,
                               std::chrono::seconds grace, const Clock& clock)
    : uploads_(uploads),
      maintenance_(maintenance),
      clock_(clock),
      blobs_(blobs),
      interval_(interval),
      grace_(grace),
      holder_(NewId()) {
  thread_ = std::thread([this] { Run(); });
}

PeriodicBlobGc::~PeriodicBlobGc() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<std::optional<int64_t>> PeriodicBlobGc::RunOnce() {
  auto taken = maintenance_.TryTakeLease("blob-gc", holder_, kGcLeaseMs);
  if (!taken.ok()) return taken.status();
  if (!*taken) return std::optional<int64_t>();
  auto expired = DeleteExpiredUploads(uploads_, blobs_, clock_);
  if (!expired.ok()) {
    Log(LogLevel::kWarn, "could not delete expired uploads; retrying next round",
        {{"error", expired.status().message()}});
  } else if (*expired > 0) {
    Log(LogLevel::kInfo, "deleted expired uploads", {{"count", *expired}});
  }
  auto removed = RemoveUnreferencedBlobs(maintenance_, blobs_, grace_);
  if (Status s = maintenance_.ReleaseLease("blob-gc", holder_); !s.ok()) {
    Log(LogLevel::kWarn, "could not release the blob GC lease; it expires by itself",
        {{"error", s.message()}});
  }
  if (!removed.ok()) return removed.status();
  return std::optional<int64_t>(*removed);
}

void PeriodicBlobGc::Run() {
  MutexLock lock(mutex_);
  while (true) {
    wake_.wait_for(lock, interval_, [this]() REQUIRES(mutex_) { return stopping_; });
    if (stopping_) return;
    lock.Unlock();
    auto removed = RunOnce();
    if (!removed.ok()) {
      Log(LogLevel::kWarn, "blob GC failed; retrying next round",
          {{"error", removed.status().message()}});
    } else if (removed->has_value() && **removed > 0) {
      Log(LogLevel::kInfo, "blob GC removed unreferenced blobs", {{"count", **removed}});
    }
    lock.Lock();
  }
}

}  // namespace diamond::store
