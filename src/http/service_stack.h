// ServiceStack: the embedded default wired together — SQLite metadata, a blob directory,
// the services, the job runner and the Api over them. The one composition root, used by
// `diamond serve`, the API benchmark, the request fuzzer and tests.
// Members are declared in dependency order; destruction drains the Api, then stops the
// job workers, before the stores close.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "http/api.h"
#include "http/metrics.h"
#include "jobs/job_runner.h"
#include "service/dataset_service.h"
#include "service/model_cache.h"
#include "service/model_service.h"
#include "service/query_service.h"
#include "store/file_blob_store.h"
#include "store/sql_metadata_store.h"

namespace diamond::http {

struct StackOptions {
  std::string metadata_path;        // a SQLite file, or ":memory:"
  std::filesystem::path blob_dir;
  int job_workers = 1;
  bool remove_unreferenced_blobs = true;  // safe only when this process is the only writer
  ApiConfig api;
};

class ServiceStack {
 public:
  // Opens the stores, cleans up after a crash (see blob_gc.h), starts the job workers.
  static Result<std::unique_ptr<ServiceStack>> Open(const StackOptions& options);
  ~ServiceStack();
  ServiceStack(const ServiceStack&) = delete;
  ServiceStack& operator=(const ServiceStack&) = delete;

  Api& api() { return *api_; }
  jobs::JobRunner& runner() { return *runner_; }
  store::SqlMetadataStore& metadata() { return *metadata_; }
  // Blobs removed at open because a crash had left them unreferenced.
  int64_t blobs_removed_at_open() const { return blobs_removed_; }

 private:
  ServiceStack() = default;

  std::unique_ptr<store::SqlMetadataStore> metadata_;
  std::unique_ptr<store::FileBlobStore> blobs_;
  service::ModelCache cache_;
  std::unique_ptr<service::DatasetService> datasets_;
  std::unique_ptr<service::ModelService> models_;
  std::unique_ptr<service::QueryService> queries_;
  std::unique_ptr<jobs::JobRunner> runner_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  int64_t blobs_removed_ = 0;
};

}  // namespace diamond::http
