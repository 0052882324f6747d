// JobService: what the API offers about jobs (list, look at, cancel, count by state), and
// whether the metadata store answers at all (for /readyz). Handlers reach storage only
// through the services; this is the jobs' one.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/job_queue.h"
#include "store/maintenance_store.h"

namespace diamond::service {

class JobService {
 public:
  explicit JobService(store::JobQueue& job_queue, store::MaintenanceStore& maintenance)
      : job_queue_(job_queue), maintenance_(maintenance) {}

  Result<std::pair<std::vector<JobRecord>, int64_t>> List(const std::string& owner, Page page) {
    return job_queue_.ListJobs(owner, page);
  }
  Result<JobRecord> Get(const std::string& owner, const std::string& id) {
    return job_queue_.GetJob(owner, id);
  }
  // Queued: cancelled at once. Running: the worker stops at its next check.
  Result<JobRecord> Cancel(const std::string& owner, const std::string& id) {
    return job_queue_.CancelJob(owner, id);
  }
  Result<std::vector<std::pair<std::string, int64_t>>> CountByState() {
    return job_queue_.CountJobsByState();
  }

  // For operators, across owners.
  Result<std::pair<std::vector<JobRecord>, int64_t>> ListAll(const JobFilter& filter, Page page) {
    return job_queue_.ListAllJobs(filter, page);
  }
  Result<JobRecord> GetAny(const std::string& id) {
    JobFilter filter;
    filter.id = id;
    auto found = job_queue_.ListAllJobs(filter, Page{0, 1});
    if (!found.ok()) return found.status();
    if (found->first.empty()) return Status::NotFound("no job '" + id + "'");
    return found->first.front();
  }
  Result<JobRecord> CancelAny(const std::string& id) {
    auto job = GetAny(id);
    if (!job.ok()) return job.status();
    return job_queue_.CancelJob(job->owner, id);
  }
  // OK if the metadata store answers.
  Status PingStore() { return maintenance_.Ping(); }

 private:
  store::JobQueue& job_queue_;
  store::MaintenanceStore& maintenance_;
};

}  // namespace diamond::service
