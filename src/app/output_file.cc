#include "app/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace diamond::app {
namespace {

std::string ErrnoText(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

Result<OutputFile> OutputFile::Open(const std::string& path) {
  if (path.empty() || path == "-") return OutputFile(STDOUT_FILENO, "", "");
  std::string pattern = path + ".tmp-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0) return Status::IoError(ErrnoText("cannot create a file beside", path));
  return OutputFile(fd, path, std::string(name.data()));
}

OutputFile::OutputFile(int fd, std::string path, std::string temp_path)
    : fd_(fd), path_(std::move(path)), temp_path_(std::move(temp_path)) {
  buffer_.reserve(kFlushBytes + 4096);
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : fd_(other.fd_),
      path_(std::move(other.path_)),
      temp_path_(std::move(other.temp_path_)),
      buffer_(std::move(other.buffer_)),
      status_(std::move(other.status_)),
      committed_(other.committed_) {
  other.fd_ = -1;
  other.temp_path_.clear();
  other.committed_ = true;
}

OutputFile::~OutputFile() {
  if (!is_stdout() && fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void OutputFile::Flush() {
  WriteAll(buffer_);
  buffer_.clear();
}

void OutputFile::WriteAll(std::string_view bytes) {
  size_t done = 0;
  while (status_.ok() && done < bytes.size()) {
    ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      status_ = Status::IoError(ErrnoText("cannot write", is_stdout() ? "standard output" : path_));
    } else {
      done += static_cast<size_t>(n);
    }
  }
  written_ += static_cast<int64_t>(done);
  if (!is_stdout() && written_ - written_back_ >= kWritebackBytes) StartWriteback();
}

// Asks the kernel to start writing what is in the page cache, without waiting for it (the
// technique of RocksDB's bytes_per_sync): a 50 MB output then spends a few milliseconds in
// Commit()'s fsync instead of tens. Only a hint: its failure changes nothing, as fsync
// still decides whether the file is durable.
void OutputFile::StartWriteback() {
  ::sync_file_range(fd_, written_back_, written_ - written_back_, SYNC_FILE_RANGE_WRITE);
  written_back_ = written_;
}

Status OutputFile::Commit() {
  Flush();
  if (!status_.ok() || is_stdout()) {
    committed_ = status_.ok();
    return status_;
  }
  // fsync before rename: after a crash the target holds the old file or the whole new one.
  if (::fsync(fd_) != 0) return status_ = Status::IoError(ErrnoText("cannot sync", path_));
  if (::close(fd_) != 0) {
    fd_ = -1;
    return status_ = Status::IoError(ErrnoText("cannot close", path_));
  }
  fd_ = -1;
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return status_ = Status::IoError(ErrnoText("cannot rename onto", path_));
  }
  committed_ = true;
  return status_;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(ErrnoText("cannot open", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError(ErrnoText("cannot read", path));
  return text.str();
}

}  // namespace diamond::app
