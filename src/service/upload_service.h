// Multipart uploads into datasets: the S3 multipart model over the public API. A client
// opens an upload for a dataset, sends numbered parts (any order, in parallel, re-sending a
// part replaces it), can ask which parts arrived (to resume), and completes it: the parts,
// in order, are one CSV (or JSON) stream, validated all-or-nothing and committed as one new
// dataset version. The parts are the blob store's (BlobStore::StartParts: an S3 multipart
// upload, or part files): a completion closes them, assembles them into one blob and
// streams it through the validator; a failed one opens them again. Memory stays at about
// one part whatever the upload's size (rows stream through the validator into a temporary
// file that is then streamed into the blob store). Safe for concurrent use.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "core/diamond_csv.h"
#include "service/dataset_service.h"
#include "service/job_payloads.h"
#include "store/blob_store.h"
#include "store/dataset_store.h"
#include "store/upload_store.h"

namespace diamond::service {

class UploadService {
 public:
  struct Options {
    int64_t min_part_bytes = 5 << 20;   // every part but the last (as S3 asks)
    int64_t max_part_bytes = 64 << 20;  // one request body
    int64_t max_parts = 10000;
    std::chrono::seconds expiry{24 * 3600};  // an upload not completed by then is deleted
    std::string temp_dir;                    // where completions stage rows; "" = the system's
    // Uploads whose parts hold more complete in a job (202) instead of in the request.
    int64_t background_bytes = 64 << 20;
  };

  UploadService(store::DatasetStore& dataset_store, store::UploadStore& upload_store,
                store::BlobStore& blobs, DatasetService::StorageObserver storage_changed,
                Options options, const Clock& clock = SystemClock());

  const Options& options() const { return options_; }

  // format "csv" or "json", mode "replace" or "append" (the dataset must exist).
  Result<UploadRecord> Create(const std::string& owner, const std::string& dataset_id,
                              UploadFormat format, UploadMode mode);
  // Stores part `part`. `expected_sha256` (hex), when given, must match the bytes
  // (InvalidArgument "checksum" otherwise; nothing is stored).
  Result<UploadPart> PutPart(const std::string& owner, const std::string& id, int64_t part,
                             std::string_view bytes,
                             const std::optional<std::string>& expected_sha256,
                             int64_t max_upload_bytes);
  Result<std::pair<UploadRecord, std::vector<UploadPart>>> Get(const std::string& owner,
                                                               const std::string& id);
  // Validates and commits the upload's rows as a new version of its dataset. Invalid rows:
  // InvalidArgument, with *invalid listing the first errors and the count (nothing is
  // written); a malformed stream: InvalidArgument with *invalid empty.
  // `job_id`: the completion job running this ("" in a request; the upload must be open).
  Result<DatasetRecord> Complete(const std::string& owner, const std::string& id,
                                 const DatasetService::Limits& limits, InvalidRows* invalid,
                                 const std::string& job_id = "");
  // An upload whose parts hold more than background_bytes: queues the job that completes
  // it (or returns the one already doing so) and marks the upload "completing". nullopt
  // for a smaller one: complete it in the request. The parts are checked first either way
  // (gaps, small middle parts: FailedPrecondition).
  Result<std::optional<JobRecord>> QueueIfLarge(const std::string& owner, const std::string& id,
                                                const DatasetService::Limits& limits);
  // Aborts: the upload and its parts are gone. (Expired uploads go the same way, in the
  // blob GC's rounds: store/blob_gc.h.)
  Status Abort(const std::string& owner, const std::string& id);

 private:
  // Why the parts cannot be completed as they are (gaps, a small part in the middle).
  Status CheckParts(const std::vector<UploadPart>& parts) const;
  // Validates and commits the rows of `sources` (the blobs holding the parts, in order).
  Result<DatasetRecord> CompleteOnce(const UploadRecord& upload, const std::string& job_id,
                                     const std::vector<UploadPart>& parts,
                                     const std::vector<std::string>& sources,
                                     const DatasetService::Limits& limits, InvalidRows* invalid);
  // The blobs holding a closed upload's parts, in order: the store's parts assembled into
  // the upload's parts_key (once; a completion cut short finds them assembled), or the
  // parts' own blobs for an upload from before schema v9. Parts that cannot be assembled
  // are opened to the client again.
  Result<std::vector<std::string>> Assemble(const UploadRecord& upload,
                                            const std::vector<UploadPart>& parts);
  // After a failed completion: the assembled parts are copied into new parts (a range of
  // the blob each) under a new handle, so the client can replace some and complete again.
  // Best effort: if it fails, the upload stays closed and a completion reads the blob.
  void Reopen(const UploadRecord& upload, const std::vector<UploadPart>& parts);
  static std::string NewPartsKey(const std::string& owner, const std::string& id);
  void AbortParts(const std::string& key, const std::string& parts_id);

  store::DatasetStore& dataset_store_;
  store::UploadStore& upload_store_;
  store::BlobStore& blobs_;
  DatasetService::StorageObserver storage_changed_;
  Options options_;
  const Clock& clock_;  // when uploads were made and expire
};

}  // namespace diamond::service
