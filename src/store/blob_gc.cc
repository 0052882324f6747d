#include "store/blob_gc.h"

#include <algorithm>

#include "base/logger.h"

namespace diamond::store {

void DeleteUnreferencedBlobs(BlobStore& blobs, const std::vector<std::string>& keys) {
  for (const auto& key : keys) {
    if (Status s = blobs.Delete(key); !s.ok()) {
      Log(LogLevel::kWarn, "could not delete an unreferenced blob; blob GC will retry",
          {{"key", key}, {"error", s.message()}});
    }
  }
}

Result<int64_t> RemoveUnreferencedBlobs(MetadataStore& metadata, BlobStore& blobs,
                                        std::chrono::seconds grace) {
  // List first: anything committed after this listing is referenced by the time the
  // references are read below, so it cannot be mistaken for garbage.
  auto stored = blobs.List("");
  if (!stored.ok()) return stored.status();
  auto referenced = metadata.ReferencedBlobKeys();
  if (!referenced.ok()) return referenced.status();
  std::sort(referenced->begin(), referenced->end());
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  int64_t removed = 0;
  for (const auto& blob : *stored) {
    if (std::binary_search(referenced->begin(), referenced->end(), blob.key)) continue;
    if (now - blob.modified_unix < grace.count()) continue;  // its row may be on its way
    if (Status s = blobs.Delete(blob.key); !s.ok()) return s;
    ++removed;
  }
  return removed;
}

}  // namespace diamond::store
