// UploadStore: multipart uploads — the parts received, their one handle at a time, and
// the commit of the version they assemble into (with the upload marked completed in the
// same transaction).
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
#include "store/dataset_store.h"

namespace diamond::store {

class UploadStore {
 public:
  virtual ~UploadStore() = default;

  // Tenancy: rows belong to an owner (a user id). Every method that names one takes the
  // owner, and another owner's rows are NotFound — the store never reveals that they exist.

  virtual Status CreateUpload(const UploadRecord& upload) = 0;
  virtual Result<UploadRecord> GetUpload(const std::string& owner, const std::string& id) = 0;
  // The parts received, by number.
  virtual Result<std::vector<UploadPart>> ListUploadParts(const std::string& owner,
                                                          const std::string& id) = 0;
  // Records a part, replacing one with the same number; returns the replaced part's blob
  // key ("" if none), for the caller to delete. FailedPrecondition unless the upload takes
  // parts and they are still under the store's handle `parts_id` (UploadRecord): open,
  // not closed by a completion, not moved by a reopening.
  virtual Result<std::string> PutUploadPart(const std::string& owner, const std::string& id,
                                            const UploadPart& part,
                                            const std::string& parts_id) = 0;
  // Moves an upload's parts, if they are still under the handle `expected_parts_id`
  // (FailedPrecondition otherwise): to `parts_key`/`parts_id`, closed or not (a completion
  // closes them; a failed one reopens them, as copies under a new handle). `etags`, when
  // not empty, are the parts' tags under the new handle, by number.
  virtual Status SetUploadParts(const std::string& owner, const std::string& id,
                                const std::string& expected_parts_id, const std::string& parts_key,
                                const std::string& parts_id, bool closed,
                                const std::vector<std::pair<int64_t, std::string>>& etags) = 0;
  // CommitDatasetVersion, in the same transaction as marking the upload completed with that
  // version: FailedPrecondition (and nothing written) if the upload is not open any more —
  // two completions racing commit one version, and a completion cut short by a crash can
  // simply be run again. Returns the dataset as committed.
  // While a job completes the upload ("completing"), only that job (`job_id`) may commit;
  // a completion in the request passes "".
  virtual Result<DatasetRecord> CommitUploadedVersion(
      const std::string& owner, const std::string& upload_id, const std::string& job_id,
      int64_t expected_current, const DatasetVersion& version,
      const DatasetStore::StorageLimits& limits) = 0;
  // Queues `job` to complete the upload and marks it "completing", in one transaction;
  // if a job is completing it already (queued or running), returns that job instead.
  // FailedPrecondition once completed.
  virtual Result<JobRecord> QueueUploadCompletion(const std::string& owner,
                                                  const std::string& upload_id,
                                                  const JobRecord& job) = 0;
  // The completion job `job_id` failed: the upload is open again (parts can be replaced,
  // completion retried) and remembers why (`error_json`, a problem document).
  virtual Status FailUploadCompletion(const std::string& owner, const std::string& upload_id,
                                      const std::string& job_id, const std::string& error_json) = 0;
  // Removes the upload and its parts; returns the blobs they leave: parts of an upload from
  // before v9, and the blob the parts assemble into (which may not exist).
  virtual Result<std::vector<std::string>> DeleteUpload(const std::string& owner,
                                                        const std::string& id) = 0;
  // Uploads (owner, id) whose expiry is before now_ms, for the sweeper to delete.
  virtual Result<std::vector<std::pair<std::string, std::string>>> ExpiredUploads(
      int64_t now_ms) = 0;
};

}  // namespace diamond::store
