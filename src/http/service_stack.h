// ServiceStack: the services, the job runner and the Api wired over the stores it is
// given (which engines they run on is decided in src/app/backends.h). Used by
// `diamond serve`, `diamond worker`, the API benchmark, the request fuzzer and tests.
// Members are declared in dependency order; destruction drains the Api, then stops the
// job workers, before the stores close.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "accounts/accounts.h"
#include "http/api.h"
#include "http/gate.h"
#include "http/metrics.h"
#include "jobs/batch_prediction_job.h"
#include "jobs/job_runner.h"
#include "service/batch_prediction_service.h"
#include "service/dataset_service.h"
#include "service/job_service.h"
#include "service/model_cache.h"
#include "service/model_change_watcher.h"
#include "service/model_service.h"
#include "service/query_service.h"
#include "service/upload_service.h"
#include "store/blob_gc.h"
#include "store/stores.h"

namespace diamond::http {

struct StackOptions {
  int job_workers = 1;
  bool remove_unreferenced_blobs = true;
  std::chrono::seconds blob_grace{3600};        // spared by that clean-up (blob_gc.h)
  std::chrono::seconds blob_gc_interval{3600};  // and it runs again this often
  int64_t model_cache_bytes = int64_t{256} << 20;
  int max_job_attempts = 3;
  std::chrono::milliseconds job_lease{30000};  // jobs/job_runner.h
  // The stores are this process's alone (the embedded default under its data-dir lock):
  // jobs a previous run left running are reclaimed at start, not after their lease.
  bool sole_user_of_stores = false;
  // Where the first start writes the bootstrap admin's key (empty: no bootstrap).
  std::filesystem::path admin_key_file;
  // Benchmarks only: false turns authentication, limits and metering off (gate.h).
  bool gate_enabled = true;
  service::UploadService::Options uploads;
  jobs::BatchPredictionOptions batches;
  ApiConfig api;
};

class ServiceStack {
 public:
  // Opens the stores, cleans up after a crash (see blob_gc.h), starts the job workers.
  static Result<std::unique_ptr<ServiceStack>> Open(const StackOptions& options,
                                                    store::Stores stores);
  ~ServiceStack();
  ServiceStack(const ServiceStack&) = delete;
  ServiceStack& operator=(const ServiceStack&) = delete;

  Api& api() { return *api_; }
  jobs::JobRunner& runner() { return *runner_; }
  accounts::Accounts& accounts() { return *accounts_; }
  // True if this start created the first admin and wrote its key file.
  bool admin_key_created() const { return admin_key_created_; }
  // Blobs removed at open because a crash had left them unreferenced.
  int64_t blobs_removed_at_open() const { return blobs_removed_; }

 private:
  ServiceStack() = default;

  store::Stores stores_;
  std::unique_ptr<accounts::Accounts> accounts_;
  std::unique_ptr<Gate> gate_;
  std::unique_ptr<store::PeriodicBlobGc> blob_gc_;
  std::unique_ptr<service::ModelCache> cache_;
  std::unique_ptr<service::ModelChangeWatcher> model_changes_;  // other replicas' model changes
  std::unique_ptr<service::DatasetService> datasets_;
  std::unique_ptr<service::ModelService> models_;
  std::unique_ptr<service::Pricing> pricing_;
  std::unique_ptr<service::QueryService> queries_;
  std::unique_ptr<service::UploadService> uploads_;
  std::unique_ptr<service::BatchPredictionService> batches_;
  std::unique_ptr<service::JobService> job_records_;
  std::unique_ptr<jobs::JobRunner> runner_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  int64_t blobs_removed_ = 0;
  bool admin_key_created_ = false;
};

}  // namespace diamond::http
