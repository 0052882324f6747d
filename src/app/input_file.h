// InputFile: a file (or standard input, for "-" or an empty path) as a ByteSource.
#pragma once

#include <cstdint>
#include <string>

#include "core/byte_source.h"

namespace diamond::app {

class InputFile final : public ByteSource {
 public:
  static Result<InputFile> Open(const std::string& path);
  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&&) = delete;
  InputFile(const InputFile&) = delete;
  ~InputFile() override;

  Result<size_t> Read(char* buf, size_t n) override;

  // The name to use in messages ("standard input" for stdin).
  const std::string& display_name() const { return display_name_; }
  // Size in bytes for a regular file, or -1 when unknown (a pipe).
  int64_t size() const { return size_; }

 private:
  InputFile(int fd, std::string display_name, int64_t size, bool owned)
      : fd_(fd), display_name_(std::move(display_name)), size_(size), owned_(owned) {}

  int fd_;
  std::string display_name_;
  int64_t size_;
  bool owned_;
};

}  // namespace diamond::app
