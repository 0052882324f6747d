// BlobChainSource: blobs read one after another as one stream, one blob in memory at a
// time: the parts of an upload, the segments of a dataset version.
#pragma once

#include <string>
#include <vector>

#include "core/byte_source.h"
#include "store/blob_store.h"
#include "store/records.h"

namespace diamond::store {

class BlobChainSource final : public ByteSource {
 public:
  // The store must outlive the source.
  BlobChainSource(const BlobStore& blobs, std::vector<std::string> keys)
      : blobs_(blobs), keys_(std::move(keys)) {}

  // A missing or unreadable blob is an IoError naming it.
  Result<size_t> Read(char* buf, size_t n) override;

 private:
  const BlobStore& blobs_;
  std::vector<std::string> keys_;
  size_t next_ = 0;
  std::string current_;
  size_t pos_ = 0;
};

// The blob keys of a version's segments, in order.
std::vector<std::string> SegmentKeys(const DatasetVersion& version);

}  // namespace diamond::store
