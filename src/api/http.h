// The HTTP door's plain types: a request as the routes see it, the
// response they give back, and a stream for Server-Sent Events. Only
// http_server.cc (with http_transport.h) and http_client.cc know
// Boost.Beast; everything else speaks these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zg::api {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  std::string authorization;
  std::string content_type;
  std::string last_event_id;
  std::string body;
  std::string request_id;  // the client's X-Request-Id, or one the server made
};

// An open Server-Sent Events connection. Thread-safe; send() queues text
// for the client and returns false once the connection is gone (or the
// client is too slow to keep up, and was dropped).
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual bool send(std::string text) = 0;
  virtual bool open() const = 0;
  // Ends the stream (after what was sent); a client reconnects with Last-Event-ID.
  virtual void end() = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones
  // Set for an event stream: the server sends the headers, keeps the
  // connection and hands it here (on an I/O thread).
  std::function<void(std::shared_ptr<EventSink>)> on_stream;
};

// Answers a request exactly once, from any thread.
using Reply = std::function<void(HttpResponse)>;

// What the server calls for each request (on its I/O threads).
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual void handle(HttpRequest request, Reply reply) = 0;
};

struct HttpLimits {
  size_t body_bytes_max = 64u << 20;  // a JSON Lines batch of 10,000 commands fits
  size_t header_bytes_max = 16u << 10;
  int read_timeout_seconds = 15;  // a whole request, headers and body
  int idle_timeout_seconds = 60;  // a keep-alive connection with nothing to say
  size_t connections_max = 10'000;
  size_t stream_buffer_bytes_max = 4u << 20;  // an event watcher this far behind is dropped
};

// Figures the server keeps about its connections (for /metrics).
struct HttpCounters {
  uint64_t connections_open = 0;
  uint64_t connections_total = 0;
  uint64_t timeouts = 0;
  uint64_t refused_connections = 0;
  uint64_t parse_errors = 0;
};

// An HTTP/1.1 server with keep-alive on a fixed pool of I/O threads.
class HttpServer {
 public:
  HttpServer(HttpHandler& handler, HttpLimits limits);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Serves HTTPS from these PEM files (before listen). An error message, or "".
  std::string use_tls(const std::string& certificate_file, const std::string& key_file);
  // Binds "HOST:PORT" (port 0: any free port). An error message, or "".
  std::string listen(const std::string& address);
  // The port bound (after listen).
  uint16_t port() const;
  // Runs `threads` I/O threads until stop(); also stops on SIGINT/SIGTERM,
  // calling `on_signal` first (from an I/O thread).
  void run(int threads, std::function<void()> on_signal);
  // Stops accepting; open connections finish the request they are on.
  void stop_accepting();
  // Ends run(): closes every connection.
  void stop();
  HttpCounters counters() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zg::api
