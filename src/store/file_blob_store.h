// A BlobStore in a local directory: each key is a file under the root. Put writes a
// temporary file, fsyncs it, renames it over the key and fsyncs the directory; every
// directory it had to create is fsynced in its parent too, so after a power loss the
// key's whole path exists. A crash at any point leaves the old state or the new one,
// never a torn file.
//
// Parts of a blob not yet assembled (StartParts …) are files <root>/.tmp-parts/<parts
// id>/<number>: no blob key may hold ".tmp-", so they are never listed and cannot collide
// with a blob. A part is written like a blob (a re-send is renamed over it); its tag is
// the file's inode and write time, so a stale tag is caught. CompleteParts copies the
// files, in order, into the blob with copy_file_range (in the kernel) through the same
// durable write path as Put.
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
  Result<std::string> GetRange(const std::string& key, int64_t offset,
                               int64_t length) const override;
  Result<BlobInfo> Stat(const std::string& key) const override;
  Result<std::vector<BlobInfo>> ListPage(const std::string& prefix, const std::string& start_after,
                                         size_t limit) const override;
  Result<std::string> StartParts(const std::string& key) override;
  Result<std::string> PutPart(const std::string& key, const std::string& parts_id, int64_t number,
                              std::string_view bytes) override;
  Result<std::string> CopyPart(const std::string& key, const std::string& parts_id, int64_t number,
                               const std::string& source, int64_t offset, int64_t length) override;
  Status CompleteParts(const std::string& key, const std::string& parts_id,
                       const std::vector<std::pair<int64_t, std::string>>& parts) override;
  Status AbortParts(const std::string& key, const std::string& parts_id) override;

 private:
  using Writer = std::function<Status(int fd, const std::filesystem::path&)>;
  // The durable write path: a temporary file beside `target` filled by `write`, synced,
  // renamed onto it, the directory synced.
  Status WriteDurably(const std::filesystem::path& target, const Writer& write);
  // The directory of an open set of parts; NotFound if the handle is malformed or gone.
  Result<std::filesystem::path> PartsDirectory(const std::string& key,
                                               const std::string& parts_id) const;
  // Writes part `number` with `write` under a fresh tag; returns the tag.
  Result<std::string> WritePart(const std::string& key, const std::string& parts_id, int64_t number,
                                const Writer& write);
  // Writes a temporary file with `write` (given its descriptor), syncs it, renames it
  // onto the key and syncs the directory: the one durable, atomic write path.
  Status PutWith(const std::string& key, const Writer& write);
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
