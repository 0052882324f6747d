// ByteSource: where streaming readers get their bytes from, without knowing whether
// they come from a file, a socket buffer or a string. Not thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <istream>
#include <string>
#include <string_view>

#include "core/status.h"

namespace diamond {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes into `buf`. Returns how many were read; 0 means end of input.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
};

// Reads from a string the caller keeps alive.
class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string_view data) : data_(data) {}
  Result<size_t> Read(char* buf, size_t n) override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Reads from a std::istream the caller keeps alive (a file, std::cin).
class IstreamSource final : public ByteSource {
 public:
  explicit IstreamSource(std::istream& in) : in_(in) {}
  Result<size_t> Read(char* buf, size_t n) override;

 private:
  std::istream& in_;
};

// Passes every byte read from `inner` to `observe` (a hash, a progress counter)
// before handing it on.
class ObservedSource final : public ByteSource {
 public:
  ObservedSource(ByteSource& inner, std::function<void(std::string_view)> observe)
      : inner_(inner), observe_(std::move(observe)) {}
  Result<size_t> Read(char* buf, size_t n) override;

 private:
  ByteSource& inner_;
  std::function<void(std::string_view)> observe_;
};

}  // namespace diamond
