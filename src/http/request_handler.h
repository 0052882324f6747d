// RequestHandler: what the HTTP server (server.h) hands each request to. The full API
// (api.h) is one; the worker's ops listener (ops_listener.h), which answers only probes
// and metrics, is the other. The server knows nothing else of either.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "http/http_types.h"

namespace diamond::http {

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;

  // Calls `done` exactly once with the response, on the calling thread or another.
  virtual void Handle(HttpRequest request, std::function<void(HttpResponse)> done) = 0;

  // Given a request's header before its body is read: when it will be refused whatever its
  // body says, answers it now through `done` (on the calling thread) and returns true, and
  // the server never reads the body. The default reads every body.
  virtual bool AnswerBeforeBody(HttpRequest& /*head*/,
                                const std::function<void(HttpResponse)>& /*done*/) {
    return false;
  }

  // Reads the next piece (at most `max` bytes) of a streamed response body, then calls
  // `done` with the outcome and the bytes. The default reads on the calling thread.
  virtual void ReadPiece(std::shared_ptr<StreamedBody> body, size_t max,
                         std::function<void(bool, std::string)> done) {
    std::string piece;
    const bool ok = body->read(max, &piece);
    done(ok, std::move(piece));
  }

  // The server is stopping: anything holding a request open should answer it now.
  virtual void BeginShutdown() {}
};

}  // namespace diamond::http
