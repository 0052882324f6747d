// JobService: what the API offers about jobs (list, look at, cancel, count by state), and
// whether the metadata store answers at all (for /readyz). Handlers reach storage only
// through the services; this is the jobs' one.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/metadata_store.h"

namespace diamond::service {

class JobService {
 public:
  explicit JobService(store::MetadataStore& metadata) : metadata_(metadata) {}

  Result<std::pair<std::vector<store::JobRecord>, int64_t>> List(const std::string& owner, store::Page page) {
    return metadata_.ListJobs(owner, page);
  }
  Result<store::JobRecord> Get(const std::string& owner, const std::string& id) {
    return metadata_.GetJob(owner, id);
  }
  // Queued: cancelled at once. Running: the worker stops at its next check.
  Result<store::JobRecord> Cancel(const std::string& owner, const std::string& id) {
    return metadata_.CancelJob(owner, id);
  }
  Result<std::vector<std::pair<std::string, int64_t>>> CountByState() { return metadata_.CountJobsByState(); }
  // OK if the metadata store answers.
  Status PingStore() { return metadata_.Ping(); }

 private:
  store::MetadataStore& metadata_;
};

}  // namespace diamond::service
