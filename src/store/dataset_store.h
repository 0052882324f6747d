// DatasetStore: datasets and their immutable versions (rows live in blob segments the
// versions point to), and the bytes an owner stores.
//
// A port of the metadata store (metadata_store.h): every method is atomic (one
// transaction) and safe to call from many threads. Expected failures are values: NotFound
// for unknown ids, FailedPrecondition for a conflicting state (the message says which),
// IoError when the database fails.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/records.h"
#include "core/status.h"

namespace diamond::store {

class DatasetStore {
 public:
  virtual ~DatasetStore() = default;

  // Tenancy: rows belong to an owner (a user id). Every method that names one takes the
  // owner, and another owner's rows are NotFound — the store never reveals that they exist.

  virtual Result<std::pair<std::vector<DatasetRecord>, int64_t>> ListDatasets(
      const std::string& owner, Page page) = 0;
  virtual Result<DatasetRecord> GetDataset(const std::string& owner, const std::string& id) = 0;
  // The owner's plan limits on storage, checked in the commit's transaction so that
  // concurrent uploads cannot both slip under them.
  struct StorageLimits {
    int64_t max_stored_bytes = INT64_MAX;  // every kept version's bytes, summed
    int64_t max_datasets = INT64_MAX;      // datasets owned
  };
  // Makes `version` the dataset's current version. `expected_current` is the version the
  // caller built on (0 = the dataset must not exist yet); a mismatch is FailedPrecondition,
  // so concurrent writers never lose each other's rows. LimitExceeded (max_stored_bytes,
  // max_datasets) writes nothing. Returns the dataset as committed (read in the same
  // transaction: a caller never has to read again, and fail, after its write succeeded).
  virtual Result<DatasetRecord> CommitDatasetVersion(const std::string& owner,
                                                     const std::string& id,
                                                     int64_t expected_current,
                                                     const DatasetVersion& version,
                                                     const StorageLimits& limits) = 0;
  // Every kept version of the dataset, oldest first.
  virtual Result<std::vector<DatasetVersion>> ListDatasetVersions(const std::string& owner,
                                                                  const std::string& id) = 0;
  // One kept version with its segments: of a live dataset, or one kept only for a model
  // version's lineage after its dataset was deleted. NotFound otherwise.
  virtual Result<DatasetVersion> GetDatasetVersion(const std::string& owner, const std::string& id,
                                                   int64_t version) = 0;
  // Removes the dataset and every version no kept model version was trained on; the
  // versions models were trained on stay (unlisted, still counted as stored) until those
  // model versions are deleted or pruned. Returns the blob keys of the segments no kept version
  // uses any more, for the caller to delete.
  virtual Result<std::vector<std::string>> DeleteDataset(const std::string& owner,
                                                         const std::string& id) = 0;
  // Removes one version; returns the blob keys of its segments no other version uses.
  // FailedPrecondition for the current version or one a kept model version was trained on
  // (naming it).
  virtual Result<std::vector<std::string>> DeleteDatasetVersion(const std::string& owner,
                                                                const std::string& id,
                                                                int64_t version) = 0;
  // Bytes of the owner's stored dataset segments (a segment shared by versions counts once).
  virtual Result<int64_t> StoredBytes(const std::string& owner) = 0;
};

}  // namespace diamond::store
