#include "app/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace diamond::app {

Result<InputFile> InputFile::Open(const std::string& path) {
  if (path.empty() || path == "-") return InputFile(STDIN_FILENO, "standard input", -1, false);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + " is a directory, not a file");
  }
  const int64_t size = (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) ? st.st_size : -1;
  return InputFile(fd, path, size, true);
}

InputFile::InputFile(InputFile&& other) noexcept
    : fd_(other.fd_),
      display_name_(std::move(other.display_name_)),
      size_(other.size_),
      owned_(other.owned_) {
  other.owned_ = false;
}

InputFile::~InputFile() {
  if (owned_) ::close(fd_);
}

Result<size_t> InputFile::Read(char* buf, size_t n) {
  while (true) {
    ssize_t got = ::read(fd_, buf, n);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR)
      return Status::IoError("cannot read " + display_name_ + ": " + std::strerror(errno));
  }
}

}  // namespace diamond::app
