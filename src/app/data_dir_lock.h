// One data dir, one server: `diamond serve` holds an advisory lock on <data-dir>/LOCK for
// its lifetime. A second server on the same directory would requeue the first one's jobs
// and delete blobs it is about to commit; it refuses to start instead. The kernel drops
// the lock when the process ends, however it ends (kill -9 included), so a crash never
// leaves a stale lock. `diamond admin` does not take it: it works beside a running server.
#pragma once

#include <filesystem>
#include <memory>

#include "core/status.h"

namespace diamond::app {

class DataDirLock {
 public:
  // FailedPrecondition (naming the holder's pid) if another process holds the lock.
  static Result<std::unique_ptr<DataDirLock>> Acquire(const std::filesystem::path& data_dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace diamond::app
