// BlobStore: immutable named byte strings (dataset versions, model files, query batches
// and results). Implementations: a directory on local disk (file_blob_store.h); an
// S3-compatible store is the scale-out implementation of the same interface.
//
// Contract: Put is atomic — after a crash a key holds either nothing or all its bytes,
// and once Put returns OK the bytes are durable. Keys are '/'-separated paths made of
// [A-Za-z0-9._-] segments, built by the services from validated ids only.
// Implementations are safe for concurrent use from many threads.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace diamond::store {

struct BlobInfo {
  std::string key;
  int64_t size = 0;
  int64_t modified_unix = 0;  // seconds since the epoch, UTC
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  virtual Status Put(const std::string& key, std::string_view bytes) = 0;
  // NotFound if the key does not exist; IoError if it exists but cannot be read.
  virtual Result<std::string> Get(const std::string& key) const = 0;
  // Deleting a missing key is OK (deletes are retried after crashes).
  virtual Status Delete(const std::string& key) = 0;
  // Every blob whose key starts with `prefix`, sorted by key.
  virtual Result<std::vector<BlobInfo>> List(const std::string& prefix) const = 0;

  // The same for blobs too large to hold whole, in bounded memory (a part at a time):
  // PutFrom reads `in` to its end (atomic like Put: nothing is visible under `key` unless
  // all of it is; a stream that fails leaves nothing); GetTo writes the blob to `out`
  // (NotFound if missing; on IoError `out` may hold a prefix of it).
  virtual Status PutFrom(const std::string& key, std::istream& in) = 0;
  virtual Status GetTo(const std::string& key, std::ostream& out) const = 0;
  // Bytes [offset, offset + length) of a blob — fewer at its end, none past it — for a
  // reader that must not hold a whole blob (a download sends one piece at a time).
  // NotFound if the blob is missing.
  virtual Result<std::string> GetRange(const std::string& key, int64_t offset,
                                       int64_t length) const = 0;
  // Size and last modification, without reading the blob; NotFound if missing.
  virtual Result<BlobInfo> Stat(const std::string& key) const = 0;
  // One page of List: blobs under `prefix` whose key sorts after `start_after` ("" for
  // the first page), at most `limit`, sorted. The next page starts after the last key.
  virtual Result<std::vector<BlobInfo>> ListPage(const std::string& prefix,
                                                 const std::string& start_after,
                                                 size_t limit) const = 0;

  // --- a blob built from numbered parts (S3's multipart upload model) -----------------
  // Parts are sent in any order, each replaceable, and are not blobs: nothing is visible
  // under `key` (nor listed) until CompleteParts assembles them, in the order given,
  // atomically and durably; then the parts are gone. Parts live until completed or
  // aborted, across restarts. On S3 these are S3's own multipart calls (every part but the
  // last at least 5 MiB there); on the file store, part files outside the blobs' names.
  //
  // Opens the parts of a future `key`; returns their handle (S3's UploadId).
  virtual Result<std::string> StartParts(const std::string& key) = 0;
  // Stores part `number` (1..10000), replacing one sent before; returns its tag (S3's
  // ETag), which CompleteParts must be given. NotFound if the handle is not open.
  virtual Result<std::string> PutPart(const std::string& key, const std::string& parts_id,
                                      int64_t number, std::string_view bytes) = 0;
  // The same with bytes [offset, offset + length) of the blob `source`, copied inside the
  // store (S3's UploadPartCopy: nothing passes through this process).
  virtual Result<std::string> CopyPart(const std::string& key, const std::string& parts_id,
                                       int64_t number, const std::string& source, int64_t offset,
                                       int64_t length) = 0;
  // Assembles the parts listed, (number, tag) in ascending numbers, into `key`. A tag
  // that is not the part's latest (a part re-sent meanwhile) or a missing part fails it
  // (FailedPrecondition) and leaves the parts as they were.
  virtual Status CompleteParts(const std::string& key, const std::string& parts_id,
                               const std::vector<std::pair<int64_t, std::string>>& parts) = 0;
  // Discards the parts (a handle already gone is OK: aborts are retried).
  virtual Status AbortParts(const std::string& key, const std::string& parts_id) = 0;
};

// Deletes blobs that no metadata row points at any more. Best effort: a key that cannot
// be deleted is logged and left for blob GC (blob_gc.h), since the caller's change has
// already committed and must not be reported as failed.
void DeleteUnreferencedBlobs(BlobStore& blobs, const std::vector<std::string>& keys);

// True if `key` is a well-formed blob key (see the contract above).
bool IsValidBlobKey(std::string_view key);

}  // namespace diamond::store
