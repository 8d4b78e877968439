// zonegate_http_load: a load generator for `zonegate serve`, one thread and
// one epoll loop over C keep-alive connections, each with one request in
// flight. It does what bench/http/{single,batch}.lua do under wrk, checking
// every answer, at a fraction of wrk's cost on big answers: wrk grows a
// response body 1 KiB at a time and its Lua check scans every quote, so on
// the two cores it shares with the server it took half a core to check
// 70,000 declarations a second, which the server then did not get.
//
//   zonegate_http_load --url http://127.0.0.1:PORT --kind health|single|batch
//       [--connections C] [--seconds S] [--batch B] [--token T] [--usccs U1,U2,..]
//       [--run NAME] [--timeout-seconds N]
//
// health: GET /health. single: one `declare` per POST /v1/commands
// (application/json). batch: B `declare` lines per POST (application/x-ndjson).
// The declarations are the Lua scripts' (first-line entries of integrated
// circuits; declarants cycling through --usccs and items through eight, by
// line in a batch and by request, over all connections, for single
// declarations); ids
// RUN-cCONN-rREQUEST-LINE are unique per run, `at` is the current second.
//
// After S seconds no new request is sent and the ones in flight are waited
// for, so every answer is counted and `seconds` runs to the last one. Prints
//   zg-result: kind=K batch=B requests=R seconds=S accepted=A rejected=J
//     non200=N missing=M socket_errors=E p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
// (the Lua scripts' line, which bench/http/run_http.sh reads; missing counts
// result lines fewer or more than the commands sent) and, if any answer was
// not what was asked, zg-first-failure: with its start. A result's
// status is the first "status" of its line: the server writes "id", "seq"
// and "status" before anything nested.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

enum class Kind { kHealth, kSingle, kBatch };

struct Options {
  std::string host;
  int port = 0;
  Kind kind = Kind::kSingle;
  int connections = 32;
  int seconds = 10;
  int batch = 1000;
  int timeout_seconds = 60;
  std::string token;
  std::vector<std::string> usccs;
  std::string run = "load";
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "zonegate_http_load: %s\n"
               "usage: zonegate_http_load --url http://127.0.0.1:PORT --kind health|single|batch\n"
               "         [--connections C] [--seconds S] [--batch B] [--token T]\n"
               "         [--usccs U1,U2,..] [--run NAME] [--timeout-seconds N]\n",
               why.c_str());
  std::exit(2);
}

int whole_number(const std::string& flag, const std::string& text, int low, int high) {
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < low || value > high) {
    usage(flag + " takes a whole number from " + std::to_string(low) + " to " +
          std::to_string(high) + ", not \"" + text + "\"");
  }
  return static_cast<int>(value);
}

Options parse_options(int argc, char** argv) {
  Options options;
  std::string url;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--url") {
      url = value;
    } else if (flag == "--kind") {
      if (value == "health") {
        options.kind = Kind::kHealth;
      } else if (value == "single") {
        options.kind = Kind::kSingle;
      } else if (value == "batch") {
        options.kind = Kind::kBatch;
      } else {
        usage("--kind is health, single or batch, not \"" + value + "\"");
      }
    } else if (flag == "--connections") {
      options.connections = whole_number(flag, value, 1, 10000);
    } else if (flag == "--seconds") {
      options.seconds = whole_number(flag, value, 1, 86400);
    } else if (flag == "--batch") {
      options.batch = whole_number(flag, value, 1, 10000);  // the server's limit
    } else if (flag == "--timeout-seconds") {
      options.timeout_seconds = whole_number(flag, value, 1, 3600);
    } else if (flag == "--token") {
      options.token = value;
    } else if (flag == "--usccs") {
      for (size_t from = 0; from <= value.size();) {
        size_t comma = value.find(',', from);
        if (comma == std::string::npos) comma = value.size();
        if (comma > from) options.usccs.push_back(value.substr(from, comma - from));
        from = comma + 1;
      }
    } else if (flag == "--run") {
      options.run = value;
    } else {
      usage("unknown option " + flag);
    }
  }
  // Only what the bench scripts hand over: an IPv4 address and a port.
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) usage("--url is http://ADDRESS:PORT");
  const std::string rest = url.substr(scheme.size());
  const size_t colon = rest.find(':');
  if (colon == std::string::npos) usage("--url has no port: " + url);
  options.host = rest.substr(0, colon);
  std::string port = rest.substr(colon + 1);
  if (!port.empty() && port.back() == '/') port.pop_back();
  options.port = whole_number("--url's port", port, 1, 65535);
  if (options.kind != Kind::kHealth) {
    if (options.token.empty()) usage("--token is needed for declarations");
    if (options.usccs.empty()) usage("--usccs is needed for declarations");
  }
  if (options.kind != Kind::kBatch) options.batch = 1;
  return options;
}

// The `at` of the declarations: the current second, as the Lua scripts send it.
std::string now_rfc3339() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// `line` numbers the id; `turn` picks the declarant and the item, cycling
// (the line within a batch, the request for single declarations).
void append_declaration(std::string& out, const Options& options, const std::string& id_prefix,
                        int line, uint64_t turn, const std::string& at) {
  out += "{\"type\":\"declare\",\"id\":\"";
  out += id_prefix;
  out += std::to_string(line);
  out += "\",\"at\":\"";
  out += at;
  out += "\",\"movement\":\"first_line_entry\",\"declarant\":\"";
  out += options.usccs[turn % options.usccs.size()];
  out += "\",\"purpose\":\"processing\",\"currency\":\"CNY\",\"items\":[{\"item\":\"CHIP-";
  out += std::to_string(turn % 8);
  out +=
      "\",\"hs\":\"85423100\",\"description\":\"integrated circuits\",\"origin\":\"KR\","
      "\"quantity\":\"100\",\"unit\":\"pcs\",\"value\":\"5000.00\"}]}";
}

// The whole request, headers and body: the `number`th of `connection`, the
// `sent_total`th of all (which picks a single declaration's declarant and
// item, so that requests in flight together rotate through them).
void build_request(std::string& out, const Options& options, int connection, uint64_t number,
                   uint64_t sent_total) {
  out.clear();
  const std::string host = "Host: " + options.host + ":" + std::to_string(options.port) + "\r\n";
  if (options.kind == Kind::kHealth) {
    out += "GET /health HTTP/1.1\r\n" + host + "\r\n";
    return;
  }
  std::string body;
  const std::string at = now_rfc3339();
  const std::string id_prefix =
      options.run + "-c" + std::to_string(connection) + "-r" + std::to_string(number) + "-";
  for (int line = 1; line <= options.batch; ++line) {
    const uint64_t turn = options.kind == Kind::kBatch ? static_cast<uint64_t>(line) : sent_total;
    append_declaration(body, options, id_prefix, line, turn, at);
    if (options.kind == Kind::kBatch) body += '\n';
  }
  out += "POST /v1/commands HTTP/1.1\r\n" + host;
  out += "Authorization: Bearer " + options.token + "\r\n";
  out += options.kind == Kind::kBatch ? "Content-Type: application/x-ndjson\r\n"
                                      : "Content-Type: application/json\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
}

struct Tally {
  uint64_t requests = 0;
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  uint64_t non200 = 0;
  uint64_t missing = 0;
  uint64_t socket_errors = 0;
  std::string first_failure;
  std::vector<uint32_t> latency_us;

  void failure(std::string_view text) {
    if (first_failure.empty()) first_failure = std::string(text.substr(0, 300));
  }
};

// Counts the results of an answer: each line's first "status".
void check_results(std::string_view body, int expected, Tally& tally) {
  static constexpr std::string_view kStatus = "\"status\":\"";
  int results = 0;
  size_t from = 0;
  while (from < body.size()) {
    size_t end = body.find('\n', from);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view line = body.substr(from, end - from);
    from = end + 1;
    if (line.empty()) continue;
    ++results;
    const size_t at = line.find(kStatus);
    if (at != std::string_view::npos && line.substr(at + kStatus.size(), 9) == "accepted\"") {
      ++tally.accepted;
    } else {
      ++tally.rejected;
      tally.failure(line);
    }
  }
  if (results != expected) {
    // Fewer result lines than commands sent, or more: either is wrong.
    tally.missing +=
        static_cast<uint64_t>(results < expected ? expected - results : results - expected);
    tally.failure(std::to_string(results) + " result lines for " + std::to_string(expected) +
                  " commands");
  }
}

struct Connection {
  int fd = -1;
  int index = 0;
  bool in_flight = false;
  bool reading = false;  // the request is out; waiting for the answer
  std::string request;
  size_t written = 0;
  std::vector<char> in;  // the answer so far: in[0, in_size)
  size_t in_size = 0;
  size_t header_end = 0;  // past "\r\n\r\n", once found
  size_t content_length = 0;
  uint64_t sent = 0;  // requests this connection has sent
  Clock::time_point sent_at;
};

class Load {
 public:
  explicit Load(const Options& options) : options_(options) {}

  int run() {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) return fail_system("epoll_create1");
    connections_.resize(static_cast<size_t>(options_.connections));
    start_ = Clock::now();
    stop_at_ = start_ + std::chrono::seconds(options_.seconds);
    for (size_t i = 0; i < connections_.size(); ++i) {
      connections_[i].index = static_cast<int>(i);
      if (!open(connections_[i])) return 1;
      send_next(connections_[i]);
    }
    std::vector<epoll_event> events(connections_.size());
    for (;;) {
      const Clock::time_point now = Clock::now();
      if (now >= stop_at_) stopping_ = true;
      size_t in_flight = 0;
      for (Connection& c : connections_) {
        if (c.in_flight && now - c.sent_at > std::chrono::seconds(options_.timeout_seconds)) {
          ++tally_.socket_errors;
          tally_.failure("no answer within --timeout-seconds");
          reopen(c);
        }
        in_flight += c.in_flight ? 1 : 0;
      }
      if (stopping_ && in_flight == 0) break;
      const int ready = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 10);
      if (ready < 0 && errno != EINTR) return fail_system("epoll_wait");
      for (int e = 0; e < ready; ++e) {
        Connection& c = connections_[events[static_cast<size_t>(e)].data.u32];
        if (!c.in_flight) continue;
        if (c.reading) {
          on_readable(c);
        } else {
          write_some(c);
        }
      }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    report(seconds);
    return 0;
  }

 private:
  int fail_system(const char* what) {
    std::fprintf(stderr, "zonegate_http_load: %s: %s\n", what, std::strerror(errno));
    return 1;
  }

  bool open(Connection& c) {
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return fail_system("socket") == 0;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(options_.port));
    if (inet_pton(AF_INET, options_.host.c_str(), &address.sin_addr) != 1) {
      std::fprintf(stderr, "zonegate_http_load: \"%s\" is not an IPv4 address\n",
                   options_.host.c_str());
      return false;
    }
    // Connect blocking (loopback answers at once), then go non-blocking.
    if (connect(c.fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      return fail_system("connect") == 0;
    }
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event event{};
    event.events = EPOLLOUT;
    event.data.u32 = static_cast<uint32_t>(c.index);
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &event) != 0) return fail_system("epoll_ctl") == 0;
    return true;
  }

  // After a socket error or a timeout: a fresh connection, and on.
  void reopen(Connection& c) {
    ::close(c.fd);
    c.fd = -1;
    c.in_flight = false;
    if (stopping_) return;
    if (!open(c)) std::exit(1);
    send_next(c);
  }

  void watch(Connection& c, uint32_t events) {
    epoll_event event{};
    event.events = events;
    event.data.u32 = static_cast<uint32_t>(c.index);
    epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &event);
  }

  void send_next(Connection& c) {
    if (stopping_) {
      // Done: closed, so that a server closing it later wakes no one.
      ::close(c.fd);
      c.fd = -1;
      return;
    }
    build_request(c.request, options_, c.index, ++c.sent, ++sent_total_);
    c.written = 0;
    c.in_size = 0;
    c.header_end = 0;
    c.in_flight = true;
    c.reading = false;
    c.sent_at = Clock::now();
    write_some(c);
  }

  void write_some(Connection& c) {
    while (c.written < c.request.size()) {
      const ssize_t n =
          ::send(c.fd, c.request.data() + c.written, c.request.size() - c.written, MSG_NOSIGNAL);
      if (n > 0) {
        c.written += static_cast<size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        watch(c, EPOLLOUT);
        return;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        ++tally_.socket_errors;
        tally_.failure(std::string("send: ") + std::strerror(errno));
        reopen(c);
        return;
      }
    }
    c.reading = true;
    watch(c, EPOLLIN);
  }

  void on_readable(Connection& c) {
    for (;;) {
      // Grown by doubling and never shrunk: a connection reads every
      // answer into the same buffer.
      if (c.in.size() - c.in_size < 65536) c.in.resize(std::max<size_t>(2 * c.in.size(), 131072));
      const ssize_t n = ::recv(c.fd, c.in.data() + c.in_size, c.in.size() - c.in_size, 0);
      if (n > 0) {
        c.in_size += static_cast<size_t>(n);
        if (answer_complete(c)) return;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n < 0 && errno == EINTR) continue;
      ++tally_.socket_errors;
      tally_.failure(n == 0 ? "the server closed the connection" : std::strerror(errno));
      reopen(c);
      return;
    }
  }

  // True when the answer was whole and has been counted (the next request is
  // then on its way, or the connection was reopened).
  bool answer_complete(Connection& c) {
    const std::string_view in(c.in.data(), c.in_size);
    if (c.header_end == 0) {
      const size_t blank = in.find("\r\n\r\n");
      if (blank == std::string_view::npos) return false;
      c.header_end = blank + 4;
      const std::string_view head = in.substr(0, blank + 2);
      if (!parse_head(c, head)) {
        reopen(c);
        return true;
      }
    }
    const size_t end = c.header_end + c.content_length;
    if (in.size() < end) return false;
    const int status = std::atoi(std::string(in.substr(9, 3)).c_str());
    const std::string_view body = in.substr(c.header_end, c.content_length);
    tally_.latency_us.push_back(static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - c.sent_at).count()));
    ++tally_.requests;
    if (status != 200) {
      ++tally_.non200;
      tally_.failure(std::to_string(status) + " " + std::string(body));
    } else if (options_.kind != Kind::kHealth) {
      check_results(body, options_.batch, tally_);
    }
    if (in.size() > end) {
      // One request in flight: nothing may follow its answer.
      ++tally_.socket_errors;
      tally_.failure("bytes after the answer's body");
      reopen(c);
      return true;
    }
    c.in_flight = false;
    send_next(c);
    return true;
  }

  // The status line and Content-Length; false (counted) on what this client
  // does not read: chunked bodies, a missing length.
  bool parse_head(Connection& c, std::string_view head) {
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/") {
      ++tally_.socket_errors;
      tally_.failure("not an HTTP answer: " + std::string(head));
      return false;
    }
    std::string lower(head);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    const size_t length = lower.find("\r\ncontent-length:");
    if (length == std::string::npos || lower.find("\r\ntransfer-encoding:") != std::string::npos) {
      ++tally_.socket_errors;
      tally_.failure("an answer without Content-Length: " + std::string(head));
      return false;
    }
    c.content_length = std::strtoull(lower.c_str() + length + 17, nullptr, 10);
    return true;
  }

  void report(double seconds) {
    std::vector<uint32_t>& v = tally_.latency_us;
    std::sort(v.begin(), v.end());
    const auto percentile_ms = [&](double q) {
      if (v.empty()) return 0.0;
      const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
      return v[std::min(v.size(), std::max<size_t>(rank, 1)) - 1] / 1000.0;
    };
    if (!tally_.first_failure.empty()) {
      std::printf("zg-first-failure: %s\n", tally_.first_failure.c_str());
    }
    const char* kind = options_.kind == Kind::kHealth   ? "health"
                       : options_.kind == Kind::kSingle ? "single"
                                                        : "batch";
    std::printf("zg-result: kind=%s batch=%d requests=%" PRIu64 " seconds=%.3f accepted=%" PRIu64
                " rejected=%" PRIu64 " non200=%" PRIu64 " missing=%" PRIu64
                " socket_errors=%" PRIu64 " p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
                kind, options_.batch, tally_.requests, seconds, tally_.accepted, tally_.rejected,
                tally_.non200, tally_.missing, tally_.socket_errors, percentile_ms(0.50),
                percentile_ms(0.90), percentile_ms(0.99), v.empty() ? 0.0 : v.back() / 1000.0);
  }

  const Options& options_;
  int epoll_ = -1;
  std::vector<Connection> connections_;
  Clock::time_point start_;
  Clock::time_point stop_at_;
  bool stopping_ = false;
  uint64_t sent_total_ = 0;  // requests sent on all connections
  Tally tally_;
};

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  Load load(options);
  return load.run();
}
