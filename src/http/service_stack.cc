#include "http/service_stack.h"

#include "accounts/account_admin.h"
#include "http/handlers/handlers.h"
#include "jobs/batch_prediction_job.h"
#include "jobs/training_job.h"
#include "jobs/upload_completion_job.h"
#include "store/blob_gc.h"

namespace diamond::http {

Result<std::unique_ptr<ServiceStack>> ServiceStack::Open(const StackOptions& options,
                                                         store::Stores stores) {
  if (!stores.metadata || !stores.accounts || !stores.blobs) {
    return Status::InvalidArgument("a service stack needs a metadata, an account and a blob store");
  }
  std::unique_ptr<ServiceStack> stack(new ServiceStack());
  stack->stores_ = std::move(stores);
  store::MetadataStore& metadata = *stack->stores_.metadata;
  store::AccountStore& account_store = *stack->stores_.accounts;
  store::BlobStore& blobs = *stack->stores_.blobs;
  if (options.remove_unreferenced_blobs) {
    // A round now (what a crash of this or another process left), then periodically;
    // among processes sharing the store, one at a time.
    stack->blob_gc_ = std::make_unique<store::PeriodicBlobGc>(
        metadata, blobs, options.blob_gc_interval, options.blob_grace);
    auto removed = stack->blob_gc_->RunOnce();
    if (!removed.ok())
      return Status::IoError("cannot clean the blob store: " + removed.status().message());
    stack->blobs_removed_ = removed->value_or(0);
  }
  if (!options.admin_key_file.empty()) {
    auto created = accounts::EnsureFirstAdmin(account_store, options.admin_key_file);
    if (!created.ok()) return created.status();
    stack->admin_key_created_ = *created;
  }
  auto accounts = accounts::Accounts::Open(account_store, metadata, !options.api.ops_only);
  if (!accounts.ok()) return accounts.status();
  stack->accounts_ = std::move(accounts).value();
  stack->gate_ = std::make_unique<Gate>(*stack->accounts_, options.gate_enabled);
  accounts::Meter& meter = stack->accounts_->meter();
  const bool metered = options.gate_enabled;
  auto storage_changed = [&meter, metered](const std::string& owner) {
    if (metered) meter.StorageChanged(owner);
  };
  stack->datasets_ = std::make_unique<service::DatasetService>(metadata, blobs, storage_changed);
  stack->uploads_ =
      std::make_unique<service::UploadService>(metadata, blobs, storage_changed, options.uploads);
  stack->cache_ =
      std::make_unique<service::ModelCache>(static_cast<size_t>(options.model_cache_bytes));
  stack->models_ = std::make_unique<service::ModelService>(metadata, blobs, *stack->cache_);
  if (!options.api.ops_only) {
    stack->model_changes_ = std::make_unique<service::ModelChangeWatcher>(metadata, *stack->cache_);
  }
  stack->pricing_ = std::make_unique<service::Pricing>(
      *stack->models_,
      [metrics = &stack->metrics_](int64_t rows) { metrics->AddPredictedRows(rows); });
  stack->queries_ = std::make_unique<service::QueryService>(metadata, blobs, *stack->pricing_);
  stack->batches_ =
      std::make_unique<service::BatchPredictionService>(metadata, blobs, *stack->models_);
  stack->job_records_ = std::make_unique<service::JobService>(metadata);
  stack->runner_ = std::make_unique<jobs::JobRunner>(
      metadata, jobs::JobRunnerOptions{options.job_workers, options.max_job_attempts,
                                       options.job_lease, options.sole_user_of_stores});
  stack->runner_->SetExecutor(
      std::string(service::kTrainJobKind),
      jobs::MakeTrainingExecutor(metadata, blobs, *stack->datasets_, *stack->cache_,
                                 [&meter, metered](const std::string& owner, double seconds) {
                                   if (metered) meter.AddTrainingSeconds(owner, seconds);
                                 }));
  stack->runner_->SetExecutor(std::string(service::kBatchPredictJobKind),
                              jobs::MakeBatchPredictionExecutor(
                                  metadata, blobs, options.batches,
                                  [&meter, metered](const std::string& owner, int64_t rows) {
                                    // The quota was checked when the batch was accepted.
                                    if (metered)
                                      accounts::Meter::CountRows(*meter.CountersFor(owner), rows);
                                  }));
  stack->runner_->SetExecutor(
      std::string(service::kUploadCompleteJobKind),
      jobs::MakeUploadCompletionExecutor(metadata, *stack->uploads_,
                                         [](const Status& status, const InvalidRows& invalid) {
                                           return CompletionProblem(status, invalid).body;
                                         }));
  if (Status s = stack->runner_->Start(); !s.ok()) return s;
  stack->api_ = std::make_unique<Api>(
      ApiContext{*stack->datasets_, *stack->models_, *stack->pricing_, *stack->queries_,
                 *stack->uploads_, *stack->batches_, *stack->runner_, *stack->job_records_,
                 stack->metrics_, *stack->gate_, options.api});
  return stack;
}

ServiceStack::~ServiceStack() {
  if (api_) api_->Drain();       // requests handed to the work pool finish
  if (runner_) runner_->Stop();  // a job cut short stays in the database and resumes later
}

}  // namespace diamond::http
