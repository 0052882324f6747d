// diamond serve: the REST API, on the embedded default (metadata in SQLite and blobs in a
// directory, both under --data-dir) or on the stores --db and --blobs name (PostgreSQL and
// S3 when many replicas share them); training jobs on in-process workers unless
// --job-workers 0 leaves them to `diamond worker`.
#include <iostream>

#include "app/asset_dirs.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/serving_stack.h"
#include "base/logger.h"
#include "http/server.h"

namespace diamond::app {

int RunServe(const ServeArgs& args) {
  constexpr std::string_view kCommand = "serve";
  http::ServerConfig server_config;
  if (!ParseListenAddress(args.listen, &server_config.address, &server_config.port)) {
    PrintError(kCommand,
               "--listen must be HOST:PORT, e.g. 127.0.0.1:8080 (got '" + args.listen + "')");
    return kExitBadInput;
  }
  server_config.io_threads = args.io_threads;
  server_config.body_limit = args.body_limit;
  server_config.idle_timeout = std::chrono::seconds(args.idle_timeout_seconds);
  server_config.header_timeout = std::chrono::seconds(args.header_timeout_seconds);
  server_config.body_grace = std::chrono::seconds(args.body_grace_seconds);
  server_config.body_min_rate = args.body_min_rate;
  server_config.limits.max_connections = args.max_connections;
  server_config.limits.max_per_address = args.max_connections_per_ip;
  server_config.limits.trusted_proxies = args.trusted_proxies;
  if (args.quiet) SetLogLevel(LogLevel::kWarn);
  WarnIfAssetsMissing(args.web_dir, args.console_dir);

  auto serving = OpenServingStack(args);
  if (!serving.ok()) {
    PrintError(kCommand, serving.status().message());
    // Arguments that cannot work (a URL no backend takes, stores that do not belong
    // together) exit 2; the machine (a held data dir, an unreachable database) 1.
    return serving.status().code() == StatusCode::kInvalidArgument ? kExitBadInput : kExitFailure;
  }
  http::HttpServer server(server_config, serving->stack->api());
  auto port = server.Listen();
  if (!port.ok()) {
    PrintError(kCommand, port.status().message());
    return kExitFailure;
  }
  std::cout << "diamond: listening on http://" << server_config.address << ":" << *port
            << " (storage: " << serving->storage << "; API reference at /docs)" << std::endl;
  server.Run();
  serving->stack.reset();  // drains the work pool, then stops the job workers
  Log(LogLevel::kInfo, "stopped");
  return kExitOk;
}

}  // namespace diamond::app
