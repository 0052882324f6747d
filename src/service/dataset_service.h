// Datasets: named, versioned collections of stones. Every change makes a new immutable
// version (DatasetVersionWriter: replacing writes one segment with every row; appending
// writes the new rows as one more segment after the base version's, or past kMaxSegments
// the whole version as one again) and then points the dataset at it in one metadata
// transaction, so readers see the old version or the new one, never a mix, and a crash
// in between leaves at most an unreferenced blob. Safe for concurrent use: writers of one
// dataset take turns in a process and retry when another process wins, so concurrent
// appends all succeed.
#pragma once

#include <array>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "core/diamond.h"
#include "service/dataset_version_writer.h"
#include "store/blob_range_reader.h"
#include "store/blob_store.h"
#include "store/dataset_store.h"

namespace diamond::service {

class DatasetService {
 public:
  // Called with the owner after their stored bytes changed (for metering).
  using StorageObserver = std::function<void(const std::string& owner)>;

  // Segments a version may have before an append rewrites it as one.
  static constexpr size_t kMaxSegments = DatasetVersionWriter::kMaxSegments;

  DatasetService(store::DatasetStore& dataset_store, store::BlobStore& blobs,
                 StorageObserver storage_changed = {})
      : dataset_store_(dataset_store),
        blobs_(blobs),
        storage_changed_(std::move(storage_changed)) {}

  // Bytes of every version the owner keeps (what max_stored_bytes limits).
  Result<int64_t> StoredBytes(const std::string& owner) {
    return dataset_store_.StoredBytes(owner);
  }

  // Every method acts on the owner's datasets only. A change beyond one of the owner's plan
  // limits is LimitExceeded and writes nothing.
  using Limits = DatasetLimits;

  // Creates or replaces the dataset's rows (none: the seed's empty PUT); *created tells
  // which. Replacing writes a new version: earlier ones stay readable.
  Result<DatasetRecord> Replace(const std::string& owner, const std::string& id,
                                std::span<const Diamond> stones, const Limits& limits,
                                bool* created);
  // Adds rows to an existing dataset (NotFound if it does not exist).
  Result<DatasetRecord> Append(const std::string& owner, const std::string& id,
                               std::span<const Diamond> stones, const Limits& limits);

  Result<DatasetRecord> Get(const std::string& owner, const std::string& id);
  Result<std::pair<std::vector<DatasetRecord>, int64_t>> List(const std::string& owner, Page page);
  // The whole dataset; versions models were trained on stay until those models go.
  Status Delete(const std::string& owner, const std::string& id);
  // One version that is neither current nor used by a model (FailedPrecondition).
  Status DeleteVersion(const std::string& owner, const std::string& id, int64_t version);
  Result<std::vector<DatasetVersion>> Versions(const std::string& owner, const std::string& id);

  // The canonical CSV of the dataset's current version, read a piece at a time (a
  // download of any size).
  Result<std::unique_ptr<RangeReader>> ReadCurrent(const std::string& owner, const std::string& id);
  // The stones of one version (by its segments' blob keys), for training.
  Result<std::vector<Diamond>> LoadVersion(const std::vector<std::string>& segment_keys);

 private:
  // Builds a version with `add_rows` (a writer begun on the dataset as read) and commits
  // it on the dataset store.
  Result<DatasetRecord> WriteVersion(const std::string& owner, const std::string& id,
                                     DatasetVersionWriter::Mode mode, const Limits& limits,
                                     const std::function<Status(DatasetVersionWriter&)>& add_rows,
                                     bool* created);
  // Runs `attempt` (read the current version, write the next) until it is not beaten to
  // the commit by another writer; see dataset_service.cc.
  Result<DatasetRecord> UntilNotRaced(const std::string& owner, const std::string& id,
                                      const std::function<Result<DatasetRecord>()>& attempt);

  store::DatasetStore& dataset_store_;
  store::BlobStore& blobs_;
  StorageObserver storage_changed_;
  // Writers of one dataset in this process take turns (a stripe per hash of owner and id):
  // they would otherwise each build a version on the same base and all but one lose.
  std::array<Mutex, 64> writers_;
};

}  // namespace diamond::service
