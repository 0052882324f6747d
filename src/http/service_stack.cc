#include "http/service_stack.h"

#include "jobs/training_job.h"
#include "store/blob_gc.h"

namespace diamond::http {

Result<std::unique_ptr<ServiceStack>> ServiceStack::Open(const StackOptions& options) {
  std::unique_ptr<ServiceStack> stack(new ServiceStack());
  auto metadata = store::SqlMetadataStore::OpenSqlite(options.metadata_path);
  if (!metadata.ok()) return metadata.status();
  stack->metadata_ = std::move(metadata).value();
  auto blobs = store::FileBlobStore::Open(options.blob_dir);
  if (!blobs.ok()) return blobs.status();
  stack->blobs_ = std::move(blobs).value();
  if (options.remove_unreferenced_blobs) {
    auto removed = store::RemoveUnreferencedBlobs(*stack->metadata_, *stack->blobs_);
    if (!removed.ok()) return Status::IoError("cannot clean the blob store: " + removed.status().message());
    stack->blobs_removed_ = *removed;
  }
  stack->datasets_ = std::make_unique<service::DatasetService>(*stack->metadata_, *stack->blobs_);
  stack->models_ = std::make_unique<service::ModelService>(*stack->metadata_, *stack->blobs_, stack->cache_);
  stack->queries_ = std::make_unique<service::QueryService>(*stack->metadata_, *stack->blobs_, *stack->models_);
  stack->runner_ = std::make_unique<jobs::JobRunner>(*stack->metadata_, options.job_workers);
  stack->runner_->SetExecutor(
      "train", jobs::MakeTrainingExecutor(*stack->metadata_, *stack->blobs_, *stack->datasets_, stack->cache_));
  if (Status s = stack->runner_->Start(); !s.ok()) return s;
  stack->api_ = std::make_unique<Api>(ApiContext{*stack->datasets_, *stack->models_, *stack->queries_,
                                                 *stack->runner_, *stack->metadata_, stack->metrics_,
                                                 options.api});
  return stack;
}

ServiceStack::~ServiceStack() {
  if (api_) api_->Drain();      // requests handed to the work pool finish
  if (runner_) runner_->Stop();  // a job cut short stays in the database and resumes later
}

}  // namespace diamond::http
