// What the server's end-to-end tests share: the real `zonegate serve` as a
// child process on a free port, and a small HTTP/1.1 client over plain
// sockets (so a test can also misbehave: send half a request, stall,
// hang up).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support.h"

namespace zg::test {

struct HttpReply {
  int status = 0;                              // 0: no answer (connection failed or closed)
  std::map<std::string, std::string> headers;  // names in lowercase
  std::string body;
};

// One TCP connection to the server.
class Connection {
 public:
  explicit Connection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    int one = 1;
    if (fd_ >= 0) ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool ok() const { return fd_ >= 0; }
  bool send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  // Whether the server closed the connection within `timeout_ms`.
  bool closed_within(int timeout_ms) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char buffer[4096];
    while (std::chrono::steady_clock::now() < until) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) return true;
      }
    }
    return false;
  }
  // Reads one response (Content-Length framed, or to the end of the
  // stream); status 0 when nothing came within `timeout_ms`.
  HttpReply read_reply(int timeout_ms = 10'000) {
    HttpReply reply;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    size_t header_end = std::string::npos;
    size_t length = std::string::npos;
    for (;;) {
      if (header_end == std::string::npos) {
        header_end = pending_.find("\r\n\r\n");
        if (header_end != std::string::npos) parse_head(header_end, reply, length);
      }
      if (header_end != std::string::npos && length != std::string::npos &&
          pending_.size() >= header_end + 4 + length) {
        reply.body = pending_.substr(header_end + 4, length);
        pending_.erase(0, header_end + 4 + length);
        return reply;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            until - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0) return HttpReply{};
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) return HttpReply{};
      char buffer[65536];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        if (header_end == std::string::npos) return HttpReply{};
        reply.body = pending_.substr(header_end + 4);  // framed by the close
        pending_.clear();
        return reply;
      }
      pending_.append(buffer, static_cast<size_t>(n));
    }
  }
  // Reads what arrives within `timeout_ms` (an event stream).
  std::string read_for(int timeout_ms) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::string out = std::move(pending_);
    pending_.clear();
    char buffer[65536];
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            until - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0) return out;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) return out;
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return out;
      out.append(buffer, static_cast<size_t>(n));
    }
  }

 private:
  void parse_head(size_t end, HttpReply& reply, size_t& length) {
    const std::string head = pending_.substr(0, end);
    reply.status = std::atoi(head.c_str() + head.find(' ') + 1);
    size_t at = head.find("\r\n");
    while (at != std::string::npos && at < head.size()) {
      const size_t next = head.find("\r\n", at + 2);
      const std::string line =
          head.substr(at + 2, next == std::string::npos ? next : next - at - 2);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        reply.headers[name] = value;
      }
      at = next;
    }
    if (reply.headers.count("content-length")) {
      length = std::stoul(reply.headers["content-length"]);
    }
  }

  int fd_ = -1;
  std::string pending_;
};

inline std::string request_text(const std::string& method, const std::string& path,
                                const std::string& token, const std::string& content_type,
                                const std::string& body, bool keep_alive = true) {
  std::string text = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!token.empty()) text += "Authorization: Bearer " + token + "\r\n";
  if (!content_type.empty()) text += "Content-Type: " + content_type + "\r\n";
  if (!body.empty() || method == "POST") {
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  if (!keep_alive) text += "Connection: close\r\n";
  return text + "\r\n" + body;
}

// One request on a connection of its own.
inline HttpReply http(int port, const std::string& method, const std::string& path,
                      const std::string& token = "", const std::string& body = "",
                      const std::string& content_type = "application/json") {
  Connection c(port);
  if (!c.ok() ||
      !c.send(request_text(method, path, token, body.empty() ? "" : content_type, body, false))) {
    return HttpReply{};
  }
  return c.read_reply();
}

// `zonegate serve` in a child process.
class Server {
 public:
  // Starts the server on a free port and waits until it listens.
  void start(const std::string& data, const std::string& extra = "") {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      // A session of its own: a test that pauses it (SIGSTOP) never leaves a
      // stopped process in the test's own process group, which the kernel
      // would answer with SIGHUP to the whole group if it were orphaned.
      ::setsid();
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      const std::string log = data + ".log";
      const std::string command = "exec " + kBinary + " serve --pack " + kPack + " --data " + data +
                                  " --listen 127.0.0.1:0 --quiet " + extra + " 2>>" + log;
      ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    std::string text;
    char buffer[4096];
    constexpr std::string_view kListening = "://127.0.0.1:";  // http or https
    for (;;) {
      const ssize_t n = ::read(out[0], buffer, sizeof buffer);
      if (n <= 0) break;
      text.append(buffer, static_cast<size_t>(n));
      const size_t at = text.find(kListening);
      if (at != std::string::npos && text.find(' ', at + kListening.size()) != std::string::npos) {
        port_ = std::atoi(text.c_str() + at + kListening.size());
        break;
      }
    }
    stdout_fd_ = out[0];
    banner_ = text;
    if (port_ == 0) throw std::runtime_error("the server did not start: " + text);
  }
  // Sends `signal` and waits for the exit; the exit code (-signal if killed).
  int stop(int signal = SIGTERM) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
    stdout_fd_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  ~Server() { stop(SIGKILL); }
  // Sends `signal` without waiting (SIGSTOP, SIGCONT).
  void signal(int signal) const {
    if (pid_ > 0) ::kill(pid_, signal);
  }
  int port() const { return port_; }
  // What the server printed before it listened (the demo's tokens).
  const std::string& banner() const { return banner_; }

 private:
  std::string banner_;
  pid_t pid_ = 0;
  int port_ = 0;
  int stdout_fd_ = -1;
};

// A bearer token from `zonegate token create` (its last line).
inline std::string create_token(const std::string& data, const std::string& role,
                                const std::string& uscc = "") {
  const Outcome o = zonegate("token create --data " + data + " --role " + role +
                             (uscc.empty() ? "" : " --uscc " + uscc));
  const std::vector<std::string> lines = lines_of(o.out);
  return o.exit_code == 0 && !lines.empty() ? lines.back() : "";
}

// A fresh, empty directory under /tmp.
inline std::string temp_dir(const std::string& name) {
  std::string pattern = "/tmp/zg-" + name + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
  return pattern;
}

// The current time as RFC 3339 UTC.
inline std::string now_rfc3339(int offset_seconds = 0) {
  const std::time_t t = std::time(nullptr) + offset_seconds;
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace zg::test
