// A small blocking HTTP/1.1 client (Boost.Beast, kept in http_client.cc):
// one keep-alive connection, POSTs with a time limit. The courier delivers
// to partners' inboxes with it, `zonegate simulate --to` sends a day to a
// server with it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace zg::api {

class HttpClient {
 public:
  // `host` an address or a name, `port` digits.
  HttpClient(std::string host, std::string port, std::chrono::seconds timeout);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `body` to `target` ("/v1/commands"); the answer's status and
  // body, or an unavailable error saying what failed (the connection is
  // then opened afresh on the next call).
  Result<std::pair<int, std::string>> post(
      const std::string& target, const std::string& body, const std::string& content_type,
      const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  struct Connection;
  std::unique_ptr<Connection> connection_;
};

}  // namespace zg::api
