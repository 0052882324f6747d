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

#include "store/blob_store.h"
#include "store/metadata_store.h"

namespace diamond::store {

inline constexpr std::chrono::seconds kDefaultBlobGracePeriod{3600};

// Returns how many blobs were removed.
Result<int64_t> RemoveUnreferencedBlobs(MetadataStore& metadata, BlobStore& blobs,
                                        std::chrono::seconds grace = kDefaultBlobGracePeriod);

}  // namespace diamond::store
