#include "http/server.h"

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <map>
#include <thread>
#include <utility>  // before Boost.Asio with g++ 12 and C++20 (see DESIGN.md)

#include "base/log_throttle.h"
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
  Impl(ServerConfig c, RequestHandler& a)
      : config(std::move(c)),
        api(a),
        addresses(config.limits.max_per_address),
        acceptor(io),
        accept_pause(io),
        signals(io, SIGINT, SIGTERM) {}

  void Accept();
  void PauseAccepting();
  void Admit(tcp::socket socket);
  void Forget(const std::string& counted_address);
  void PruneClosedSessions() REQUIRES(sessions_mutex);
  bool EvictOneWaiting() REQUIRES(sessions_mutex);
  void BeginStop();

  ServerConfig config;
  RequestHandler& api;
  // Declared before the io_context: a session's destructor updates them, and the
  // io_context's destructor may destroy the last handlers that hold sessions.
  std::atomic<size_t> open_connections{0};
  std::atomic<size_t> closing{0};  // of those, claimed to make room and about to close
  Mutex addresses_mutex;           // taken after sessions_mutex or alone, never before it
  AddressCounts addresses GUARDED_BY(addresses_mutex);
  net::io_context io;
  tcp::acceptor acceptor;
  net::steady_timer accept_pause;  // waits out a lack of descriptors
  std::chrono::milliseconds accept_backoff{0};
  net::signal_set signals;
  std::atomic<bool> stopping{false};
  // Lines that a client can make repeat: at most one each per interval, with a count.
  LogThrottle accept_failures{std::chrono::seconds(10)};
  LogThrottle refusals{std::chrono::seconds(10)};
  // Every connection by id, which is the order they were accepted in: the first one
  // waiting for a request is the one closed to make room. Closed ones leave the map when
  // it is next pruned: a session's destructor must not take this lock, which is held
  // while weak pointers are locked (and a locked pointer may be the last one).
  Mutex sessions_mutex;
  uint64_t next_id GUARDED_BY(sessions_mutex) = 0;
  std::map<uint64_t, std::weak_ptr<Session>> sessions GUARDED_BY(sessions_mutex);
};

std::optional<std::string_view> OptionalField(const bhttp::request<bhttp::string_body>& message,
                                              beast::string_view name) {
  auto it = message.find(name);
  if (it == message.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  // Bodies up to this size are read with their header before anything is decided.
  static constexpr uint64_t kSmallBodyBytes = 64 << 10;

  // `counted`: the connection counts against its address's cap (not a trusted proxy's).
  Session(tcp::socket socket, HttpServer::Impl& server, std::string peer, bool counted)
      : stream_(std::move(socket)), server_(server), peer_(std::move(peer)), counted_(counted) {
    // Beast reads max(512, free capacity) bytes at a time, and a flat buffer grows only to
    // what it was asked for: without room reserved, every request over 512 bytes (an
    // Open Inference Protocol request for one stone is ~800) takes two reads and two trips
    // through the executor. 4 KiB holds a typical request whole in one read.
    buffer_.reserve(4096);
  }
  ~Session() {
    if (claimed_.exchange(false)) --server_.closing;
    server_.Forget(counted_ ? peer_ : std::string());
  }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Called at shutdown: a connection waiting for its next request is closed now; one in
  // the middle of a request closes after its response.
  void CloseIfIdle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->waiting_) self->Close();
    });
  }

  // What a connection is doing, as far as making room goes: a connection inside a header
  // that has not ended (how slow-header clients hold slots) goes before one idle between
  // requests (a well-behaved kept-alive client); one busy with a request never goes.
  enum EvictionClass : uint8_t { kBusy = 0, kIdle = 1, kInHeader = 2 };

  bool Is(EvictionClass what) const { return eviction_class_.load() == what; }
  const std::string& peer() const { return peer_; }
  bool counted() const { return counted_; }

  // Claims this connection to be closed for a newer one, if it is in class `wanted`. From
  // any thread; true once per connection. The close itself runs on the connection's
  // strand, and leaves a connection alone whose header has ended meanwhile.
  bool ClaimForEviction(EvictionClass wanted) {
    uint8_t expected = wanted;
    if (!eviction_class_.compare_exchange_strong(expected, kBusy)) return false;
    // Counted as gone from now on (Impl::closing), so that the connections accepted before
    // this close runs do not each claim another one.
    claimed_ = true;
    ++server_.closing;
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->waiting_) return self->Close();
      // Its request arrived meanwhile: it stays, and counts again.
      if (self->claimed_.exchange(false)) --self->server_.closing;
    });
    return true;
  }

 private:
  using Clock = std::chrono::steady_clock;

  // Waits for the next request's first byte for up to idle_timeout, then gives its header
  // header_timeout: a client that trickles a header (slowloris) is dropped in seconds,
  // while a kept-alive connection may sit quiet for as long as an idle one may.
  void ReadHeader() {
    SetWaiting(true);
    parser_.emplace();
    parser_->body_limit(server_.config.body_limit);
    parser_->header_limit(static_cast<uint32_t>(server_.config.header_limit));
    if (buffer_.size() > 0) return ContinueHeader();  // a pipelined request is here already
    stream_.expires_after(server_.config.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->OnReadError(ec);
                              self->buffer_.commit(n);
                              self->ContinueHeader();
                            });
  }

  // Some of a request is buffered: parse what is there, read the rest of the header
  // within header_timeout of now.
  void ContinueHeader() {
    beast::error_code ec;
    const size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (parser_->is_header_done()) return OnHeader({});
    if (ec && ec != bhttp::error::need_more) return OnReadError(ec);
    // Unless claimed for closing meanwhile, now a connection inside a header.
    uint8_t idle = kIdle;
    eviction_class_.compare_exchange_strong(idle, kInHeader);
    stream_.expires_after(server_.config.header_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void SetWaiting(bool waiting) {
    waiting_ = waiting;
    eviction_class_.store(waiting ? kIdle : kBusy);
  }

  void OnHeader(beast::error_code ec) {
    SetWaiting(false);
    if (ec) return OnReadError(ec);
    body_started_ = Clock::now();
    body_bytes_ = 0;
    auto& request = parser_->get();
    // Only chunked framing is understood: anything else (gzip, or gzip then chunked) would
    // be read as no body, or as a body in an encoding nobody decodes.
    if (const auto te = request[bhttp::field::transfer_encoding];
        !te.empty() && !beast::iequals(te, "chunked")) {
      return Write(Problem(400, "bad-request", "Unsupported Transfer-Encoding",
                           "only 'Transfer-Encoding: chunked' is accepted (or a Content-Length)"),
                   /*keep_alive=*/false, request.version());
    }
    const bool expects_continue = beast::iequals(request[bhttp::field::expect], "100-continue");
    if (AnsweredBeforeBody(expects_continue)) return;
    if (expects_continue) {
      // The client waits for this before sending a large body.
      auto interim = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                          request.version());
      bhttp::async_write(stream_, *interim,
                         [self = shared_from_this(), interim](beast::error_code wec, size_t) {
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

  // The body, a read at a time, each with the deadline its rate rule gives: body_grace
  // after the header, plus one second per body_min_rate bytes received. A client sending
  // at least that fast never meets it; one that stalls meets it within body_grace.
  void ReadBody() {
    const auto allowance =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
            static_cast<double>(body_bytes_) /
            static_cast<double>(std::max<size_t>(1, server_.config.body_min_rate))));
    stream_.expires_at(body_started_ + server_.config.body_grace + allowance);
    bhttp::async_read_some(stream_, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code ec, size_t n) {
                             if (ec) return self->OnRead(ec);
                             self->body_bytes_ += n;
                             if (self->parser_->is_done()) return self->OnRead({});
                             self->ReadBody();
                           });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return Close();  // the peer left, or was too slow: nothing to answer
    }
    HttpResponse problem;
    if (ec == bhttp::error::body_limit) {
      problem = Problem(
          413, "payload-too-large", "Payload too large",
          "the body is larger than " + std::to_string(server_.config.body_limit) + " bytes");
    } else if (ec == bhttp::error::header_limit) {
      problem = Problem(
          431, "headers-too-large", "Request headers too large",
          "the headers are larger than " + std::to_string(server_.config.header_limit) + " bytes");
    } else {
      problem = Problem(400, "bad-request", "Malformed HTTP request", ec.message());
    }
    // The stream is out of step after a parse error: answer, then close.
    Write(std::move(problem), /*keep_alive=*/false, 11);
  }

  // The request's line and header fields as an HttpRequest (no body); false when its
  // query string is malformed.
  bool ToRequest(const bhttp::request<bhttp::string_body>& message, HttpRequest* request) const {
    request->method = std::string(message.method_string());
    request->client_address = server_.config.limits.trusted_proxies.empty()
                                  ? peer_
                                  : ClientAddress(peer_, OptionalField(message, "X-Forwarded-For"),
                                                  server_.config.limits.trusted_proxies);
    const std::string_view target(message.target().data(), message.target().size());
    const size_t question = target.find('?');
    request->path = std::string(target.substr(0, question));
    if (question != std::string_view::npos &&
        !ParseQueryString(target.substr(question + 1), &request->query)) {
      return false;
    }
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (char& c : name) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));  // ASCII; no locale
      }
      request->headers.emplace_back(std::move(name), std::string(field.value()));
    }
    return true;
  }

  // A request announcing a large body (or waiting for 100 Continue) that will be refused
  // whatever its body says — no key on a route that needs one — is answered from its
  // header, and its body is never read (a keyless 60 MiB body used to be read in full,
  // and 100 Continue sent, before the 401). True when answered.
  bool AnsweredBeforeBody(bool expects_continue) {
    const auto& message = parser_->get();
    if (!expects_continue && !parser_->chunked() &&
        parser_->content_length().value_or(0) <= kSmallBodyBytes) {
      return false;  // small: read with its header anyway, and refused the usual way
    }
    HttpRequest head;
    if (!ToRequest(message, &head)) return false;  // answered 400 once read
    const unsigned version = message.version();
    return server_.api.AnswerBeforeBody(head, [this, version](HttpResponse response) {
      linger_ = true;  // the client may still be sending the body: let it, then close
      Write(std::move(response), /*keep_alive=*/false, version);
    });
  }

  // After an answer sent before the body: no more writes, and what the client still sends
  // is read and dropped for a moment, so that its side sees the answer rather than a
  // reset (closing with unread bytes would send one).
  void Linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    // Two seconds in all, however fast the client keeps sending.
    if (linger_until_ == Clock::time_point{})
      linger_until_ = Clock::now() + std::chrono::seconds(2);
    stream_.expires_at(linger_until_);
    auto discard = std::make_shared<std::array<char, 16384>>();
    stream_.async_read_some(net::buffer(*discard),
                            [self = shared_from_this(), discard](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->Linger();
                            });
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto message = parser_->release();
    HttpRequest request;
    if (!ToRequest(message, &request)) {
      return Write(Problem(400, "bad-request", "Malformed query string", "a %-escape is malformed"),
                   message.keep_alive(), message.version());
    }
    request.body = std::move(message.body());
    const bool keep_alive = message.keep_alive();
    const unsigned version = message.version();
    stream_.expires_never();  // the handler may take a while (training with wait)
    // The guard keeps io.run() alive while a pool thread works on this request.
    auto guard = net::make_work_guard(server_.io);
    server_.api.Handle(std::move(request), [self = shared_from_this(), keep_alive, version,
                                            guard](HttpResponse response) mutable {
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
    text->reserve(160 + response.body.size() + response.headers.size() * 48 +
                  response.header_lines.size());
    *text += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    *text += std::to_string(status);
    *text += ' ';
    text->append(reason.data(), reason.size());
    *text += "\r\nServer: diamond\r\nContent-Type: ";
    *text += response.content_type;
    *text += "\r\nContent-Length: ";
    *text += std::to_string(response.streamed ? response.streamed->size
                                              : static_cast<int64_t>(response.body.size()));
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
    stream_.expires_after(server_.config.idle_timeout);
    net::async_write(
        stream_, net::buffer(*text),
        [self = shared_from_this(), text, keep_alive, streamed = std::move(response.streamed)](
            beast::error_code ec, size_t) mutable {
          if (ec) return self->Close();
          if (self->linger_) return self->Linger();
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
    server_.api.ReadPiece(
        body, static_cast<size_t>(std::min(left, kPieceBytes)),
        [self = shared_from_this(), body, left, keep_alive, guard](bool ok,
                                                                   std::string piece) mutable {
          net::dispatch(
              self->stream_.get_executor(), [self, body = std::move(body), left, keep_alive, ok,
                                             piece = std::move(piece)]() mutable {
                if (!ok || piece.empty() || static_cast<int64_t>(piece.size()) > left)
                  return self->Close();
                auto text = std::make_shared<std::string>(std::move(piece));
                self->stream_.expires_after(self->server_.config.idle_timeout);
                net::async_write(self->stream_, net::buffer(*text),
                                 [self, body = std::move(body), text, left, keep_alive](
                                     beast::error_code ec, size_t) mutable {
                                   if (ec) return self->Close();
                                   self->WritePieces(std::move(body),
                                                     left - static_cast<int64_t>(text->size()),
                                                     keep_alive);
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
  const std::string peer_;  // the peer's address, as text
  const bool counted_;
  bool waiting_ = true;  // on the strand: between requests or inside a header
  std::atomic<uint8_t> eviction_class_{kIdle};  // for other threads; kBusy once claimed
  std::atomic<bool> claimed_{false};            // claimed for closing, and counted in Impl::closing
  Clock::time_point body_started_;
  size_t body_bytes_ = 0;
  bool linger_ = false;  // answered before the body: drain, then close
  Clock::time_point linger_until_;
};

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;  // stopping
    if (ec) {
      int64_t held_back = 0;
      if (accept_failures.Admit(&held_back)) {
        Log(LogLevel::kWarn, "accept failed",
            {{"error", ec.message()}, {"repeats_not_logged", held_back}});
      }
      // Out of descriptors (or kernel memory): the pending connection stays in the backlog
      // and accepting again at once fails again — the loop would spin. Free a slot held by
      // a connection that is only waiting, and try again after a pause that doubles.
      const int code = ec.value();
      if (ec.category() == boost::system::system_category() &&
          (code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM)) {
        {
          MutexLock lock(sessions_mutex);
          EvictOneWaiting();
        }
        return PauseAccepting();
      }
    } else {
      accept_backoff = std::chrono::milliseconds(0);
      Admit(std::move(socket));
    }
    if (!stopping) Accept();
  });
}

void HttpServer::Impl::PauseAccepting() {
  accept_backoff = std::clamp(accept_backoff * 2, std::chrono::milliseconds(10),
                              std::chrono::milliseconds(1000));
  accept_pause.expires_after(accept_backoff);
  accept_pause.async_wait([this](beast::error_code ec) {
    if (!ec && !stopping) Accept();
  });
}

bool HttpServer::Impl::EvictOneWaiting() {
  // In this order, oldest first within each: a connection inside a header from an address
  // that holds others, an idle one from such an address, then the same from any address.
  // A client holding many slots loses them before one holding a single slot (a browser,
  // a well-behaved API client between its requests) loses that.
  auto shares_address = [this](const Session& session) {
    if (!session.counted()) return false;  // a trusted proxy speaks for many clients
    MutexLock lock(addresses_mutex);
    return addresses.Count(session.peer()) > 1;
  };
  for (const bool only_shared : {true, false}) {
    for (auto wanted : {Session::kInHeader, Session::kIdle}) {
      for (auto& [id, weak] : sessions) {
        auto session = weak.lock();
        if (!session || !session->Is(wanted)) continue;
        if (only_shared && !shares_address(*session)) continue;
        if (session->ClaimForEviction(wanted)) return true;
      }
    }
  }
  return false;
}

void HttpServer::Impl::PruneClosedSessions() {
  // Amortised: a sweep when closed entries could outnumber open ones.
  if (sessions.size() < 2 * open_connections.load() + 64) return;
  std::erase_if(sessions, [](const auto& entry) { return entry.second.expired(); });
}

void HttpServer::Impl::Admit(tcp::socket socket) {
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return;  // the peer is gone already; closing the socket is all there is to do
  std::string peer = endpoint.address().to_string();
  const bool counted = !IsTrustedProxy(peer, config.limits.trusted_proxies);
  const char* refused = nullptr;
  std::shared_ptr<Session> session;
  {
    MutexLock lock(sessions_mutex);
    PruneClosedSessions();
    bool added = true;
    if (counted) {
      MutexLock address_lock(addresses_mutex);
      added = addresses.TryAdd(peer);
    }
    if (!added) {
      refused = "over the connections-per-address cap";
    } else if (open_connections.load() - std::min(closing.load(), open_connections.load()) >=
                   config.limits.max_connections &&
               !EvictOneWaiting()) {
      // Room is made by closing the oldest connection that only waits for a request;
      // when every one is busy with a request, the new one is turned away.
      refused = "over the connection cap, every connection busy";
      if (counted) {
        MutexLock address_lock(addresses_mutex);
        addresses.Remove(peer);
      }
    } else {
      ++open_connections;
      session = std::make_shared<Session>(std::move(socket), *this, peer, counted);
      sessions.emplace(next_id++, session);
    }
  }
  if (refused) {
    int64_t held_back = 0;
    if (refusals.Admit(&held_back)) {
      Log(LogLevel::kWarn, "connection refused",
          {{"reason", refused}, {"client", peer}, {"repeats_not_logged", held_back}});
    }
    socket.close(ec);
    return;
  }
  session->Start();
}

void HttpServer::Impl::Forget(const std::string& counted_address) {
  --open_connections;
  if (counted_address.empty()) return;
  MutexLock lock(addresses_mutex);
  addresses.Remove(counted_address);
}

void HttpServer::Impl::BeginStop() {
  if (stopping.exchange(true)) return;
  Log(LogLevel::kInfo, "shutting down: finishing in-flight requests");
  api.BeginShutdown();
  net::post(io, [this] {
    beast::error_code ignored;
    acceptor.close(ignored);
    signals.cancel(ignored);
    accept_pause.cancel();
    MutexLock lock(sessions_mutex);
    for (const auto& [id, weak] : sessions) {
      if (auto session = weak.lock()) session->CloseIfIdle();
    }
  });
}

HttpServer::HttpServer(ServerConfig config, RequestHandler& api)
    : impl_(std::make_unique<Impl>(std::move(config), api)) {}

HttpServer::~HttpServer() = default;

Result<uint16_t> HttpServer::Listen() {
  auto& limits = impl_->config.limits;
  const size_t open_files = RaiseOpenFileLimit();
  if (limits.max_connections == 0) limits.max_connections = DefaultMaxConnections(open_files);
  Log(LogLevel::kInfo, "connection limits",
      {{"max_connections", limits.max_connections},
       {"max_connections_per_ip", limits.max_per_address},
       {"open_file_limit", open_files},
       {"trusted_proxies", limits.trusted_proxies}});
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
  for (int i = 1; i < impl_->config.io_threads; ++i)
    threads.emplace_back([this] { impl_->io.run(); });
  impl_->io.run();
  for (auto& t : threads) t.join();
}

void HttpServer::Stop() { impl_->BeginStop(); }

}  // namespace diamond::http
