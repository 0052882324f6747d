#include "core/byte_source.h"

#include <algorithm>
#include <cstring>

namespace diamond {

Result<size_t> StringSource::Read(char* buf, size_t n) {
  size_t count = std::min(n, data_.size() - pos_);
  std::memcpy(buf, data_.data() + pos_, count);
  pos_ += count;
  return count;
}

Result<size_t> IstreamSource::Read(char* buf, size_t n) {
  in_.read(buf, static_cast<std::streamsize>(n));
  auto count = static_cast<size_t>(in_.gcount());
  if (in_.bad()) return Status::IoError("read failed");
  return count;
}

Result<size_t> ObservedSource::Read(char* buf, size_t n) {
  auto count = inner_.Read(buf, n);
  if (count.ok() && *count > 0) observe_(std::string_view(buf, *count));
  return count;
}

}  // namespace diamond
