// DatasetVersionWriter: the one way a dataset gets a new version — replacing its rows,
// appending to them (DatasetService) or completing a multipart upload (UploadService).
// It builds on the dataset as the caller read it: nothing (replace) or the current
// version (append: the new rows become one more segment after the base's, and the hash
// goes on from the base's saved state; past kMaxSegments the base is copied into one new
// segment with them). Rows are staged in a scratch file (any size in bounded memory) with
// the version's statistics; plan limits refuse as soon as they are passed. Finish writes
// the segment and commits the version with the caller's compare-and-set on the base
// version (the dataset store's, or the upload store's which also closes the upload); a
// refused commit deletes the segment, so nothing is left half-written. One writer makes
// one attempt: a caller beaten to the commit reads the dataset again and starts another.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/dataset_stats.h"
#include "core/diamond.h"
#include "core/records.h"
#include "service/staged_csv.h"
#include "store/blob_store.h"
#include "store/dataset_store.h"

namespace diamond::service {

// What an owner's plan lets one dataset hold.
struct DatasetLimits {
  int64_t max_rows = INT64_MAX;  // in one dataset
  store::DatasetStore::StorageLimits storage;
};

class DatasetVersionWriter {
 public:
  enum class Mode { kReplace, kAppend };
  // Segments a version may have before an append rewrites it as one (bounds what a read
  // opens and what the metadata lists per version).
  static constexpr size_t kMaxSegments = 64;

  // `current`: the dataset as just read, or nullptr if it does not exist (an append then
  // is NotFound). `temp_dir`: where rows are staged ("" = the system's).
  static Result<std::unique_ptr<DatasetVersionWriter>> Begin(store::BlobStore& blobs,
                                                             const std::string& owner,
                                                             const std::string& id,
                                                             const DatasetRecord* current,
                                                             Mode mode, const DatasetLimits& limits,
                                                             const std::string& temp_dir = "");

  // Refuses at once when `more` rows would take the dataset past its row limit (for a
  // caller that knows its count before adding).
  Status ExpectRows(int64_t more) const;
  // One more row: LimitExceeded on the first row past the row limit, or once the dataset's
  // bytes pass what the plan stores (nothing is written either way).
  Status Add(const Diamond& stone);

  using Commit =
      std::function<Result<DatasetRecord>(int64_t expected_current, const DatasetVersion& version)>;
  // Writes the staged rows as a segment and commits the version through `commit`.
  Result<DatasetRecord> Finish(const Commit& commit);

  // The base version's number (0: none), what the commit compares with.
  int64_t expected_current() const { return expected_current_; }

  // A fresh blob key for a segment of version `version` (random: a retried or raced
  // write never overwrites a committed segment).
  static std::string NewSegmentKey(const std::string& owner, const std::string& id,
                                   int64_t version);
  // The hash of `base`'s whole CSV, still running, to go on with appended rows: resumed
  // from the saved state; a version from before states were saved is read once.
  static Result<Sha256> ResumeHash(const store::BlobStore& blobs, const DatasetVersion& base);

 private:
  DatasetVersionWriter(store::BlobStore& blobs, std::string owner, std::string id,
                       DatasetLimits limits, const std::string& temp_dir, Sha256 hash);

  store::BlobStore& blobs_;
  const std::string owner_;
  const std::string id_;
  const DatasetLimits limits_;
  int64_t expected_current_ = 0;
  std::vector<DatasetSegment> kept_;  // the base's segments the new version keeps
  int64_t kept_bytes_ = 0;
  int64_t rows_ = 0;         // in the new version
  int64_t rows_before_ = 0;  // of them, in kept segments
  DatasetStats stats_;
  StagedCsv staged_;
};

}  // namespace diamond::service
