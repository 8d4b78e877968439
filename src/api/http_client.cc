#include "api/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace zg::api {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct HttpClient::Connection {
  std::string host, port;
  std::chrono::seconds timeout;
  boost::asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool connected = false;

  Result<std::pair<int, std::string>> failure(const std::string& message) {
    connected = false;
    buffer.clear();  // nothing of this connection is read on the next
    beast::error_code ignored;
    stream.socket().close(ignored);
    return Result<std::pair<int, std::string>>(ErrorCode::kUnavailable, "", message);
  }
};

HttpClient::HttpClient(std::string host, std::string port, std::chrono::seconds timeout)
    : connection_(std::make_unique<Connection>()) {
  connection_->host = std::move(host);
  connection_->port = std::move(port);
  connection_->timeout = timeout;
}

HttpClient::~HttpClient() {
  beast::error_code ignored;
  connection_->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

Result<std::pair<int, std::string>> HttpClient::post(
    const std::string& target, const std::string& body, const std::string& content_type,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  Connection& c = *connection_;
  beast::error_code ec;
  if (!c.connected) {
    // An address needs no resolver (whose look-up has no time limit).
    std::vector<tcp::endpoint> endpoints;
    const boost::asio::ip::address ip = boost::asio::ip::make_address(c.host, ec);
    if (!ec) {
      const int port = c.port.size() <= 5 && !c.port.empty() &&
                               c.port.find_first_not_of("0123456789") == std::string::npos
                           ? std::stoi(c.port)
                           : -1;
      if (port < 1 || port > 65535) return c.failure("the port \"" + c.port + "\" is not one");
      endpoints.emplace_back(ip, static_cast<unsigned short>(port));
    } else {
      tcp::resolver resolver(c.io);
      ec = {};
      for (const auto& entry : resolver.resolve(c.host, c.port, ec)) {
        endpoints.push_back(entry.endpoint());
      }
      if (ec) return c.failure("cannot resolve " + c.host + ": " + ec.message());
    }
    c.stream.expires_after(c.timeout);
    c.stream.connect(endpoints, ec);
    if (ec) return c.failure("cannot connect to " + c.host + ":" + c.port + ": " + ec.message());
    c.connected = true;
  }
  http::request<http::string_body> request{http::verb::post, target, 11};
  request.set(http::field::host, c.host + ":" + c.port);
  request.set(http::field::content_type, content_type);
  request.set(http::field::user_agent, "zonegate");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.keep_alive(true);
  request.body() = body;
  request.prepare_payload();
  c.stream.expires_after(c.timeout);
  http::write(c.stream, request, ec);
  if (ec) return c.failure("sending failed: " + ec.message());
  // An answer is at most 64 MiB: a server sending more is not one of ours.
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  c.stream.expires_after(c.timeout);
  http::read(c.stream, c.buffer, parser, ec);
  if (ec) return c.failure("no answer: " + ec.message());
  http::response<http::string_body> response = parser.release();
  if (!response.keep_alive()) c.connected = false;
  return std::pair{static_cast<int>(response.result_int()), std::move(response.body())};
}

}  // namespace zg::api
