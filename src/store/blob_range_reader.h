// BlobRangeReader: blobs of known sizes read one after another as one stream, a range at a
// time (BlobStore::GetRange), from any offset: what a download sends — a dataset version's
// segments, a batch result's parts — holding one piece in memory however large the whole.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/range_reader.h"
#include "core/status.h"
#include "store/blob_store.h"

namespace diamond::store {

struct BlobExtent {
  std::string key;
  int64_t bytes = 0;  // as recorded when it was written
};

class BlobRangeReader final : public RangeReader {
 public:
  // The store must outlive the reader.
  BlobRangeReader(const BlobStore& blobs, std::vector<BlobExtent> extents);

  // Bytes in all, and left to read.
  int64_t size() const override { return total_; }
  int64_t left() const { return total_ - position_; }
  // Reading goes on `offset` bytes into the whole (clamped to it).
  void Seek(int64_t offset) override;
  // The next bytes, at most `max` (fewer at a blob's end); empty once nothing is left. A
  // blob missing or shorter than recorded is an error naming it.
  Result<std::string> Next(size_t max) override;

 private:
  const BlobStore& blobs_;
  std::vector<BlobExtent> extents_;
  int64_t total_ = 0;
  int64_t position_ = 0;  // in the whole
  size_t extent_ = 0;     // the blob `position_` is in
  int64_t extent_start_ = 0;
};

}  // namespace diamond::store
