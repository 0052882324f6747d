// diamond serve: the REST API on the embedded default — metadata in SQLite and blobs in a
// directory, both under --data-dir; training jobs on in-process workers.
#include <filesystem>
#include <iostream>

#include "app/cli_support.h"
#include "app/commands.h"
#include "http/api.h"
#include "http/logger.h"
#include "http/metrics.h"
#include "http/server.h"
#include "jobs/job_runner.h"
#include "jobs/training_job.h"
#include "service/dataset_service.h"
#include "service/model_cache.h"
#include "service/model_service.h"
#include "service/query_service.h"
#include "store/blob_gc.h"
#include "store/file_blob_store.h"
#include "store/sql_metadata_store.h"

namespace diamond::app {
namespace {

// "host:port" → (host, port); false if malformed.
bool SplitListen(const std::string& listen, std::string* host, uint16_t* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  try {
    size_t used = 0;
    const int value = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || value < 0 || value > 65535) return false;
    *port = static_cast<uint16_t>(value);
  } catch (const std::exception&) {
    return false;
  }
  *host = listen.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  return true;
}

}  // namespace

int RunServe(const ServeArgs& args) {
  constexpr std::string_view kCommand = "serve";
  http::ServerConfig server_config;
  if (!SplitListen(args.listen, &server_config.address, &server_config.port)) {
    PrintError(kCommand, "--listen must be HOST:PORT, e.g. 127.0.0.1:8080 (got '" + args.listen + "')");
    return kExitBadInput;
  }
  server_config.io_threads = args.io_threads;
  server_config.body_limit = args.body_limit;
  server_config.read_timeout = std::chrono::seconds(args.read_timeout_seconds);
  if (args.quiet) http::SetLogLevel(http::LogLevel::kWarn);

  std::error_code ec;
  std::filesystem::create_directories(args.data_dir, ec);
  if (ec) {
    PrintError(kCommand, "cannot create --data-dir " + args.data_dir + ": " + ec.message());
    return kExitFailure;
  }
  auto metadata = store::SqlMetadataStore::OpenSqlite(args.data_dir + "/metadata.db");
  if (!metadata.ok()) {
    PrintError(kCommand, metadata.status().message());
    return kExitFailure;
  }
  auto blobs = store::FileBlobStore::Open(args.data_dir + "/blobs");
  if (!blobs.ok()) {
    PrintError(kCommand, blobs.status().message());
    return kExitFailure;
  }

  // This process is the only writer now: clear blobs a crash left without metadata.
  if (auto removed = store::RemoveUnreferencedBlobs(**metadata, **blobs); !removed.ok()) {
    PrintError(kCommand, "cannot clean the blob store: " + removed.status().message());
    return kExitFailure;
  } else if (*removed > 0) {
    http::Log(http::LogLevel::kInfo, "removed blobs left unreferenced by a crash", {{"count", *removed}});
  }

  service::ModelCache cache;
  service::DatasetService datasets(**metadata, **blobs);
  service::ModelService models(**metadata, **blobs, cache);
  service::QueryService queries(**metadata, **blobs, models);
  jobs::JobRunner runner(**metadata, args.job_workers);
  runner.SetExecutor("train", jobs::MakeTrainingExecutor(**metadata, **blobs, datasets, cache));
  if (Status s = runner.Start(); !s.ok()) {
    PrintError(kCommand, s.message());
    return kExitFailure;
  }

  http::Metrics metrics;
  http::ApiConfig api_config;
  api_config.max_predict_stones = args.max_predict_stones;
  api_config.work_threads = args.work_threads;
  api_config.web_dir = args.web_dir;
  api_config.access_log = !args.quiet;
  http::Api api(http::ApiContext{datasets, models, queries, runner, **metadata, metrics, api_config});
  http::HttpServer server(server_config, api);
  auto port = server.Listen();
  if (!port.ok()) {
    PrintError(kCommand, port.status().message());
    return kExitFailure;
  }
  std::cout << "diamond: listening on http://" << server_config.address << ":" << *port
            << " (data in " << args.data_dir << "; API reference at /docs)" << std::endl;
  server.Run();
  api.Drain();    // requests handed to the work pool finish
  runner.Stop();  // a job cut short stays queued in the database and resumes next start
  http::Log(http::LogLevel::kInfo, "stopped");
  return kExitOk;
}

}  // namespace diamond::app
