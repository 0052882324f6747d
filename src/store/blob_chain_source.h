// BlobChainSource: blobs read one after another as one stream, a piece (GetRange) in
// memory at a time whatever a blob's size: the segments of a dataset version, an upload's
// assembled parts.
#pragma once

#include <string>
#include <vector>

#include "core/byte_source.h"
#include "core/records.h"
#include "store/blob_store.h"

namespace diamond::store {

class BlobChainSource final : public ByteSource {
 public:
  // The store must outlive the source.
  static constexpr size_t kPieceBytes = size_t{4} << 20;

  BlobChainSource(const BlobStore& blobs, std::vector<std::string> keys,
                  size_t piece_bytes = kPieceBytes)
      : blobs_(blobs), keys_(std::move(keys)), piece_bytes_(piece_bytes) {}

  // A missing or unreadable blob is an IoError naming it.
  Result<size_t> Read(char* buf, size_t n) override;

 private:
  const BlobStore& blobs_;
  std::vector<std::string> keys_;
  size_t piece_bytes_;
  size_t next_ = 0;      // the blob being read
  int64_t size_ = -1;    // its size (-1: not asked yet)
  int64_t offset_ = 0;   // of its next piece
  std::string current_;  // the piece being read
  size_t pos_ = 0;
};

// The blob keys of a version's segments, in order.
std::vector<std::string> SegmentKeys(const DatasetVersion& version);

}  // namespace diamond::store
