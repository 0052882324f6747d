#include "store/file_blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <sstream>

#include "core/ids.h"

namespace diamond::store {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTempMarker = ".tmp-";
constexpr std::string_view kPartsDirectory = ".tmp-parts";  // holds the marker: never a blob key
constexpr int64_t kMaxPartNumber = 10000;
// Parts untouched for longer belong to no upload (an upload expires within 30 days:
// --upload-expiry): a process died between StartParts and recording the handle. S3's
// lifecycle rule does the same for multipart uploads.
constexpr auto kAbandonedParts = std::chrono::hours(31 * 24);

Status ErrnoStatus(const std::string& what, const fs::path& path) {
  return Status::IoError(what + " " + path.string() + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view bytes, const fs::path& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write", path);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Copies `length` bytes from `in` at `offset` to the end of `out`, in the kernel where
// the file system can (copy_file_range), by read/write where it cannot. Fewer bytes in
// `in` than asked is an error: a part is copied whole or not at all.
Status CopyRange(int in, int64_t offset, int64_t length, int out, const fs::path& from) {
  auto in_offset = static_cast<off_t>(offset);
  bool kernel = true;
  std::string buffer;
  while (length > 0) {
    const auto want = static_cast<size_t>(std::min<int64_t>(length, int64_t{1} << 30));
    ssize_t n = -1;
    if (kernel) {
      n = ::copy_file_range(in, &in_offset, out, nullptr, want, 0);
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)) {
        kernel = false;
        continue;
      }
    } else {
      buffer.resize(std::min<size_t>(want, size_t{1} << 20));
      n = ::pread(in, buffer.data(), buffer.size(), in_offset);
      if (n > 0) {
        if (Status s = WriteAll(out, std::string_view(buffer.data(), static_cast<size_t>(n)), from);
            !s.ok())
          return s;
        in_offset += n;
      }
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot copy from", from);
    }
    if (n == 0)
      return Status::InvalidArgument("the range copied is past the end of " +
                                     from.filename().string());
    length -= n;
  }
  return Status::Ok();
}

// Opens `path` for reading: NotFound if it is not there.
Result<int> OpenForReading(const fs::path& path, const std::string& what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) return fd;
  if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound("no " + what);
  return ErrnoStatus("cannot open", path);
}

// A part file's identity: its inode and the time of its last write (a re-sent part is a
// new file, so a new tag).
std::string PartTag(const struct stat& info) {
  return std::to_string(info.st_ino) + "t" + std::to_string(info.st_mtim.tv_sec) + "n" +
         std::to_string(info.st_mtim.tv_nsec);
}

bool IsPartsId(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
  });
}

}  // namespace

bool IsValidBlobKey(std::string_view key) {
  if (key.empty() || key.size() > 512) return false;
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view segment = key.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (char c : segment) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    if (segment.find(kTempMarker) != std::string_view::npos) return false;
    start = end + 1;
  }
  return true;
}

Status FileBlobStore::SyncDirectory(const fs::path& dir) const {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoStatus("cannot sync directory", dir);
  if (directory_synced_) directory_synced_(dir);
  return Status::Ok();
}

Result<std::unique_ptr<FileBlobStore>> FileBlobStore::Open(const fs::path& root,
                                                           DirectorySynced directory_synced) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Status::IoError("cannot create " + root.string() + ": " + ec.message());
  // A crash during Put can leave a temporary file; it was never visible under its key.
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file() &&
        it->path().filename().string().find(kTempMarker) != std::string::npos) {
      fs::remove(it->path(), ec);
    }
  }
  const auto abandoned = fs::file_time_type::clock::now() - kAbandonedParts;
  for (auto it = fs::directory_iterator(root / kPartsDirectory, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code age_ec;
    if (it->is_directory() && it->last_write_time(age_ec) < abandoned && !age_ec)
      fs::remove_all(it->path(), age_ec);
  }
  return std::unique_ptr<FileBlobStore>(new FileBlobStore(root, std::move(directory_synced)));
}

Status FileBlobStore::CreateDurableDirectories(const fs::path& dir) const {
  // Walk up to the first directory that exists, then create downwards; each new
  // directory's entry lives in its parent, which must be synced for it to survive.
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = dir; !fs::exists(p, ec); p = p.parent_path()) {
    if (ec) return Status::IoError("cannot inspect " + p.string() + ": " + ec.message());
    missing.push_back(p);
    if (p == root_ || !p.has_parent_path() || p.parent_path() == p) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST)
      return ErrnoStatus("cannot create", *it);
    if (Status s = SyncDirectory(it->parent_path()); !s.ok()) return s;
  }
  return Status::Ok();
}

Status FileBlobStore::Put(const std::string& key, std::string_view bytes) {
  return PutWith(key, [bytes](int fd, const fs::path& temp) { return WriteAll(fd, bytes, temp); });
}

Status FileBlobStore::PutFrom(const std::string& key, std::istream& in) {
  return PutWith(key, [&in](int fd, const fs::path& temp) {
    std::string buffer(size_t{1} << 20, '\0');
    while (in) {
      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      const auto n = static_cast<size_t>(in.gcount());
      if (Status s = WriteAll(fd, std::string_view(buffer.data(), n), temp); !s.ok()) return s;
    }
    if (in.bad()) return Status::IoError("the stream written to " + temp.string() + " failed");
    return Status::Ok();
  });
}

Status FileBlobStore::PutWith(const std::string& key, const Writer& write) {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  return WriteDurably(root_ / key, write);
}

Status FileBlobStore::WriteDurably(const fs::path& target, const Writer& write) {
  if (Status s = CreateDurableDirectories(target.parent_path()); !s.ok()) return s;
  static std::atomic<uint64_t> counter{0};
  const fs::path temp = target.string() + std::string(kTempMarker) + std::to_string(::getpid()) +
                        "-" + std::to_string(counter++);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                  0600);  // tenants' data: the service user only
  if (fd < 0) return ErrnoStatus("cannot create", temp);
  Status s = write(fd, temp);
  if (s.ok() && ::fsync(fd) != 0) s = ErrnoStatus("cannot sync", temp);
  if (::close(fd) != 0 && s.ok()) s = ErrnoStatus("cannot close", temp);
  if (s.ok() && std::rename(temp.c_str(), target.c_str()) != 0)
    s = ErrnoStatus("cannot rename onto", target);
  if (!s.ok()) {
    std::error_code ec;
    fs::remove(temp, ec);
    return s;
  }
  return SyncDirectory(target.parent_path());
}

Result<std::string> FileBlobStore::Get(const std::string& key) const {
  std::ostringstream out;
  if (Status s = GetTo(key, out); !s.ok()) return s;
  return std::move(out).str();
}

Result<std::string> FileBlobStore::GetRange(const std::string& key, int64_t offset,
                                            int64_t length) const {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  if (offset < 0 || length < 0) return Status::InvalidArgument("a negative range of blob " + key);
  const fs::path path = root_ / key;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound("no blob " + key);
    return ErrnoStatus("cannot open blob", path);
  }
  std::string out(static_cast<size_t>(length), '\0');
  size_t done = 0;
  Status status = Status::Ok();
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done,
                              static_cast<off_t>(offset) + static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      status = ErrnoStatus("cannot read blob", path);
      break;
    }
    if (n == 0) break;  // the blob ends first
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  if (!status.ok()) return status;
  out.resize(done);
  return out;
}

Status FileBlobStore::GetTo(const std::string& key, std::ostream& out) const {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  const fs::path path = root_ / key;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    // Only a missing file is "not found"; permissions, I/O errors and the like are
    // failures of the store, which must not look like a missing resource (a 404).
    if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound("no blob " + key);
    return ErrnoStatus("cannot open blob", path);
  }
  std::string buffer(size_t{1} << 20, '\0');
  Status status = Status::Ok();
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      status = ErrnoStatus("cannot read blob", path);
      break;
    }
    if (n == 0) break;
    if (!out.write(buffer.data(), n)) {
      status = Status::IoError("the stream reading blob " + key + " failed");
      break;
    }
  }
  ::close(fd);
  return status;
}

Result<BlobInfo> FileBlobStore::Stat(const std::string& key) const {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  const fs::path path = root_ / key;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound("no blob " + key);
    return ErrnoStatus("cannot stat blob", path);
  }
  return BlobInfo{key, static_cast<int64_t>(info.st_size), static_cast<int64_t>(info.st_mtime)};
}

Result<std::vector<BlobInfo>> FileBlobStore::ListPage(const std::string& prefix,
                                                      const std::string& start_after,
                                                      size_t limit) const {
  // A directory walk has no cursor: list, then cut the page (the file store serves one
  // machine's data; S3 pages on the server).
  auto all = List(prefix);
  if (!all.ok()) return all.status();
  auto first = std::upper_bound(
      all->begin(), all->end(), start_after,
      [](const std::string& after, const BlobInfo& blob) { return after < blob.key; });
  std::vector<BlobInfo> page;
  for (auto it = first; it != all->end() && page.size() < limit; ++it) page.push_back(*it);
  return page;
}

Status FileBlobStore::Delete(const std::string& key) {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  std::error_code ec;
  fs::remove(root_ / key, ec);
  if (ec) return Status::IoError("cannot delete blob " + key + ": " + ec.message());
  return Status::Ok();
}

Result<std::vector<BlobInfo>> FileBlobStore::List(const std::string& prefix) const {
  std::vector<BlobInfo> blobs;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string key = fs::relative(it->path(), root_).generic_string();
    if (!key.starts_with(prefix) || !IsValidBlobKey(key)) continue;
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0) continue;  // deleted while listing
    blobs.push_back(
        {std::move(key), static_cast<int64_t>(st.st_size), static_cast<int64_t>(st.st_mtime)});
  }
  if (ec) return Status::IoError("cannot list blobs: " + ec.message());
  std::sort(blobs.begin(), blobs.end(),
            [](const BlobInfo& a, const BlobInfo& b) { return a.key < b.key; });
  return blobs;
}

}  // namespace diamond::store

namespace diamond::store {

Result<std::string> FileBlobStore::StartParts(const std::string& key) {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  std::string id = NewId();
  if (Status s = CreateDurableDirectories(root_ / kPartsDirectory / id); !s.ok()) return s;
  return id;
}

Result<fs::path> FileBlobStore::PartsDirectory(const std::string& key,
                                               const std::string& parts_id) const {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  const fs::path dir = root_ / kPartsDirectory / parts_id;
  std::error_code ec;
  if (!IsPartsId(parts_id) || !fs::is_directory(dir, ec)) {
    return Status::NotFound("no open parts '" + parts_id + "' (completed or aborted)");
  }
  return dir;
}

Result<std::string> FileBlobStore::WritePart(const std::string& key, const std::string& parts_id,
                                             int64_t number, const Writer& write) {
  if (number < 1 || number > kMaxPartNumber)
    return Status::InvalidArgument("a part number is 1 to 10000");
  auto dir = PartsDirectory(key, parts_id);
  if (!dir.ok()) return dir.status();
  // Renamed over any earlier send of the part (the last one wins, as on S3); the tag is
  // the new file's identity, read from it before the rename.
  std::string tag;
  Status s = WriteDurably(*dir / std::to_string(number), [&](int fd, const fs::path& temp) {
    if (Status w = write(fd, temp); !w.ok()) return w;
    struct stat info {};
    if (::fstat(fd, &info) != 0) return ErrnoStatus("cannot stat", temp);
    tag = PartTag(info);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return tag;
}

Result<std::string> FileBlobStore::PutPart(const std::string& key, const std::string& parts_id,
                                           int64_t number, std::string_view bytes) {
  return WritePart(key, parts_id, number,
                   [bytes](int fd, const fs::path& temp) { return WriteAll(fd, bytes, temp); });
}

Result<std::string> FileBlobStore::CopyPart(const std::string& key, const std::string& parts_id,
                                            int64_t number, const std::string& source,
                                            int64_t offset, int64_t length) {
  if (!IsValidBlobKey(source)) return Status::InvalidArgument("invalid blob key '" + source + "'");
  if (offset < 0 || length <= 0)
    return Status::InvalidArgument("a part is copied from a non-empty range");
  auto in = OpenForReading(root_ / source, "blob " + source);
  if (!in.ok()) return in.status();
  auto tag = WritePart(key, parts_id, number, [&](int fd, const fs::path&) {
    return CopyRange(*in, offset, length, fd, root_ / source);
  });
  ::close(*in);
  return tag;
}

Status FileBlobStore::CompleteParts(const std::string& key, const std::string& parts_id,
                                    const std::vector<std::pair<int64_t, std::string>>& parts) {
  if (parts.empty()) return Status::InvalidArgument("a blob is assembled from one part at least");
  auto dir = PartsDirectory(key, parts_id);
  if (!dir.ok()) return dir.status();
  std::vector<fs::path> files;
  int64_t previous = 0;
  for (const auto& [number, tag] : parts) {
    if (number <= previous) return Status::InvalidArgument("parts are listed in ascending numbers");
    previous = number;
    files.push_back(*dir / std::to_string(number));
  }
  // Each part is opened, then checked to be the send its tag names: a part re-sent
  // meanwhile is another file, and is not copied.
  Status written = PutWith(key, [&](int fd, const fs::path&) {
    for (size_t i = 0; i < files.size(); ++i) {
      const std::string name = "part " + std::to_string(parts[i].first);
      auto in = OpenForReading(files[i], name);
      if (!in.ok()) {
        if (in.status().code() == StatusCode::kNotFound)
          return Status::FailedPrecondition(name + " was never stored");
        return in.status();
      }
      struct stat info {};
      Status s = ::fstat(*in, &info) != 0 ? ErrnoStatus("cannot stat", files[i])
                 : PartTag(info) != parts[i].second
                     ? Status::FailedPrecondition(name + " is not the send tagged '" +
                                                  parts[i].second + "' (re-sent since)")
                     : CopyRange(*in, 0, info.st_size, fd, files[i]);
      ::close(*in);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  });
  if (!written.ok()) return written;
  // The blob is durable; the parts are spent. Left behind by a crash here they are only
  // disk space (AbortParts of the handle removes them).
  return AbortParts(key, parts_id);
}

Status FileBlobStore::AbortParts(const std::string& key, const std::string& parts_id) {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  if (!IsPartsId(parts_id)) return Status::Ok();
  std::error_code ec;
  fs::remove_all(root_ / kPartsDirectory / parts_id, ec);
  if (ec) return Status::IoError("cannot remove parts '" + parts_id + "': " + ec.message());
  return Status::Ok();
}

}  // namespace diamond::store
