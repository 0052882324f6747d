// A BlobStore in a local directory: each key is a file under the root. Put writes a
// temporary file, fsyncs it, renames it over the key and fsyncs the directory; every
// directory it had to create is fsynced in its parent too, so after a power loss the
// key's whole path exists. A crash at any point leaves the old state or the new one,
// never a torn file.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

#include "store/blob_store.h"

namespace diamond::store {

class FileBlobStore final : public BlobStore {
 public:
  // Called with each directory the store has just fsynced: lets a test see that every
  // directory a new key's path needed was made durable, not only the last one.
  using DirectorySynced = std::function<void(const std::filesystem::path&)>;

  // Creates the root directory if needed and removes temporary files left by a crash.
  static Result<std::unique_ptr<FileBlobStore>> Open(const std::filesystem::path& root,
                                                     DirectorySynced directory_synced = {});

  Status Put(const std::string& key, std::string_view bytes) override;
  Result<std::string> Get(const std::string& key) const override;
  Status Delete(const std::string& key) override;
  Result<std::vector<BlobInfo>> List(const std::string& prefix) const override;
  Status PutFrom(const std::string& key, std::istream& in) override;
  Status GetTo(const std::string& key, std::ostream& out) const override;
  Result<std::string> GetRange(const std::string& key, int64_t offset, int64_t length) const override;
  Result<BlobInfo> Stat(const std::string& key) const override;
  Result<std::vector<BlobInfo>> ListPage(const std::string& prefix, const std::string& start_after,
                                         size_t limit) const override;

 private:
  // Writes a temporary file with `write` (given its descriptor), syncs it, renames it
  // onto the key and syncs the directory: the one durable, atomic write path.
  Status PutWith(const std::string& key, const std::function<Status(int fd, const std::filesystem::path&)>& write);
  FileBlobStore(std::filesystem::path root, DirectorySynced directory_synced)
      : root_(std::move(root)), directory_synced_(std::move(directory_synced)) {}
  Status SyncDirectory(const std::filesystem::path& dir) const;
  // Creates `dir` and any missing parents below the root, fsyncing each new entry's
  // parent directory.
  Status CreateDurableDirectories(const std::filesystem::path& dir) const;
  std::filesystem::path root_;
  DirectorySynced directory_synced_;
};

}  // namespace diamond::store
