// diamond serve: the REST API, on the embedded default (metadata in SQLite and blobs in a
// directory, both under --data-dir) or on the stores --db and --blobs name (PostgreSQL and
// S3 when many replicas share them); training jobs on in-process workers unless
// --job-workers 0 leaves them to `diamond worker`.
#include <filesystem>
#include <iostream>
#include <memory>

#include "app/backends.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/data_dir_lock.h"
#include "base/logger.h"
#include "http/server.h"
#include "http/service_stack.h"

namespace diamond::app {

int RunServe(const ServeArgs& args) {
  constexpr std::string_view kCommand = "serve";
  http::ServerConfig server_config;
  if (!ParseListenAddress(args.listen, &server_config.address, &server_config.port)) {
    PrintError(kCommand, "--listen must be HOST:PORT, e.g. 127.0.0.1:8080 (got '" + args.listen + "')");
    return kExitBadInput;
  }
  server_config.io_threads = args.io_threads;
  server_config.body_limit = args.body_limit;
  server_config.read_timeout = std::chrono::seconds(args.read_timeout_seconds);
  if (args.quiet) SetLogLevel(LogLevel::kWarn);

  const ChosenUrls chosen = ChooseBackendUrls(args.data_dir, args.db, args.blobs, args.db_pool);
  // The data directory is this process's alone (data_dir_lock.h); shared stores are not.
  std::unique_ptr<DataDirLock> lock;
  if (chosen.uses_data_dir) {
    std::error_code ec;
    std::filesystem::create_directories(args.data_dir, ec);
    if (ec) {
      PrintError(kCommand, "cannot create --data-dir " + args.data_dir + ": " + ec.message());
      return kExitFailure;
    }
    auto acquired = DataDirLock::Acquire(args.data_dir);
    if (!acquired.ok()) {
      PrintError(kCommand, acquired.status().message());
      return kExitFailure;
    }
    lock = std::move(acquired).value();
  }
  auto stores = OpenBackends(chosen.urls);
  if (!stores.ok()) {
    PrintError(kCommand, stores.status().message());
    return kExitFailure;
  }
  const std::string storage = stores->description;
  http::StackOptions options;
  options.job_workers = args.job_workers;
  options.model_cache_bytes = args.model_cache_mb << 20;
  options.max_job_attempts = args.max_job_attempts;
  options.job_lease = std::chrono::seconds(args.job_lease_seconds);
  // Under the data-dir lock with the data dir's own database, no other process runs jobs.
  options.sole_user_of_stores = chosen.uses_data_dir && args.db.empty();
  options.blob_grace = std::chrono::seconds(args.blob_grace_seconds);
  options.blob_gc_interval = std::chrono::seconds(args.blob_gc_interval_seconds);
  options.uploads.expiry = std::chrono::seconds(args.upload_expiry_seconds);
  options.uploads.max_part_bytes = std::min<int64_t>(int64_t{64} << 20, static_cast<int64_t>(args.body_limit));
  options.uploads.min_part_bytes = std::min(args.upload_min_part_bytes, options.uploads.max_part_bytes);
  options.uploads.background_bytes = args.upload_background_bytes;
  options.batches.chunk_bytes = static_cast<size_t>(args.batch_chunk_bytes);
  options.api.max_predict_stones = args.max_predict_stones;
  options.api.work_threads = args.work_threads;
  options.api.web_dir = args.web_dir;
  options.api.access_log = !args.quiet;
  options.api.metrics_public = !args.private_metrics;
  // The embedded default makes its first admin on first start; a shared database gets one
  // from `diamond admin --db URL init`, run once, not from replicas racing to start.
  if (args.db.empty()) options.admin_key_file = args.data_dir + "/admin.key";
  options.gate_enabled = !args.without_gate;
  if (args.without_gate) {
    Log(LogLevel::kWarn,
              "--benchmark-without-gate: no authentication, rate limits or metering; "
              "every caller acts as admin. Never use this outside a benchmark.");
  }
  auto stack = http::ServiceStack::Open(options, std::move(stores).value());
  if (!stack.ok()) {
    PrintError(kCommand, stack.status().message());
    return kExitFailure;
  }
  if ((*stack)->blobs_removed_at_open() > 0) {
    Log(LogLevel::kInfo, "removed blobs left unreferenced by a crash",
              {{"count", (*stack)->blobs_removed_at_open()}});
  }
  if ((*stack)->admin_key_created()) {
    std::cout << "diamond: created the first admin; its API key is in " << options.admin_key_file.string()
              << " (readable by you only)" << std::endl;
  }
  http::HttpServer server(server_config, (*stack)->api());
  auto port = server.Listen();
  if (!port.ok()) {
    PrintError(kCommand, port.status().message());
    return kExitFailure;
  }
  std::cout << "diamond: listening on http://" << server_config.address << ":" << *port
            << " (storage: " << storage << "; API reference at /docs)" << std::endl;
  server.Run();
  stack->reset();  // drains the work pool, then stops the job workers
  Log(LogLevel::kInfo, "stopped");
  return kExitOk;
}

}  // namespace diamond::app
