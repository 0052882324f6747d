#include "app/application.h"

#include "accounts/account_admin.h"
#include "jobs/training_job.h"

namespace diamond::app {

Result<std::unique_ptr<Application>> Application::Open(const ApplicationOptions& options,
                                                       store::Stores stores) {
  if (!stores.metadata || !stores.accounts || !stores.blobs) {
    return Status::InvalidArgument("the application needs a metadata, an account and a blob store");
  }
  if (!options.describe_completion_failure) {
    return Status::InvalidArgument("the application needs describe_completion_failure");
  }
  std::unique_ptr<Application> app(new Application());
  app->stores_ = std::move(stores);
  // Every port of the metadata store is this one object; each component is given the
  // ports it uses (metadata_store.h).
  store::MetadataStore& metadata = *app->stores_.metadata;
  store::AccountStore& account_store = *app->stores_.accounts;
  store::BlobStore& blobs = *app->stores_.blobs;
  if (options.remove_unreferenced_blobs) {
    // A round now (what a crash of this or another process left), then periodically;
    // among processes sharing the store, one at a time.
    app->blob_gc_ = std::make_unique<store::PeriodicBlobGc>(
        metadata, metadata, blobs, options.blob_gc_interval, options.blob_grace, *options.clock);
    auto removed = app->blob_gc_->RunOnce();
    if (!removed.ok())
      return Status::IoError("cannot clean the blob store: " + removed.status().message());
    app->blobs_removed_ = removed->value_or(0);
  }
  if (!options.admin_key_file.empty()) {
    auto created = accounts::EnsureFirstAdmin(account_store, options.admin_key_file);
    if (!created.ok()) return created.status();
    app->admin_key_created_ = *created;
  }
  auto accounts =
      accounts::Accounts::Open(account_store, metadata, options.serves_api, *options.clock);
  if (!accounts.ok()) return accounts.status();
  app->accounts_ = std::move(accounts).value();
  accounts::Meter& meter = app->accounts_->meter();
  const bool metered = options.metered;
  auto storage_changed = [&meter, metered](const std::string& owner) {
    if (metered) meter.StorageChanged(owner);
  };
  app->datasets_ = std::make_unique<service::DatasetService>(metadata, blobs, storage_changed);
  app->uploads_ = std::make_unique<service::UploadService>(
      metadata, metadata, blobs, storage_changed, options.uploads, *options.clock);
  app->cache_ = std::make_unique<service::ModelCache>(
      static_cast<size_t>(options.model_cache_bytes), options.model_cache_owner_share);
  app->models_ = std::make_unique<service::ModelService>(metadata, metadata, blobs, *app->cache_);
  if (options.serves_api) {
    app->model_changes_ = std::make_unique<service::ModelChangeWatcher>(metadata, *app->cache_);
  }
  app->pricing_ = std::make_unique<service::Pricing>(*app->models_, options.rows_priced);
  app->queries_ =
      std::make_unique<service::QueryService>(metadata, metadata, blobs, *app->pricing_);
  app->batches_ = std::make_unique<service::BatchPredictionService>(metadata, metadata, metadata,
                                                                    metadata, blobs, *app->models_);
  app->job_records_ = std::make_unique<service::JobService>(metadata, metadata);
  jobs::JobRunnerOptions job_options = options.jobs;
  // Completing an upload is quick and the client is polling for it: never behind a
  // training (jobs/job_runner.h).
  job_options.short_kinds = {std::string(service::kUploadCompleteJobKind)};
  app->runner_ = std::make_unique<jobs::JobRunner>(metadata, job_options);
  auto trained = [&meter, metered](const std::string& owner, double seconds) {
    if (metered) meter.AddTrainingSeconds(owner, seconds);
  };
  app->runner_->SetExecutor(std::string(service::kTrainJobKind),
                            jobs::MakeTrainingExecutor(metadata, metadata, blobs, *app->datasets_,
                                                       *app->cache_, trained));
  app->runner_->SetExecutor(
      std::string(service::kReproduceJobKind),
      jobs::MakeReproductionExecutor(metadata, metadata, blobs, *app->datasets_, trained));
  app->runner_->SetExecutor(std::string(service::kBatchPredictJobKind),
                            jobs::MakeBatchPredictionExecutor(
                                metadata, metadata, blobs, options.batches,
                                [&meter, metered](const std::string& owner, int64_t rows) {
                                  // Reserved when the batch was accepted (the quota held
                                  // then); a negative count gives back what was not priced.
                                  if (metered)
                                    accounts::Meter::CountRows(*meter.CountersFor(owner), rows);
                                }));
  app->runner_->SetExecutor(
      std::string(service::kUploadCompleteJobKind),
      jobs::MakeUploadCompletionExecutor(metadata, metadata, *app->uploads_,
                                         options.describe_completion_failure));
  if (Status s = app->runner_->Start(); !s.ok()) return s;
  return app;
}

Application::~Application() {
  // A job cut short stays in the database and resumes later.
  if (runner_) runner_->Stop();
}

}  // namespace diamond::app
