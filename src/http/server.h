// HttpServer: HTTP/1.1 over Boost.Beast/Asio, in front of a RequestHandler (the Api, or
// the worker's ops listener).
//
// Shape (after Beast's advanced server): a listener accepting connections, one session
// per connection reading a request at a time with a fresh parser (header and body size
// limits), keep-alive honoured, 100-continue answered. Handlers run through
// RequestHandler::Handle, never on socket code. SIGINT/SIGTERM stop accepting, close idle
// connections, let in-flight requests finish.
//
// Against clients that hold connections without finishing requests (docs/operations.md,
// "Connections"): three deadlines — the wait for a request's first byte on a kept-alive
// connection (idle_timeout), the rest of its header (header_timeout, a few seconds), and
// its body, which must arrive at an average of at least body_min_rate bytes a second after
// body_grace; caps on connections in total and per client address (connection_limits.h),
// a waiting connection closed to make room for a new one (from an address that holds
// several first, inside a header before idle, oldest first); and an
// accept loop that pauses, with back-off, when the process is out of descriptors, logging
// once per interval with a count instead of once per attempt.
// Boost.Beast is included only in server.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/connection_limits.h"
#include "http/request_handler.h"

namespace diamond::http {

struct ServerConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 = any free port
  int io_threads = 2;
  size_t body_limit = 64 << 20;
  size_t header_limit = 16 << 10;
  std::chrono::seconds idle_timeout{30};   // a kept-alive connection's wait for its next request
  std::chrono::seconds header_timeout{5};  // from a request's first byte to its header's end
  std::chrono::seconds body_grace{10};     // a body's allowance before its rate counts
  size_t body_min_rate = 16 << 10;         // bytes a second a body must average after that
  ConnectionLimitsConfig limits;
};

class HttpServer {
 public:
  HttpServer(ServerConfig config, RequestHandler& handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns the port (useful with port 0).
  Result<uint16_t> Listen();
  // Serves until a signal or Stop(); returns when every connection is closed.
  void Run();
  // Thread-safe; returns at once (Run() returns once drained).
  void Stop();

  struct Impl;  // public so server.cc's session class can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace diamond::http
