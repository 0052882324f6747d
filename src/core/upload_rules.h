// The rules of an upload's states, written once: the upload service checks them on the
// record it read (to answer before any work), and the store checks them again on the row
// inside its write transaction (its compare-and-set: whatever changed in between, a rule
// broken there writes nothing). Each returns why the step is not allowed now, with the
// message the client sees, or OK.
#pragma once

#include <string>

#include "core/records.h"
#include "core/status.h"

namespace diamond {

// A part may be sent only while the upload is open.
Status CheckTakesParts(const UploadRecord& upload);
// Nothing changes an upload once it is completed.
Status CheckNotCompleted(const UploadRecord& upload);
// Whether `job_id` ("" for a completion inside a request) may complete the upload now:
// not once completed, not while another job completes it, and a job only while it is
// the one completing it.
Status CheckCompletable(const UploadRecord& upload, const std::string& job_id);

}  // namespace diamond
