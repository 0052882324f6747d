// BlobStore: immutable named byte strings (dataset versions, model files, query batches
// and results). Implementations: a directory on local disk (file_blob_store.h); an
// S3-compatible store is the scale-out implementation of the same interface.
//
// Contract: Put is atomic — after a crash a key holds either nothing or all its bytes,
// and once Put returns OK the bytes are durable. Keys are '/'-separated paths made of
// [A-Za-z0-9._-] segments, built by the services from validated ids only.
// Implementations are safe for concurrent use from many threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace diamond::store {

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  virtual Status Put(const std::string& key, std::string_view bytes) = 0;
  // NotFound if the key does not exist.
  virtual Result<std::string> Get(const std::string& key) const = 0;
  // Deleting a missing key is OK (deletes are retried after crashes).
  virtual Status Delete(const std::string& key) = 0;
  // Every key that starts with `prefix`, sorted.
  virtual Result<std::vector<std::string>> List(const std::string& prefix) const = 0;
};

// True if `key` is a well-formed blob key (see the contract above).
bool IsValidBlobKey(std::string_view key);

}  // namespace diamond::store
