// Removing blobs no metadata row points at. Writes put the blob first and commit the row
// second, so a crash in between (or a failed commit) leaves an unreferenced blob behind;
// deletes remove the row first. Run only when no other process writes to the same
// stores (at the start of the embedded server), or a blob awaiting its commit would go.
#pragma once

#include <cstdint>

#include "store/blob_store.h"
#include "store/metadata_store.h"

namespace diamond::store {

// Returns how many blobs were removed.
Result<int64_t> RemoveUnreferencedBlobs(MetadataStore& metadata, BlobStore& blobs);

}  // namespace diamond::store
