#include "store/blob_chain_source.h"

#include <algorithm>
#include <cstring>

namespace diamond::store {

Result<size_t> BlobChainSource::Read(char* buf, size_t n) {
  while (pos_ == current_.size()) {
    if (next_ == keys_.size()) return size_t{0};
    auto bytes = blobs_.Get(keys_[next_]);
    if (!bytes.ok()) return Status::IoError(keys_[next_] + ": " + bytes.status().message());
    ++next_;
    current_ = std::move(bytes).value();
    pos_ = 0;
  }
  const size_t count = std::min(n, current_.size() - pos_);
  std::memcpy(buf, current_.data() + pos_, count);
  pos_ += count;
  return count;
}

std::vector<std::string> SegmentKeys(const DatasetVersion& version) {
  std::vector<std::string> keys;
  keys.reserve(version.segments.size());
  for (const DatasetSegment& segment : version.segments) keys.push_back(segment.blob_key);
  return keys;
}

}  // namespace diamond::store
