#include <utility>  // before Boost.Asio with g++ 12 and C++20 (see DESIGN.md)

#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <set>
#include <thread>

#include "base/logger.h"
#include "base/mutex.h"
#include "http/problem.h"

namespace diamond::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Session;

struct HttpServer::Impl {
  Impl(ServerConfig c, Api& a) : config(std::move(c)), api(a), acceptor(io), signals(io, SIGINT, SIGTERM) {}

  void Accept();
  void BeginStop();

  ServerConfig config;
  Api& api;
  net::io_context io;
  tcp::acceptor acceptor;
  net::signal_set signals;
  std::atomic<bool> stopping{false};
  Mutex sessions_mutex;
  std::set<std::weak_ptr<Session>, std::owner_less<std::weak_ptr<Session>>> sessions GUARDED_BY(sessions_mutex);
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server)
      : stream_(std::move(socket)), server_(server) {
    // Beast reads max(512, free capacity) bytes at a time, and a flat buffer grows only to
    // what it was asked for: without room reserved, every request over 512 bytes (an
    // Open Inference Protocol request for one stone is ~800) takes two reads and two trips
    // through the executor. 4 KiB holds a typical request whole in one read.
    buffer_.reserve(4096);
  }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Called at shutdown: a connection waiting for its next request is closed now; one in
  // the middle of a request closes after its response.
  void CloseIfIdle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->Close();
    });
  }

 private:
  void ReadHeader() {
    idle_ = true;
    parser_.emplace();
    parser_->body_limit(server_.config.body_limit);
    parser_->header_limit(static_cast<uint32_t>(server_.config.header_limit));
    stream_.expires_after(server_.config.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               self->OnHeader(ec);
                             });
  }

  void OnHeader(beast::error_code ec) {
    idle_ = false;
    if (ec) return OnReadError(ec);
    auto& request = parser_->get();
    if (beast::iequals(request[bhttp::field::expect], "100-continue")) {
      // The client waits for this before sending a large body.
      auto interim = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, request.version());
      bhttp::async_write(stream_, *interim, [self = shared_from_this(), interim](beast::error_code wec, size_t) {
        if (wec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    // Most bodies arrive in the same packets as their header: parse what is buffered now
    // and skip a second asynchronous read when that completes the message.
    while (!parser_->is_done() && buffer_.size() > 0) {
      beast::error_code put_ec;
      const size_t used = parser_->put(buffer_.data(), put_ec);
      buffer_.consume(used);
      if (put_ec == bhttp::error::need_more) break;
      if (put_ec) return OnReadError(put_ec);
      if (used == 0) break;
    }
    if (parser_->is_done()) return OnRead({});
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->OnRead(ec);
    });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return Close();  // the peer left, or was too slow: nothing to answer
    }
    HttpResponse problem;
    if (ec == bhttp::error::body_limit) {
      problem = Problem(413, "payload-too-large", "Payload too large",
                        "the body is larger than " + std::to_string(server_.config.body_limit) + " bytes");
    } else if (ec == bhttp::error::header_limit) {
      problem = Problem(431, "headers-too-large", "Request headers too large",
                        "the headers are larger than " + std::to_string(server_.config.header_limit) + " bytes");
    } else {
      problem = Problem(400, "bad-request", "Malformed HTTP request", ec.message());
    }
    // The stream is out of step after a parse error: answer, then close.
    Write(std::move(problem), /*keep_alive=*/false, 11);
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto message = parser_->release();
    HttpRequest request;
    request.method = std::string(message.method_string());
    const std::string_view target(message.target().data(), message.target().size());
    const size_t question = target.find('?');
    request.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos &&
        !ParseQueryString(target.substr(question + 1), &request.query)) {
      return Write(Problem(400, "bad-request", "Malformed query string", "a %-escape is malformed"),
                   message.keep_alive(), message.version());
    }
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (char& c : name) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));  // ASCII; no locale
      }
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(message.body());
    const bool keep_alive = message.keep_alive();
    const unsigned version = message.version();
    stream_.expires_never();  // the handler may take a while (training with wait)
    // The guard keeps io.run() alive while a pool thread works on this request.
    auto guard = net::make_work_guard(server_.io);
    server_.api.Handle(std::move(request),
                       [self = shared_from_this(), keep_alive, version, guard](HttpResponse response) mutable {
                         // Deferred, not written at once: the write joins the back of this
                         // thread's queue, behind the requests the same poll found on other
                         // connections, so a burst of answers goes out together. Each answer
                         // sent while the client sleeps costs us its wake-up (2-4 µs in a
                         // VM); sent back to back, most find it awake — 30 % more answers a
                         // second at 32 connections, about 1 µs more for a lone request
                         // (docs/performance.md). defer on the io_context, not on the
                         // strand, so that no idle I/O thread is woken to run it.
                         auto& io = self->server_.io;
                         net::defer(io, [self = std::move(self), response = std::move(response), keep_alive,
                                         version]() mutable {
                           net::dispatch(self->stream_.get_executor(),
                                         [self, response = std::move(response), keep_alive, version]() mutable {
                                           self->Write(std::move(response), keep_alive, version);
                                         });
                         });
                         guard.reset();
                       });
  }

  // The response as one buffer, written with a single async_write. Beast's serializer
  // costs about 0.8 µs per header field here (a field-name lookup and a buffer in a
  // concatenated view each); a flat string costs a memcpy. Only this function writes
  // responses, so the framing rules live here: Content-Length always, Connection when
  // it differs from the version's default.
  void Write(HttpResponse response, bool keep_alive, unsigned version) {
    keep_alive = keep_alive && !server_.stopping;
    const unsigned status = static_cast<unsigned>(response.status);
    const beast::string_view reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
    auto text = std::make_shared<std::string>();
    text->reserve(160 + response.body.size() + response.headers.size() * 48 + response.header_lines.size());
    *text += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    *text += std::to_string(status);
    *text += ' ';
    text->append(reason.data(), reason.size());
    *text += "\r\nServer: diamond\r\nContent-Type: ";
    *text += response.content_type;
    *text += "\r\nContent-Length: ";
    *text += std::to_string(response.streamed ? response.streamed->size : static_cast<int64_t>(response.body.size()));
    *text += "\r\n";
    if (version == 10 && keep_alive) *text += "Connection: keep-alive\r\n";
    if (version != 10 && !keep_alive) *text += "Connection: close\r\n";
    for (const auto& [name, value] : response.headers) {
      *text += name;
      *text += ": ";
      *text += value;
      *text += "\r\n";
    }
    *text += response.header_lines;
    *text += "\r\n";
    *text += response.body;
    stream_.expires_after(server_.config.read_timeout);
    net::async_write(stream_, net::buffer(*text),
                     [self = shared_from_this(), text, keep_alive, streamed = std::move(response.streamed)](
                         beast::error_code ec, size_t) mutable {
                       if (ec) return self->Close();
                       if (streamed) {
                         const int64_t size = streamed->size;  // before the pointer moves
                         return self->WritePieces(std::move(streamed), size, keep_alive);
                       }
                       if (!keep_alive) return self->Close();
                       self->ReadHeader();
                     });
  }

  // The rest of a streamed body, `left` bytes, a piece at a time: each is read on the work
  // pool (reads may block on the blob store) and written before the next is read, so a
  // download holds one piece in memory however large it is and however slow its reader.
  void WritePieces(std::shared_ptr<StreamedBody> body, int64_t left, bool keep_alive) {
    if (left == 0) {
      if (!keep_alive) return Close();
      return ReadHeader();
    }
    constexpr int64_t kPieceBytes = int64_t{1} << 20;
    auto guard = net::make_work_guard(server_.io);  // io.run() waits for the read
    server_.api.ReadPiece(body, static_cast<size_t>(std::min(left, kPieceBytes)),
                          [self = shared_from_this(), body, left, keep_alive, guard](bool ok, std::string piece) mutable {
                            net::dispatch(self->stream_.get_executor(), [self, body = std::move(body), left, keep_alive, ok,
                                                                         piece = std::move(piece)]() mutable {
                              if (!ok || piece.empty() || static_cast<int64_t>(piece.size()) > left) return self->Close();
                              auto text = std::make_shared<std::string>(std::move(piece));
                              self->stream_.expires_after(self->server_.config.read_timeout);
                              net::async_write(self->stream_, net::buffer(*text),
                                               [self, body = std::move(body), text, left, keep_alive](
                                                   beast::error_code ec, size_t) mutable {
                                                 if (ec) return self->Close();
                                                 self->WritePieces(std::move(body),
                                                                   left - static_cast<int64_t>(text->size()), keep_alive);
                                               });
                            });
                            guard.reset();
                          });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  HttpServer::Impl& server_;
  bool idle_ = true;
};

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;  // stopping
      Log(LogLevel::kWarn, "accept failed", {{"error", ec.message()}});
    } else {
      auto session = std::make_shared<Session>(std::move(socket), *this);
      {
        MutexLock lock(sessions_mutex);
        for (auto it = sessions.begin(); it != sessions.end();) {
          it = it->expired() ? sessions.erase(it) : std::next(it);
        }
        sessions.insert(session);
      }
      session->Start();
    }
    if (!stopping) Accept();
  });
}

void HttpServer::Impl::BeginStop() {
  if (stopping.exchange(true)) return;
  Log(LogLevel::kInfo, "shutting down: finishing in-flight requests");
  api.BeginShutdown();
  net::post(io, [this] {
    beast::error_code ignored;
    acceptor.close(ignored);
    signals.cancel(ignored);
    MutexLock lock(sessions_mutex);
    for (const auto& weak : sessions) {
      if (auto session = weak.lock()) session->CloseIfIdle();
    }
  });
}

HttpServer::HttpServer(ServerConfig config, Api& api)
    : impl_(std::make_unique<Impl>(std::move(config), api)) {}

HttpServer::~HttpServer() = default;

Result<uint16_t> HttpServer::Listen() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->config.address, ec);
  if (ec) return Status::InvalidArgument("invalid listen address '" + impl_->config.address + "'");
  tcp::endpoint endpoint(address, impl_->config.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("cannot listen on " + impl_->config.address + ":" +
                           std::to_string(impl_->config.port) + ": " + ec.message());
  }
  return acceptor.local_endpoint().port();
}

void HttpServer::Run() {
  impl_->signals.async_wait([this](beast::error_code ec, int) {
    if (!ec) impl_->BeginStop();
  });
  impl_->Accept();
  std::vector<std::thread> threads;
  for (int i = 1; i < impl_->config.io_threads; ++i) threads.emplace_back([this] { impl_->io.run(); });
  impl_->io.run();
  for (auto& t : threads) t.join();
}

void HttpServer::Stop() { impl_->BeginStop(); }

}  // namespace diamond::http
