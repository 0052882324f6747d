// RangeReader: bytes of a known size read a piece at a time from any offset — what a
// download sends (a dataset version's rows, a batch result), whatever holds the bytes.
// The services hand one to the HTTP layer, which streams it without knowing the store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/status.h"

namespace diamond {

class RangeReader {
 public:
  virtual ~RangeReader() = default;
  // Bytes in all.
  virtual int64_t size() const = 0;
  // Reading goes on `offset` bytes into the whole (clamped to it).
  virtual void Seek(int64_t offset) = 0;
  // The next bytes, at most `max`; empty once nothing is left.
  virtual Result<std::string> Next(size_t max) = 0;
};

}  // namespace diamond
