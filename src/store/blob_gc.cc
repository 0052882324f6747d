#include "store/blob_gc.h"

#include <algorithm>

namespace diamond::store {

Result<int64_t> RemoveUnreferencedBlobs(MetadataStore& metadata, BlobStore& blobs) {
  auto referenced = metadata.ReferencedBlobKeys();
  if (!referenced.ok()) return referenced.status();
  std::sort(referenced->begin(), referenced->end());
  auto stored = blobs.List("");
  if (!stored.ok()) return stored.status();
  int64_t removed = 0;
  for (const auto& key : *stored) {
    if (std::binary_search(referenced->begin(), referenced->end(), key)) continue;
    if (Status s = blobs.Delete(key); !s.ok()) return s;
    ++removed;
  }
  return removed;
}

}  // namespace diamond::store
