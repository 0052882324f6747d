#include "store/blob_range_reader.h"

#include <algorithm>

namespace diamond::store {

BlobRangeReader::BlobRangeReader(const BlobStore& blobs, std::vector<BlobExtent> extents)
    : blobs_(blobs), extents_(std::move(extents)) {
  for (const auto& e : extents_) total_ += e.bytes;
}

void BlobRangeReader::Seek(int64_t offset) {
  position_ = std::clamp<int64_t>(offset, 0, total_);
  extent_ = 0;
  extent_start_ = 0;
}

Result<std::string> BlobRangeReader::Next(size_t max) {
  if (max == 0 || left() == 0) return std::string();
  while (position_ >=
         extent_start_ + extents_[extent_].bytes) {  // skip to the blob holding position_
    extent_start_ += extents_[extent_].bytes;
    ++extent_;
  }
  const BlobExtent& extent = extents_[extent_];
  const int64_t within = position_ - extent_start_;
  const int64_t length = std::min<int64_t>(static_cast<int64_t>(max), extent.bytes - within);
  auto piece = blobs_.GetRange(extent.key, within, length);
  if (!piece.ok()) return Status::IoError(extent.key + ": " + piece.status().message());
  if (static_cast<int64_t>(piece->size()) != length) {
    return Status::Corruption(extent.key + ": the blob holds fewer bytes than the " +
                              std::to_string(extent.bytes) + " recorded");
  }
  position_ += length;
  return piece;
}

}  // namespace diamond::store
