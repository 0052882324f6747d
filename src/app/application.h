// Application: everything diamond is apart from how requests arrive — the stores it is
// given (which engines, src/app/backends.h), the accounts, the services, the model cache
// and its change watcher, blob GC, the job runner and its executors — with no HTTP in it.
// `diamond worker` runs one as it is; `diamond serve` and `diamond lambda` put the HTTP
// Api on top (api_stack.h). Members are declared in dependency order; destruction stops
// the job workers before the services and the stores go.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

#include "accounts/accounts.h"
#include "base/clock.h"
#include "jobs/batch_prediction_job.h"
#include "jobs/job_runner.h"
#include "jobs/upload_completion_job.h"
#include "service/batch_prediction_service.h"
#include "service/dataset_service.h"
#include "service/job_service.h"
#include "service/model_cache.h"
#include "service/model_change_watcher.h"
#include "service/model_service.h"
#include "service/pricing.h"
#include "service/query_service.h"
#include "service/upload_service.h"
#include "store/blob_gc.h"
#include "store/stores.h"

namespace diamond::app {

struct ApplicationOptions {
  // Each component's options are its own struct, defaults written there once; the
  // command line binds into copies of them (commands.h).
  jobs::JobRunnerOptions jobs;  // workers, attempts, lease; reclaim_at_start when the
                                // stores are this process's alone (the data-dir lock)
  bool remove_unreferenced_blobs = true;
  std::chrono::seconds blob_grace = store::kDefaultBlobGracePeriod;       // spared by the clean-up
  std::chrono::seconds blob_gc_interval = store::kDefaultBlobGcInterval;  // and how often
  int64_t model_cache_bytes = service::ModelCache::kDefaultMaxBytes;
  double model_cache_owner_share = service::ModelCache::kDefaultOwnerShare;
  // Where the first start writes the bootstrap admin's key (empty: no bootstrap).
  std::filesystem::path admin_key_file;
  // Usage is metered (rows, training time, stored bytes); false only for benchmarks.
  bool metered = true;
  // The process answers API requests (counts for rate shares, watches model changes);
  // false for `diamond worker`.
  bool serves_api = true;
  // Hears of every batch of stones priced in real time (the API's metrics); may be empty.
  std::function<void(int64_t rows)> rows_priced;
  // How a failed upload completion is told to the client who asks for the upload again
  // (the API's problem document); required, since any process may run that job.
  jobs::DescribeCompletionFailure describe_completion_failure;
  service::UploadService::Options uploads;
  jobs::BatchPredictionOptions batches;
  // The wall clock for upload expiry and the meter's day and month (leases: the SQL
  // store's own, given when it is opened). Tests pass a fake.
  const Clock* clock = &SystemClock();
};

class Application {
 public:
  // Cleans up what a crash left in the stores (blob_gc.h), makes the first admin if asked,
  // starts the job workers.
  static Result<std::unique_ptr<Application>> Open(const ApplicationOptions& options,
                                                   store::Stores stores);
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  accounts::Accounts& accounts() { return *accounts_; }
  service::DatasetService& datasets() { return *datasets_; }
  service::ModelService& models() { return *models_; }
  service::Pricing& pricing() { return *pricing_; }
  service::QueryService& queries() { return *queries_; }
  service::UploadService& uploads() { return *uploads_; }
  service::BatchPredictionService& batches() { return *batches_; }
  service::JobService& job_records() { return *job_records_; }
  jobs::JobRunner& runner() { return *runner_; }
  // True if this start created the first admin and wrote its key file.
  bool admin_key_created() const { return admin_key_created_; }
  // Blobs removed at open because a crash had left them unreferenced.
  int64_t blobs_removed_at_open() const { return blobs_removed_; }

 private:
  Application() = default;

  store::Stores stores_;
  std::unique_ptr<accounts::Accounts> accounts_;
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
  int64_t blobs_removed_ = 0;
  bool admin_key_created_ = false;
};

}  // namespace diamond::app
