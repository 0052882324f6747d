// Datasets: named, versioned collections of stones. Every change writes a new immutable
// version (the canonical CSV of all rows, in the blob store) and then points the dataset
// at it in one metadata transaction, so readers see the old version or the new one, never
// a mix, and a crash in between leaves at most an unreferenced blob.
// Safe for concurrent use.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/diamond.h"
#include "store/blob_store.h"
#include "store/metadata_store.h"

namespace diamond::service {

class DatasetService {
 public:
  DatasetService(store::MetadataStore& metadata, store::BlobStore& blobs)
      : metadata_(metadata), blobs_(blobs) {}

  // A new, empty dataset (the seed's PUT). FailedPrecondition if it exists.
  Result<store::DatasetRecord> CreateEmpty(const std::string& id);
  // Creates or replaces the dataset's rows; *created tells which.
  Result<store::DatasetRecord> Replace(const std::string& id, std::span<const Diamond> stones,
                                       bool* created);
  // Adds rows to an existing dataset (NotFound if it does not exist).
  Result<store::DatasetRecord> Append(const std::string& id, std::span<const Diamond> stones);

  Result<store::DatasetRecord> Get(const std::string& id);
  Result<std::pair<std::vector<store::DatasetRecord>, int64_t>> List(store::Page page);
  Status Delete(const std::string& id);

  // The canonical CSV of the dataset's current version.
  Result<std::string> CurrentCsv(const std::string& id);
  // The stones of one version (by blob key), for training.
  Result<std::vector<Diamond>> LoadVersion(const std::string& blob_key);

 private:
  Result<store::DatasetRecord> WriteVersion(const std::string& id, int64_t expected_current,
                                            std::string csv, const std::string& stats_json);

  store::MetadataStore& metadata_;
  store::BlobStore& blobs_;
};

}  // namespace diamond::service
