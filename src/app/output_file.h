// OutputFile: where a command writes its result, all or nothing.
//
// A named file is written to a temporary file beside it and renamed over the target only
// on Commit(), after fsync; if the command fails (or the object is destroyed first) the
// temporary file is removed, so no partial output is ever left at the target path.
// "-" or an empty path means standard output (written as it goes). Not thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace diamond::app {

class OutputFile {
 public:
  static Result<OutputFile> Open(const std::string& path);
  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&&) = delete;
  OutputFile(const OutputFile&) = delete;
  ~OutputFile();

  // Buffered (a large piece goes straight out, not through the buffer); errors surface at
  // the next flush or at Commit().
  void Write(std::string_view bytes) {
    if (bytes.size() >= kFlushBytes) {
      Flush();
      WriteAll(bytes);
      return;
    }
    buffer_.append(bytes);
    if (buffer_.size() >= kFlushBytes) Flush();
  }
  Status Commit();
  bool is_stdout() const { return path_.empty(); }

 private:
  static constexpr size_t kFlushBytes = 1 << 20;
  // A file's written bytes are handed to the disk every this many, while the command goes
  // on, so that Commit()'s fsync finds little left to write.
  static constexpr int64_t kWritebackBytes = 8 << 20;
  OutputFile(int fd, std::string path, std::string temp_path);
  void Flush();
  void WriteAll(std::string_view bytes);
  void StartWriteback();

  int fd_ = -1;
  std::string path_;       // empty for stdout
  std::string temp_path_;  // empty for stdout
  std::string buffer_;
  int64_t written_ = 0;       // bytes written to the file so far
  int64_t written_back_ = 0;  // of which writeback was started
  Status status_;
  bool committed_ = false;
};

// Reads a whole (small) file, such as a model file.
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace diamond::app
