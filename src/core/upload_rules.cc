#include "core/upload_rules.h"

namespace diamond {

Status CheckTakesParts(const UploadRecord& upload) {
  if (upload.state == UploadState::kOpen) return Status::Ok();
  return Status::FailedPrecondition("upload '" + upload.id + "' is " +
                                    std::string(UploadStateName(upload.state)) +
                                    ": it takes no more parts");
}

Status CheckNotCompleted(const UploadRecord& upload) {
  if (upload.state != UploadState::kCompleted) return Status::Ok();
  return Status::FailedPrecondition("upload '" + upload.id + "' is already completed (dataset '" +
                                    upload.dataset_id + "' version " +
                                    std::to_string(upload.dataset_version) + ")");
}

Status CheckCompletable(const UploadRecord& upload, const std::string& job_id) {
  if (Status s = CheckNotCompleted(upload); !s.ok()) return s;
  if (upload.state == UploadState::kCompleting && upload.job_id != job_id) {
    return Status::FailedPrecondition("upload '" + upload.id + "' is being completed by job '" +
                                      upload.job_id + "'");
  }
  if (upload.state == UploadState::kOpen && !job_id.empty()) {
    return Status::FailedPrecondition("upload '" + upload.id +
                                      "' is no longer being completed by job '" + job_id + "'");
  }
  return Status::Ok();
}

}  // namespace diamond
