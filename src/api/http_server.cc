// The HTTP/1.1 server on Boost.Beast and Asio, behind HttpServer's pimpl
// (they are slow to compile: only this file, api/http_transport.h and the
// client include them).
//
// Each I/O thread runs its own io_context, and each connection lives on one
// of them (given out in turn as connections arrive), so a connection's
// handlers run one at a time without a strand and the threads share no
// queue. (Against one io_context shared by the threads, with a strand per
// connection: GET /health 1.1-1.2x as many requests a second on two cores,
// with less CPU; bench/http/run_http.sh.) The price: a connection's work
// waits for its own thread even when another is idle, so a long task (a
// 10,000-line batch parsed, a token read from tokens.db on a cache miss)
// delays the connections that share its thread. No handler waits on a
// client, so a slow client costs a socket and a buffer, never a thread.
// A connection waits for its next request up to the idle timeout, then
// must deliver the whole request within the read timeout (slow-header and
// slow-body clients are cut off).
#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <csignal>
#include <deque>
#include <mutex>
#include <thread>

#include "api/http.h"
#include "api/http_transport.h"
#include "api/problem.h"
#include "core/thread_name.h"
#include "core/unshared_heap.h"

namespace zg::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

// A request id the client may pass: short, and safe to put in a log line.
bool usable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpHandler& handler, HttpLimits limits)
      : handler_(handler), limits_(limits), acceptor_(io_), signals_(io_, SIGINT, SIGTERM) {
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, 0) != sizeof seed) seed = 0x5eed;
    id_base_ = seed;
  }

  std::string listen(const std::string& address) {
    const size_t colon = address.rfind(':');
    if (colon == std::string::npos) return "--listen takes HOST:PORT, not " + address;
    const std::string host = address.substr(0, colon);
    const std::string port = address.substr(colon + 1);
    beast::error_code ec;
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(host, port, ec);
    if (ec || endpoints.empty()) return "cannot resolve " + address + ": " + ec.message();
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return "cannot listen on " + address + ": " + ec.message();
    return "";
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  std::string use_tls(const std::string& certificate_file, const std::string& key_file) {
    tls_.emplace(ssl::context::tls_server);
    tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    tls_->use_certificate_chain_file(certificate_file, ec);
    if (ec) return "cannot read the TLS certificate " + certificate_file + ": " + ec.message();
    tls_->use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec) return "cannot read the TLS key " + key_file + ": " + ec.message();
    return "";
  }

  void run(int threads, std::function<void()> on_signal) {
    // The first thread runs io_ (the acceptor, the signals, its share of
    // the connections); each other one its own context, kept running by a
    // guard until io_.run() returns.
    for (int i = 1; i < threads; ++i) others_.push_back(std::make_unique<net::io_context>(1));
    std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
    for (const auto& other : others_) guards.push_back(net::make_work_guard(*other));
    on_signal_ = std::move(on_signal);
    signals_.async_wait([this](const beast::error_code& ec, int) {
      if (ec) return;
      if (on_signal_) on_signal_();
      // A second signal while draining ends the process at once: what was
      // answered is in the journal; only the closing snapshot is skipped.
      signals_.async_wait([](const beast::error_code& again, int) {
        if (again) return;
        static constexpr char kMessage[] = "zonegate serve: second signal, stopping now\n";
        [[maybe_unused]] const ssize_t n = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
        std::_Exit(130);
      });
    });
    accept();
    std::vector<std::thread> pool;
    for (const auto& other : others_) {
      pool.emplace_back([context = other.get()] {
        name_this_thread("zg-http");
        unshared_heap::use_for_this_thread();  // a snapshot's child has no use for it
        context->run();
      });
    }
    unshared_heap::use_for_this_thread();
    io_.run();
    // stop() stops io_ alone (so it may come before this function made the
    // other contexts, or while it does); the others stop with it here.
    guards.clear();
    for (const auto& other : others_) other->stop();
    for (std::thread& t : pool) t.join();
  }

  // The context of the next connection: each in turn. Called on io_'s thread
  // only (the acceptor's handler).
  net::io_context& next_context() {
    const size_t turn = next_context_++ % (others_.size() + 1);
    return turn == 0 ? io_ : *others_[turn - 1];
  }

  void stop_accepting() {
    net::post(io_, [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
  }
  void stop() { io_.stop(); }

  HttpCounters counters() const {
    HttpCounters c;
    c.connections_open = open_.load();
    c.connections_total = total_.load();
    c.timeouts = timeouts_.load();
    c.refused_connections = refused_.load();
    c.parse_errors = parse_errors_.load();
    return c;
  }

  std::string next_request_id() {
    const uint64_t n = id_base_ + counter_.fetch_add(1) * 0x9E3779B97F4A7C15ull;
    char text[24];
    std::snprintf(text, sizeof text, "r-%016llx", static_cast<unsigned long long>(n));
    return text;
  }

  class StreamTarget;
  class Session;
  class Sink;

  HttpHandler& handler_;
  const HttpLimits limits_;
  // What sessions use is declared before the contexts, so that it outlives
  // the sessions a context destroys with its pending handlers.
  std::atomic<uint64_t> open_{0}, total_{0}, timeouts_{0}, refused_{0}, parse_errors_{0};
  std::atomic<uint64_t> counter_{0};
  uint64_t id_base_ = 0;
  std::optional<ssl::context> tls_;  // set: connections speak TLS
  // others_ before io_: a pending accept in io_ holds a socket of one of
  // them, so io_ goes first.
  std::vector<std::unique_ptr<net::io_context>> others_;  // set in run(), before their threads
  net::io_context io_{1};                                 // run by one thread, as each of others_
  size_t next_context_ = 0;
  tcp::acceptor acceptor_;
  net::signal_set signals_;
  std::function<void()> on_signal_;

 private:
  void accept();
};

// The handler's end of an event stream: posts each text to the
// connection's thread. Holds the session weakly, so a closed connection is
// freed and send() says so.
// What an event stream needs of a connection, whatever its transport.
class HttpServer::Impl::StreamTarget {
 public:
  virtual ~StreamTarget() = default;
  virtual void queue_event(std::string text) = 0;  // on the connection's thread
  virtual bool closed() const = 0;
  virtual net::any_io_executor executor() = 0;
  virtual void end_stream() = 0;  // on the connection's thread: close once the queue is written
};

class HttpServer::Impl::Sink : public EventSink {
 public:
  explicit Sink(const std::shared_ptr<StreamTarget>& session);
  bool send(std::string text) override;
  bool open() const override;
  void end() override;

 private:
  std::weak_ptr<StreamTarget> session_;
  net::any_io_executor executor_;
  std::shared_ptr<std::atomic<bool>> open_ = std::make_shared<std::atomic<bool>>(true);
};

// One client connection: read a request, hand it to the handler, write the
// answer, and again while the client keeps the connection alive. Plain or
// TLS alike (HttpTransport).
class HttpServer::Impl::Session : public StreamTarget,
                                  public std::enable_shared_from_this<Session> {
 public:
  template <class... Args>
  Session(Impl& server, Args&&... args) : stream_(std::forward<Args>(args)...), server_(server) {
    ++server_.open_;
    ++server_.total_;
  }
  ~Session() override { --server_.open_; }

  void start() {
    if (stream_.is_tls()) {
      // The handshake, like a request, must be over within the read timeout.
      lowest().expires_after(std::chrono::seconds(server_.limits_.read_timeout_seconds));
      stream_.async_handshake([self = shared_from_this()](beast::error_code ec) {
        if (ec) {
          ++self->server_.parse_errors_;
          return self->close();
        }
        self->wait_for_request();
      });
    } else {
      wait_for_request();
    }
  }

  // The event stream's writes (on the connection's thread).
  void queue_event(std::string text) override {
    if (closed_) return;
    queued_bytes_ += text.size();
    if (queued_bytes_ > server_.limits_.stream_buffer_bytes_max) {
      close();  // too slow to keep up: dropped rather than buffered without end
      return;
    }
    outbox_.push_back(std::move(text));
    if (!writing_) write_next_event();
  }
  bool closed() const override { return closed_; }
  void end_stream() override {
    ending_ = true;
    if (!writing_) close();
  }
  net::any_io_executor executor() override { return stream_.get_executor(); }

 private:
  // Waits (up to the idle timeout) for the first byte of the next request.
  void wait_for_request() {
    if (buffer_.size() > 0) return read_request();
    lowest().expires_after(std::chrono::seconds(server_.limits_.idle_timeout_seconds));
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) {
                                if (ec == beast::error::timeout) ++self->server_.timeouts_;
                                return self->close();
                              }
                              self->buffer_.commit(n);
                              self->read_request();
                            });
  }

  void read_request() {
    head_only_ = false;  // a refusal before the request is read has a body
    parser_.emplace();
    parser_->body_limit(server_.limits_.body_bytes_max);
    parser_->header_limit(static_cast<uint32_t>(server_.limits_.header_bytes_max));
    lowest().expires_after(std::chrono::seconds(server_.limits_.read_timeout_seconds));
    // The headers first: a client that sent "Expect: 100-continue" (curl
    // does for large batches) waits for our go-ahead before the body.
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->on_read(ec);
                              const auto& head = self->parser_->get();
                              if (std::string why = ambiguous_head(head); !why.empty()) {
                                return self->refuse(std::move(why));
                              }
                              if (beast::iequals(head[http::field::expect], "100-continue") &&
                                  !self->parser_->is_done()) {
                                return self->continue_then_read_body();
                              }
                              self->read_body();
                            });
  }

  void continue_then_read_body() {
    auto go_ahead = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
    http::async_write(stream_, *go_ahead,
                      [self = shared_from_this(), go_ahead](beast::error_code ec, size_t) {
                        if (ec) return self->close();
                        self->read_body();
                      });
  }

  // The rest of the request, within the same read timeout.
  void read_body() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  // Headers two parties could read two ways (RFC 9112 §6.3, request
  // smuggling): a body framed other than by Content-Length or chunked, or
  // framed both ways; more than one Authorization. "" when none.
  static std::string ambiguous_head(const http::request_header<>& head) {
    size_t transfer_encodings = 0, authorizations = 0;
    for (const auto& field : head) {
      if (field.name() == http::field::transfer_encoding) ++transfer_encodings;
      if (field.name() == http::field::authorization) ++authorizations;
    }
    if (transfer_encodings > 0) {
      if (transfer_encodings > 1 ||
          !beast::iequals(head[http::field::transfer_encoding], "chunked")) {
        return "Transfer-Encoding must be chunked (and named once); no other coding is read";
      }
      if (head.count(http::field::content_length) > 0) {
        return "a request framed by both Transfer-Encoding and Content-Length";
      }
    }
    if (authorizations > 1) return "more than one Authorization header";
    return "";
  }

  // Answers 400 and closes: the rest of the stream cannot be trusted.
  void refuse(std::string why) {
    ++server_.parse_errors_;
    const std::string request_id = server_.next_request_id();
    keep_alive_ = false;
    write(problem(400, "bad_http", std::move(why), "", request_id), request_id);
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset) {
      return close();
    }
    if (ec == beast::error::timeout) {
      ++server_.timeouts_;
      return close();
    }
    if (ec) {
      ++server_.parse_errors_;
      const std::string request_id = server_.next_request_id();
      HttpResponse response;
      if (ec == http::error::body_limit) {
        response = problem(413, "body_too_large",
                           "the request body is over the limit of " +
                               std::to_string(server_.limits_.body_bytes_max) + " bytes",
                           "", request_id);
      } else if (ec == http::error::header_limit) {
        response = problem(431, "headers_too_large",
                           "the request's headers are over the limit of " +
                               std::to_string(server_.limits_.header_bytes_max) + " bytes",
                           "", request_id);
      } else {
        response =
            problem(400, "bad_http", "unparseable HTTP request: " + ec.message(), "", request_id);
      }
      keep_alive_ = false;  // the stream's position is lost: answer and close
      return write(std::move(response), request_id);
    }
    http::request<http::string_body> message = parser_->release();
    keep_alive_ = message.keep_alive();
    HttpRequest request;
    // HEAD is answered as GET, headers only (health checks use it).
    head_only_ = message.method() == http::verb::head;
    request.method = head_only_ ? "GET" : std::string(message.method_string());
    request.target = std::string(message.target());
    request.authorization = std::string(message[http::field::authorization]);
    request.content_type = std::string(message[http::field::content_type]);
    request.last_event_id = std::string(message["Last-Event-ID"]);
    const std::string_view client_id = message["X-Request-Id"];
    request.request_id =
        usable_request_id(client_id) ? std::string(client_id) : server_.next_request_id();
    request.body = std::move(message.body());
    const std::string request_id = request.request_id;
    lowest().expires_never();  // the handler may wait for a commit
    server_.handler_.handle(
        std::move(request), [self = shared_from_this(), request_id](HttpResponse response) {
          net::post(self->stream_.get_executor(),
                    [self, request_id, response = std::move(response)]() mutable {
                      self->write(std::move(response), request_id);
                    });
        });
  }

  void write(HttpResponse response, const std::string& request_id) {
    if (closed_) return;
    if (response.on_stream) return start_stream(std::move(response), request_id);
    auto message = std::make_shared<http::response<http::string_body>>();
    message->version(11);
    message->result(static_cast<unsigned>(response.status));
    message->set(http::field::server, "zonegate");
    message->set(http::field::content_type, response.content_type);
    message->set("X-Request-Id", request_id);
    for (const auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive_);
    message->prepare_payload();
    if (head_only_) message->body().clear();  // Content-Length stays: what GET would send
    lowest().expires_after(std::chrono::seconds(server_.limits_.read_timeout_seconds));
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code ec, size_t) {
                        if (ec) return self->close();
                        if (!self->keep_alive_) return self->shut_down();
                        self->wait_for_request();
                      });
  }

  // Server-Sent Events: the headers, then whatever the sink is given, until
  // either side goes away. The response has no length: it ends with the
  // connection.
  void start_stream(HttpResponse response, const std::string& request_id) {
    auto header = std::make_shared<http::response<http::empty_body>>();
    header->version(11);
    header->result(static_cast<unsigned>(response.status));
    header->set(http::field::server, "zonegate");
    header->set(http::field::content_type, "text/event-stream");
    header->set(http::field::cache_control, "no-cache");
    header->set("X-Request-Id", request_id);
    header->keep_alive(false);
    auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*header);
    lowest().expires_after(std::chrono::seconds(server_.limits_.read_timeout_seconds));
    http::async_write_header(
        stream_, *serializer,
        [self = shared_from_this(), header, serializer, on_stream = std::move(response.on_stream)](
            beast::error_code ec, size_t) {
          if (ec) return self->close();
          self->lowest().expires_never();
          self->watch_for_hangup();
          on_stream(std::make_shared<Sink>(self));
        });
  }

  // A watcher sends nothing; a read that ends means it went away.
  void watch_for_hangup() {
    stream_.async_read_some(buffer_.prepare(512),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->close();
                              self->buffer_.consume(n);
                              self->watch_for_hangup();
                            });
  }

  void write_next_event() {
    if (outbox_.empty() || closed_) {
      writing_ = false;
      if (ending_) close();
      return;
    }
    writing_ = true;
    auto text = std::make_shared<std::string>(std::move(outbox_.front()));
    outbox_.pop_front();
    lowest().expires_after(std::chrono::seconds(server_.limits_.idle_timeout_seconds));
    net::async_write(stream_, net::buffer(*text),
                     [self = shared_from_this(), text](beast::error_code ec, size_t) {
                       self->queued_bytes_ -= text->size();
                       if (ec) return self->close();
                       self->write_next_event();
                     });
  }

  beast::tcp_stream& lowest() { return stream_.lowest(); }

  void shut_down() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    closed_ = true;
    lowest().expires_after(std::chrono::seconds(kLingerSeconds));
    linger(std::make_shared<std::array<char, 16384>>());
  }
  // A lingering close (RFC 9112 §9.6): a client still sending a body we
  // refused (413, a bad request) would, were we to close now, get a reset
  // that can destroy our answer before it reads it. So what it sends is
  // read and dropped until it stops, or for kLingerSeconds at most.
  static constexpr int kLingerSeconds = 2;
  void linger(std::shared_ptr<std::array<char, 16384>> sink) {
    lowest().async_read_some(net::buffer(*sink),
                             [self = shared_from_this(), sink](beast::error_code ec, size_t) {
                               if (!ec)
                                 self->linger(sink);  // at EOF, an error or the time limit: done
                             });
  }
  void close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close();
  }

  HttpTransport stream_;
  Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  bool head_only_ = false;  // the request being answered is a HEAD
  bool closed_ = false;
  // The event stream's queue.
  std::deque<std::string> outbox_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool ending_ = false;  // close once the queue is written
};

HttpServer::Impl::Sink::Sink(const std::shared_ptr<StreamTarget>& session)
    : session_(session), executor_(session->executor()) {}

bool HttpServer::Impl::Sink::send(std::string text) {
  std::shared_ptr<StreamTarget> session = session_.lock();
  if (session == nullptr || !*open_) return false;
  net::post(executor_, [session, text = std::move(text), open = open_]() mutable {
    session->queue_event(std::move(text));
    if (session->closed()) *open = false;
  });
  return true;
}

void HttpServer::Impl::Sink::end() {
  std::shared_ptr<StreamTarget> session = session_.lock();
  *open_ = false;
  if (session == nullptr) return;
  net::post(executor_, [session] { session->end_stream(); });
}

bool HttpServer::Impl::Sink::open() const {
  return *open_ && !session_.expired();
}

void HttpServer::Impl::accept() {
  acceptor_.async_accept(next_context(), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      if (open_.load() >= limits_.connections_max) {
        ++refused_;
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        socket.set_option(tcp::no_delay(true), ec);
        // Started on the connection's own thread, as all its handlers run.
        std::shared_ptr<Session> session =
            tls_ ? std::make_shared<Session>(*this, std::move(socket), *tls_)
                 : std::make_shared<Session>(*this, std::move(socket));
        net::post(session->executor(), [session] { session->start(); });
      }
    }
    accept();
  });
}

HttpServer::HttpServer(HttpHandler& handler, HttpLimits limits)
    : impl_(std::make_unique<Impl>(handler, limits)) {}
HttpServer::~HttpServer() = default;
std::string HttpServer::use_tls(const std::string& certificate_file, const std::string& key_file) {
  return impl_->use_tls(certificate_file, key_file);
}
std::string HttpServer::listen(const std::string& address) {
  return impl_->listen(address);
}
uint16_t HttpServer::port() const {
  return impl_->port();
}
void HttpServer::run(int threads, std::function<void()> on_signal) {
  impl_->run(threads, std::move(on_signal));
}
void HttpServer::stop_accepting() {
  impl_->stop_accepting();
}
void HttpServer::stop() {
  impl_->stop();
}
HttpCounters HttpServer::counters() const {
  return impl_->counters();
}

}  // namespace zg::api
