// diamond worker: a process that only runs jobs (training) from the queue it shares with
// `diamond serve` replicas on PostgreSQL and S3 (or any --db/--blobs). It runs the
// Application (app/application.h) and serves no API: no Api and no Gate are built. With
// --listen, an ops listener (http/ops_listener.h) answers /healthz, /readyz and /metrics
// for a supervisor or a scraper.
#include <csignal>
#include <iostream>

#include "app/api_stack.h"  // ApiCompletionProblems
#include "app/application.h"
#include "app/backends.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "base/logger.h"
#include "http/ops_listener.h"
#include "http/server.h"

namespace diamond::app {

int RunWorker(const WorkerArgs& args) {
  constexpr std::string_view kCommand = "worker";
  if (args.quiet) SetLogLevel(LogLevel::kWarn);
  if (args.db.empty() || args.blobs.empty()) {
    PrintError(kCommand,
               "a worker shares its storage with the servers: pass --db URL and --blobs URL "
               "(or DIAMOND_DB and DIAMOND_BLOBS)");
    return kExitBadInput;
  }
  http::ServerConfig server_config;
  if (!args.listen.empty() &&
      !ParseListenAddress(args.listen, &server_config.address, &server_config.port)) {
    PrintError(kCommand,
               "--listen must be HOST:PORT, e.g. 127.0.0.1:9090 (got '" + args.listen + "')");
    return kExitBadInput;
  }
  // Without a listener, the main thread waits for SIGINT/SIGTERM with sigwait: block them
  // before any thread starts, so that every thread inherits the mask and none dies of them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  if (args.listen.empty()) pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  BackendUrls urls{args.db, args.blobs, args.db_pool};
  auto stores = OpenBackends(urls);
  if (!stores.ok()) {
    PrintError(kCommand, stores.status().message());
    return stores.status().code() == StatusCode::kInvalidArgument ? kExitBadInput : kExitFailure;
  }
  const std::string storage = stores->description;
  ApplicationOptions options;
  options.jobs.workers = args.concurrency;
  options.jobs.max_attempts = args.max_job_attempts;
  options.jobs.lease = std::chrono::seconds(args.job_lease_seconds);
  options.remove_unreferenced_blobs = false;  // the servers' periodic GC does that
  options.serves_api = false;
  options.describe_completion_failure = ApiCompletionProblems();
  auto opened = Application::Open(options, std::move(stores).value());
  if (!opened.ok()) {
    PrintError(kCommand, opened.status().message());
    return kExitFailure;
  }
  std::unique_ptr<Application> app = std::move(opened).value();
  std::cout << "diamond: worker " << app->runner().worker_id() << " running " << args.concurrency
            << " job(s) at once (storage: " << storage << ")" << std::endl;
  if (args.listen.empty()) {
    int signal = 0;
    sigwait(&stop_signals, &signal);
  } else {
    http::OpsListener ops(http::OpsSources{app->job_records(), app->runner(), app->models().cache(),
                                           app->runner().worker_id()});
    http::HttpServer server(server_config, ops);
    auto port = server.Listen();
    if (!port.ok()) {
      PrintError(kCommand, port.status().message());
      return kExitFailure;
    }
    std::cout << "diamond: worker health and metrics on http://" << server_config.address << ":"
              << *port << std::endl;
    server.Run();
  }
  Log(LogLevel::kInfo, "stopping: waiting for running jobs to end");
  // Stops claiming, lets running jobs finish (their leases are kept until then).
  app.reset();
  Log(LogLevel::kInfo, "stopped");
  return kExitOk;
}

}  // namespace diamond::app
