#include "store/blob_chain_source.h"

#include <algorithm>
#include <cstring>

namespace diamond::store {

Result<size_t> BlobChainSource::Read(char* buf, size_t n) {
  while (pos_ == current_.size()) {
    if (next_ == keys_.size()) return size_t{0};
    const std::string& key = keys_[next_];
    if (size_ < 0) {  // a blob begins: its size says how many pieces (and asks for no empty range)
      auto info = blobs_.Stat(key);
      if (!info.ok()) return Status::IoError(key + ": " + info.status().message());
      size_ = info->size;
      offset_ = 0;
    }
    if (offset_ == size_) {
      ++next_;
      size_ = -1;
      continue;
    }
    const int64_t want = std::min(static_cast<int64_t>(piece_bytes_), size_ - offset_);
    auto piece = blobs_.GetRange(key, offset_, want);
    if (!piece.ok()) return Status::IoError(key + ": " + piece.status().message());
    if (static_cast<int64_t>(piece->size()) != want) {
      return Status::IoError(key + ": the blob changed while it was read (" +
                             std::to_string(piece->size()) + " bytes where " +
                             std::to_string(want) + " were due)");
    }
    current_ = std::move(piece).value();
    pos_ = 0;
    offset_ += want;
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
