// HttpServer: HTTP/1.1 over Boost.Beast/Asio, in front of an Api.
//
// Shape (after Beast's advanced server): a listener accepting connections, one session
// per connection reading a request at a time with a fresh parser (header and body size
// limits, a read timeout that also closes slow-loris connections), keep-alive honoured,
// 100-continue answered. Handlers run through Api::Handle, never on socket code.
// SIGINT/SIGTERM stop accepting, close idle connections, let in-flight requests finish.
// Boost.Beast is included only in server.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/api.h"

namespace diamond::http {

struct ServerConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 = any free port
  int io_threads = 2;
  size_t body_limit = 64 << 20;
  size_t header_limit = 16 << 10;
  std::chrono::seconds read_timeout{30};  // to read one request, or wait for the next
};

class HttpServer {
 public:
  HttpServer(ServerConfig config, Api& api);
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
