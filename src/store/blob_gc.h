// Removing blobs no metadata row points at. Writes put the blob first and commit the row
// second, so a crash in between (or a failed commit) leaves an unreferenced blob behind;
// deletes remove the row first.
//
// Safe beside writers: blobs are listed *before* references are read, so a blob whose
// row commits meanwhile is seen as referenced; and a blob younger than the grace period
// is spared, since its writer may not have committed its row yet.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/mutex.h"
#include "store/blob_store.h"
#include "store/maintenance_store.h"
#include "store/upload_store.h"

namespace diamond::store {

inline constexpr std::chrono::seconds kDefaultBlobGracePeriod{3600};
inline constexpr std::chrono::seconds kDefaultBlobGcInterval{3600};  // between rounds

// Returns how many blobs were removed.
Result<int64_t> RemoveUnreferencedBlobs(MaintenanceStore& maintenance, BlobStore& blobs,
                                        std::chrono::seconds grace = kDefaultBlobGracePeriod);

// Deletes an upload (an abort, an expiry): its record, then what it leaves in the blob
// store — blobs (best effort, as above) and the store's open parts (BlobStore::AbortParts;
// a failure is logged: the store's own expiry of parts must remove them).
Status DiscardUpload(UploadStore& uploads, BlobStore& blobs, const std::string& owner,
                     const std::string& id);

// Deletes uploads (upload_store.h) whose expiry has passed, and their parts' blobs;
// returns how many. Part of every GC round below.
Result<int64_t> DeleteExpiredUploads(UploadStore& uploads, BlobStore& blobs,
                                     const Clock& clock = SystemClock());

// Runs DeleteExpiredUploads and RemoveUnreferencedBlobs every `interval` on a thread (the owner
// calls RunOnce at start if it wants a round then), on one process at a time among all that share
// the store (the "blob-gc" lease: whoever holds it runs; the others skip that round). The
// destructor stops the thread.
class PeriodicBlobGc {
 public:
  PeriodicBlobGc(UploadStore& uploads, MaintenanceStore& maintenance, BlobStore& blobs,
                 std::chrono::seconds interval, std::chrono::seconds grace,
                 const Clock& clock = SystemClock());
  ~PeriodicBlobGc();
  PeriodicBlobGc(const PeriodicBlobGc&) = delete;
  PeriodicBlobGc& operator=(const PeriodicBlobGc&) = delete;

  // One round now, if this process gets the lease: blobs removed, or nullopt if another
  // process holds it.
  Result<std::optional<int64_t>> RunOnce();

 private:
  void Run();

  UploadStore& uploads_;
  MaintenanceStore& maintenance_;
  const Clock& clock_;  // when uploads expire
  BlobStore& blobs_;
  const std::chrono::seconds interval_;
  const std::chrono::seconds grace_;
  const std::string holder_;
  Mutex mutex_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace diamond::store
