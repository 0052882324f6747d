// A BlobStore in a local directory: each key is a file under the root. Put writes a
// temporary file, fsyncs it, renames it over the key and fsyncs the directory; every
// directory it had to create is fsynced in its parent too, so after a power loss the
// key's whole path exists. A crash at any point leaves the old state or the new one,
// never a torn file.
#pragma once

#include <filesystem>
#include <memory>

#include "store/blob_store.h"

namespace diamond::store {

class FileBlobStore final : public BlobStore {
 public:
  // Creates the root directory if needed and removes temporary files left by a crash.
  static Result<std::unique_ptr<FileBlobStore>> Open(const std::filesystem::path& root);

  Status Put(const std::string& key, std::string_view bytes) override;
  Result<std::string> Get(const std::string& key) const override;
  Status Delete(const std::string& key) override;
  Result<std::vector<BlobInfo>> List(const std::string& prefix) const override;

 private:
  explicit FileBlobStore(std::filesystem::path root) : root_(std::move(root)) {}
  // Creates `dir` and any missing parents below the root, fsyncing each new entry's
  // parent directory.
  Status CreateDurableDirectories(const std::filesystem::path& dir) const;
  std::filesystem::path root_;
};

}  // namespace diamond::store
