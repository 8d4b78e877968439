// The catalogue of bad inputs (tests/bad_inputs/*.jsonl, format in its
// README.md): malformed and hostile commands and requests, each with the
// answer it must get, sent to the real `zonegate serve` over a demo day.
// Every answer is checked, and afterwards the zone must be exactly as it
// was: the journal's size and Merkle root, every enterprise's book, the
// declarations, taxes, tokens and partners — and the server still healthy.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include "api/tokens.h"
#include "core/json.h"
#include "http_support.h"

namespace zg::test {
namespace {

// ---- the catalogue ---------------------------------------------------------

// A stretch of bytes: `unit` written `times` times, so a 100 MB body or a
// hundred thousand brackets take one line of the catalogue and are made
// while they are sent.
struct Segment {
  std::string unit;
  size_t times = 1;
};
using Bytes = std::vector<Segment>;

size_t size_of(const Bytes& bytes) {
  size_t total = 0;
  for (const Segment& s : bytes) total += s.unit.size() * s.times;
  return total;
}

struct Case {
  std::string file, name;
  JsonDocument line;
  JsonRef json() const { return line.root(); }
};

// The values the catalogue names as ${NAME}: who is who in the zone, and
// what the set-up made (a declaration, an envelope, a tree head).
using Names = std::map<std::string, std::string>;

// Replaces each ${NAME}; an unknown name is the catalogue's mistake.
std::string expand(std::string_view text, const Names& names, std::string& error) {
  std::string out;
  size_t at = 0;
  for (;;) {
    const size_t open = text.find("${", at);
    if (open == std::string_view::npos) break;
    const size_t close = text.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(at, open - at));
    const std::string name(text.substr(open + 2, close - open - 2));
    const auto it = names.find(name);
    if (it == names.end()) {
      error = "unknown placeholder ${" + name + "}";
    } else {
      out += it->second;
    }
    at = close + 1;
  }
  out.append(text.substr(at));
  return out;
}

std::string from_hex(std::string_view hex, std::string& error) {
  std::string out;
  if (hex.size() % 2 != 0 || hex.find_first_not_of("0123456789abcdefABCDEF") != hex.npos) {
    error = "\"" + std::string(hex) + "\" is not hex";
    return out;
  }
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// A body as the catalogue gives it: a string, {"hex": …}, {"repeat": …,
// "times": N}, or a list of these, one after the other.
Bytes bytes_of(JsonRef spec, const Names& names, std::string& error) {
  Bytes out;
  if (!spec.exists()) return out;
  if (spec.is_string()) {
    out.push_back({expand(spec.text(), names, error), 1});
  } else if (spec.is_array()) {
    for (JsonRef part : spec) {
      Bytes more = bytes_of(part, names, error);
      out.insert(out.end(), more.begin(), more.end());
    }
  } else if (spec.is_object() && spec.get("hex").is_string()) {
    out.push_back({from_hex(spec.get("hex").text(), error), 1});
  } else if (spec.is_object() && spec.get("repeat").is_string() &&
             spec.get("times").kind() == JsonKind::kNumber) {
    out.push_back({expand(spec.get("repeat").text(), names, error),
                   std::stoul(std::string(spec.get("times").text()))});
  } else {
    error = "a body is a string, {\"hex\"}, {\"repeat\",\"times\"} or a list of them";
  }
  return out;
}

// The same, as one text (a path, a header: short enough to hold).
std::string text_of(JsonRef spec, const Names& names, std::string& error) {
  std::string out;
  for (const Segment& s : bytes_of(spec, names, error)) {
    for (size_t i = 0; i < s.times; ++i) out += s.unit;
  }
  return out;
}

std::vector<Case> load_catalogue(const std::string& dir, std::string& problems) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".jsonl") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<Case> cases;
  std::set<std::string> names;
  for (const std::string& path : files) {
    const std::string file = std::filesystem::path(path).filename().string();
    std::istringstream in(read_file(path));
    int number = 0;
    for (std::string text; std::getline(in, text);) {
      ++number;
      // Blank lines, and comments saying what the next lines are about.
      if (text.empty() || text.starts_with("#")) continue;
      Case c;
      c.file = file;
      const Status parsed = c.line.parse(text);
      if (!parsed.is_ok() || !c.json().is_object() || !c.json().get("name").is_string() ||
          !c.json().get("expect").is_object()) {
        problems += file + " line " + std::to_string(number) +
                    ": not a case (an object with name and expect): " +
                    (parsed.is_ok() ? "" : parsed.first().message) + "\n";
        continue;
      }
      c.name = std::string(c.json().get("name").text());
      if (!names.insert(c.name).second) problems += file + ": the name " + c.name + " is taken\n";
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

// ---- sending ---------------------------------------------------------------

// Writes `bytes` to `fd` while watching for an answer: a server that refuses
// a body answers before it is all sent (and closes), and reading that answer
// at once is the only way to be sure to see it.
bool send_watching(int fd, const Bytes& bytes, bool chunked, bool& answered) {
  constexpr size_t kChunk = 1 << 16;
  std::string pending;
  size_t segment = 0, done_in_segment = 0;
  const auto fill = [&] {
    while (pending.size() < kChunk && segment < bytes.size()) {
      const Segment& s = bytes[segment];
      if (done_in_segment == s.times) {
        ++segment;
        done_in_segment = 0;
        continue;
      }
      pending += s.unit;
      ++done_in_segment;
    }
  };
  bool finished = false;
  while (!finished || !pending.empty()) {
    if (pending.empty()) {
      fill();
      if (pending.empty()) {
        finished = true;
        if (chunked) pending = "0\r\n\r\n";
        if (pending.empty()) break;
      } else if (chunked) {
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", pending.size());
        pending = size + pending + "\r\n";
      }
    }
    pollfd p{fd, POLLIN | POLLOUT, 0};
    if (::poll(&p, 1, 10'000) <= 0) return false;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      answered = true;
      return true;
    }
    const ssize_t n = ::send(fd, pending.data(), pending.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      answered = true;  // gone: read what it said
      return true;
    }
    pending.erase(0, static_cast<size_t>(n));
  }
  return true;
}

struct Answer {
  int status = 0;
  std::string content_type, body;
};

// A header's value in a response head ("" when it has none).
std::string header_of(const std::string& head, const std::string& name) {
  std::smatch value;
  const std::regex line("\r\n" + name + ": *([^\r]*)", std::regex::icase);
  return std::regex_search(head, value, line) ? std::string(value[1]) : "";
}

// One request on a connection of its own, as the case describes it.
Answer send_case(int port, const std::string& head, const Bytes& body, bool chunked) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  Answer answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return answer;
  }
  bool answered = false;
  std::string text;
  if (send_watching(fd, {{head, 1}}, false, answered)) {
    // A large body may be refused on its headers alone: give the answer a
    // moment to come before the body is pushed at a closing socket.
    pollfd early{fd, POLLIN, 0};
    if (size_of(body) > (1u << 20) && ::poll(&early, 1, 300) > 0) answered = true;
    if (answered || send_watching(fd, body, chunked, answered)) {
      // Until the answer is whole (or the server closes).
      char buffer[65536];
      for (;;) {
        // Interim answers (100 Continue) are not the answer.
        while (text.starts_with("HTTP/1.1 100") && text.find("\r\n\r\n") != std::string::npos) {
          text.erase(0, text.find("\r\n\r\n") + 4);
        }
        const size_t end = text.find("\r\n\r\n");
        const std::string length =
            end == std::string::npos ? "" : header_of(text.substr(0, end), "Content-Length");
        if (!length.empty() && text.size() >= end + 4 + std::stoul(length)) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 15'000) <= 0) break;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        text.append(buffer, static_cast<size_t>(n));
      }
    }
  }
  ::close(fd);
  const size_t end = text.find("\r\n\r\n");
  if (!text.starts_with("HTTP/") || end == std::string::npos) return answer;
  answer.status = std::atoi(text.c_str() + text.find(' ') + 1);
  const std::string answer_head = text.substr(0, end);
  answer.content_type = header_of(answer_head, "Content-Type");
  answer.body = text.substr(end + 4);
  if (const std::string length = header_of(answer_head, "Content-Length"); !length.empty()) {
    answer.body.resize(std::min(answer.body.size(), std::stoul(length)));  // not what follows
  }
  return answer;
}

// ---- checking --------------------------------------------------------------

std::string canonical(JsonRef value) {
  std::string out;
  append_canonical_json(out, value);
  return out;
}

// Whether `got` has every member of `want` with the same value. A wanted
// "${NAME}" is what the set-up found (a seq: compared as the number's text).
bool has_members(JsonRef got, JsonRef want, const Names& names, std::string& why) {
  if (!got.is_object()) {
    why = "the answer is not a JSON object";
    return false;
  }
  for (JsonRef member : want) {
    const JsonRef value = got.get(member.key());
    std::string error;
    const bool named = member.is_string() && member.text().starts_with("${");
    const std::string wanted =
        named ? expand(member.text(), names, error) : expand(canonical(member), names, error);
    const std::string found = !value.exists() ? ""
                              : named         ? std::string(value.text())
                                              : canonical(value);
    if (!value.exists() || found != wanted) {
      why = std::string(member.key()) + " is " + (value.exists() ? found : "missing") + ", not " +
            wanted;
      return false;
    }
  }
  return true;
}

// A command's result: rejected, with an error of that code (and field).
bool rejected_with(JsonRef result, JsonRef want, std::string& why) {
  if (result.get("status").text() != "rejected") {
    why = "the command was not rejected";
    return false;
  }
  for (JsonRef error : result.get("errors")) {
    if (error.get("code").text() == want.get("rejected").text() &&
        (!want.get("field").exists() || error.get("field").text() == want.get("field").text())) {
      return true;
    }
  }
  why = "no error " + std::string(want.get("rejected").text()) +
        (want.get("field").exists() ? " at " + std::string(want.get("field").text()) : "");
  return false;
}

// One answer (a whole body, or one line of a JSON Lines body) against
// {"rejected", "field"} and {"json"} expectations.
bool answer_matches(std::string_view text, JsonRef want, const Names& names, std::string& why) {
  JsonDocument got;
  if (!got.parse(text).is_ok()) {
    why = "the answer is not JSON";
    return false;
  }
  if (want.get("rejected").exists() && !rejected_with(got.root(), want, why)) return false;
  if (want.get("json").exists() && !has_members(got.root(), want.get("json"), names, why)) {
    return false;
  }
  return true;
}

// "" when the answer is the one the case expects; else what differs.
std::string mismatch(const Answer& got, JsonRef expect, const Names& names) {
  const int status = std::stoi(std::string(expect.get("status").text()));
  if (got.status != status) return "status " + std::to_string(got.status);
  std::string why;
  if (const JsonRef code = expect.get("problem"); code.exists()) {
    if (got.content_type != "application/problem+json") return "not a problem: " + got.content_type;
    JsonDocument problem;
    if (!problem.parse(got.body).is_ok()) return "the problem is not JSON";
    if (problem.root().get("code").text() != code.text()) {
      return "problem code " + std::string(problem.root().get("code").text());
    }
  }
  if (const JsonRef lines = expect.get("lines"); lines.exists()) {
    const std::vector<std::string> answers = lines_of(got.body);
    if (answers.size() != lines.size()) {
      return std::to_string(answers.size()) + " answer lines, not " + std::to_string(lines.size());
    }
    size_t i = 0;
    for (JsonRef want : lines) {
      if (!answer_matches(answers[i], want, names, why))
        return "line " + std::to_string(i + 1) + ": " + why;
      ++i;
    }
  } else if ((expect.get("rejected").exists() || expect.get("json").exists()) &&
             !answer_matches(got.body, expect, names, why)) {
    return why;
  }
  return "";
}

// What a case sends: the head of the request, and its body (made while it
// is sent).
struct Request {
  std::string head;
  Bytes body;
  bool chunked = false;
};

// The request a case describes; `error` says what is wrong with the case.
Request request_of(JsonRef spec, const Names& names,
                   const std::map<std::string, std::string>& tokens, std::string& error) {
  Request r;
  r.body = bytes_of(spec.get("body"), names, error);
  if (const JsonRef command = spec.get("command"); command.exists()) {
    r.body.push_back({expand(canonical(command), names, error), 1});
  }
  for (JsonRef line : spec.get("batch")) {
    r.body.push_back(
        {expand(line.is_string() ? line.text() : canonical(line), names, error) + "\n", 1});
  }
  if (spec.get("raw").exists()) {
    r.head = text_of(spec.get("raw"), names, error);
    return r;
  }
  r.chunked = spec.get("chunked").is_bool() && spec.get("chunked").as_bool();
  const std::string method =
      spec.get("method").exists() ? std::string(spec.get("method").text()) : "GET";
  r.head = method + " " + text_of(spec.get("path"), names, error) +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  std::string authorization;
  if (const JsonRef literal = spec.get("authorization"); literal.exists()) {
    authorization = text_of(literal, names, error);
  } else if (const std::string who(spec.get("as").text()); who != "none") {
    const auto token = tokens.find(who);
    if (token == tokens.end()) error = "nobody is \"" + who + "\"";
    authorization = "Bearer " + (token == tokens.end() ? "" : token->second);
  }
  if (!authorization.empty()) r.head += "Authorization: " + authorization + "\r\n";
  const JsonRef type = spec.get("content_type");
  const std::string content_type = type.exists()                ? std::string(type.text())
                                   : spec.get("batch").exists() ? "application/x-ndjson"
                                   : r.body.empty()             ? ""
                                                                : "application/json";
  if (!content_type.empty()) r.head += "Content-Type: " + content_type + "\r\n";
  for (JsonRef header : spec.get("headers")) {
    r.head += std::string(header.key()) + ": " + text_of(header, names, error) + "\r\n";
  }
  if (r.chunked) {
    r.head += "Transfer-Encoding: chunked\r\n";
  } else if (!r.body.empty() || method == "POST") {
    r.head += "Content-Length: " + std::to_string(size_of(r.body)) + "\r\n";
  }
  r.head += "\r\n";
  return r;
}

// ---- the zone, before and after --------------------------------------------

std::string member_text(const std::string& json, std::string_view key) {
  JsonDocument doc;
  if (!doc.parse(json).is_ok()) return "";
  return std::string(doc.root().get(key).text());
}

// The first byte at which two texts differ.
size_t parting(const std::string& a, const std::string& b) {
  size_t at = 0;
  while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
  return at;
}

class BadInputs : public ::testing::Test {
 protected:
  void TearDown() override {
    server.stop(SIGKILL);
    std::filesystem::remove_all(data);
    std::filesystem::remove(data + ".log");
    for (const std::string& file : scratch) std::filesystem::remove(file);
  }

  HttpReply get(const std::string& path, const std::string& token) {
    return http(server.port(), "GET", path, token);
  }
  HttpReply post(const std::string& token, const std::string& body,
                 const std::string& path = "/v1/commands") {
    return http(server.port(), "POST", path, token, body);
  }
  // Posts a command the set-up needs; its result.
  std::string accepted(const std::string& token, const std::string& command) {
    const HttpReply r = post(token, command);
    EXPECT_EQ(member_text(r.body, "status"), "accepted") << command << "\n" << r.body;
    return r.body;
  }

  // A quarter of the demo day: 36 enterprises with books, declarations,
  // gates, travellers; a token per role, and two enterprises A and B.
  void start_demo() {
    data = temp_dir("bad-inputs");
    // --read-timeout: a 100 MB chunked body is refused only after 64 MB
    // (the limit) has been read, which under the sanitizers takes longer
    // than the default 15 s a request may take, and then the server hangs up
    // without an answer. The cases are about the answer, not the clock.
    server.start(data, "--demo --demo-scale 0.25 --read-timeout 300");
    const std::regex exported("export ([A-Z_]+)=(zgt_[A-Za-z0-9_-]+)(   # ([0-9A-Z]{18}))?");
    const std::string& banner = server.banner();
    std::map<std::string, std::string> uscc;
    for (std::sregex_iterator it(banner.begin(), banner.end(), exported), end; it != end; ++it) {
      std::string who = (*it)[1];
      std::transform(who.begin(), who.end(), who.begin(), ::tolower);
      if (who.starts_with("enterprise_")) who = who.substr(11);  // "a", "b"
      tokens[who] = (*it)[2];
      uscc[who] = (*it)[4];
    }
    for (const char* who : {"admin", "officer", "gate", "auditor", "a", "b"}) {
      ASSERT_FALSE(tokens[who].empty()) << who << " missing from:\n" << banner;
    }
    names["A"] = uscc["a"];
    names["B"] = uscc["b"];
    // The same enterprises spelled in lower case (a USCC has capitals).
    for (const std::string who : {"A", "B"}) {
      std::string lower = names[who];
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      names[who + "_LOWER"] = lower;
    }
    std::map<std::string, std::string> pages;
    read_pages("/v1/enterprises", tokens["officer"], pages);
    for (const auto& [path, page] : pages) {
      JsonDocument doc;
      ASSERT_TRUE(doc.parse(page.substr(page.find(' ') + 1)).is_ok()) << page;
      for (JsonRef e : doc.root().get("items")) enterprises.emplace_back(e.get("uscc").text());
    }
    ASSERT_GE(enterprises.size(), 30u);
  }

  // Tokens that must not work (never issued, a wrong secret, revoked,
  // expired), and one of an enterprise the zone never registered.
  void issue_tokens() {
    tokens["forged"] = "zgt_0123456789ab_" + std::string(43, 'A');
    tokens["wrong_secret"] = tokens["admin"];
    tokens["wrong_secret"].back() = tokens["wrong_secret"].back() == 'A' ? 'B' : 'A';
    tokens["revoked"] = create_token(data, "officer");
    ASSERT_EQ(http(server.port(), "DELETE", "/v1/tokens/" + tokens["revoked"].substr(4, 12),
                   tokens["admin"])
                  .status,
              204);
    auto store = api::TokenStore::open(data);
    ASSERT_TRUE(store.is_ok());
    auto expired = (*store)->create(api::Role::kAdmin, "", 1'000'000, 60, "expired");
    ASSERT_TRUE(expired.is_ok());
    tokens["expired"] = expired->secret;
    names["U"] = "914404000MA4W2X03C";
    tokens["unregistered"] = create_token(data, "enterprise", names["U"]);
    ASSERT_FALSE(tokens["unregistered"].empty());
    for (const auto& [who, token] : tokens) {
      names["TOKEN_" + who] = token;
      names["TOKEN_ID_" + who] = token.substr(4, 12);
      std::string upper = token.substr(4, 12);
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      names["TOKEN_ID_UPPER_" + who] = upper;
    }
  }

  // What the catalogue aims at: a declaration each of A and B (to replay
  // and to reach across tenants), one of A held for an officer (licensed
  // goods wait in the yellow lane), a traveller and its credential.
  void make_targets() {
    for (const std::string who : {"A", "B"}) {
      const std::string command =
          R"({"type":"declare","id":"bad-inputs-)" + who + R"(","at":")" + now_rfc3339() +
          R"(","movement":"first_line_entry","declarant":")" + names[who] +
          R"(","purpose":"processing","currency":"CNY","items":[{"item":"CHIP-A","hs":"85423100",)"
          R"("origin":"KR","quantity":"100","unit":"pcs","value":"5000.00"}]})";
      const std::string result = accepted(tokens[who == "A" ? "a" : "b"], command);
      names["DECLARE_" + who] = command;
      names["DECL_" + who] = member_text(result, "declaration");
      names["SEQ_" + who] = member_text(result, "seq");
    }
    const std::string held = accepted(
        tokens["a"],
        R"({"type":"declare","id":"bad-inputs-held","at":")" + now_rfc3339() +
            R"(","movement":"first_line_entry","declarant":")" + names["A"] +
            R"(","purpose":"trade","currency":"CNY","items":[{"item":"CIG-A","hs":"24022000",)"
            R"("origin":"GB","quantity":"10","unit":"1000pcs","value":"5000.00","licence":"TL-1"}]})");
    ASSERT_EQ(member_text(held, "release"), "held") << held;
    names["DECL_HELD_A"] = member_text(held, "declaration");
    names["TODAY"] = now_rfc3339().substr(0, 10);
    names["DATE_SOON"] = now_rfc3339(30 * 86400).substr(0, 10);
    names["EARLIER"] = now_rfc3339(-600);
    const std::string enrolled = accepted(
        tokens["officer"],
        R"({"type":"enrol_traveller","id":"bad-inputs-traveller","at":")" + now_rfc3339() +
            R"(","document":{"kind":"home_return_permit","number":"M98765432","birth_date":"1980-01-01"},)"
            R"("categories":["macao_resident"],"biometric_ref":"bad-inputs/1","valid_until":")" +
            names["DATE_SOON"] + "\"}");
    names["TRAVELLER"] = member_text(enrolled, "traveller");
    names["CREDENTIAL"] = member_text(enrolled, "credential");
  }

  // A key pair of the exchange, made by `zonegate exchange keygen`.
  std::string keygen(const std::string& name, const std::string& file) {
    scratch.push_back(file);
    const std::vector<std::string> lines =
        lines_of(zonegate("exchange keygen --name " + name + " --out " + file).out);
    return lines.empty() ? "" : lines.back();
  }
  // Seals the JSON `body` as an envelope to `to` with the key in `key_file`.
  std::string seal(const std::string& key_file, const std::string& to, const std::string& id,
                   const std::string& body, const std::string& at = "") {
    const std::string body_file = data + ".body.json";
    scratch.push_back(body_file);
    std::ofstream(body_file) << body;
    const Outcome o = zonegate(
        "exchange seal --key " + key_file + " --to " + to + " --to-sign-key " +
        member_text(zone_keys, "sign_key") + " --to-box-key " + member_text(zone_keys, "box_key") +
        " --id " + id + " --kind note" + (at.empty() ? "" : " --at " + at) + " < " + body_file);
    const std::vector<std::string> lines = lines_of(o.out);
    return o.exit_code == 0 && !lines.empty() ? lines.back() : "";
  }

  // A partner, BANK, and an envelope from it the zone took; then the
  // envelopes the catalogue posts: another body under its id, one bit of it
  // changed, a stranger's, one under BANK's name with another key, a late
  // one, one for another zone. And keys no partner holds, and the zone's
  // signed tree head (for forged cosignatures).
  void make_envelopes() {
    zone_keys = lines_of(zonegate("exchange zone-keys --data " + data).out).back();
    const std::string zone = member_text(zone_keys, "name");
    const std::string bank_key = data + ".bank.key";
    const std::string bank = keygen("BANK", bank_key);
    keygen("BANK", data + ".impostor.key");
    keygen("STRANGER", data + ".stranger.key");
    const std::string spare = keygen("SPARE", data + ".spare.key");
    names["SPARE_SIGN_KEY"] = member_text(spare, "sign_key");
    names["SPARE_BOX_KEY"] = member_text(spare, "box_key");
    accepted(tokens["admin"], R"({"type":"register_partner","id":"bad-inputs-bank","at":")" +
                                  now_rfc3339() +
                                  R"(","partner":"BANK","name":"Zone Bank","sign_key":")" +
                                  member_text(bank, "sign_key") + R"(","box_key":")" +
                                  member_text(bank, "box_key") + "\"}");
    const std::string first = R"({"note":"first"})";
    names["ENVELOPE"] = seal(bank_key, zone, "m-1", first);
    const HttpReply taken = post("", names["ENVELOPE"], "/v1/exchange/inbox");
    ASSERT_EQ(taken.status, 200) << taken.body;
    names["ENVELOPE_SEQ"] = member_text(taken.body, "seq");
    names["ENVELOPE_OTHER_BODY"] = seal(bank_key, zone, "m-1", R"({"note":"other"})");
    std::string tampered = names["ENVELOPE"];
    tampered[tampered.find("\"box\":\"") + 12] ^= 1;
    names["ENVELOPE_TAMPERED"] = tampered;
    names["ENVELOPE_STRANGER"] = seal(data + ".stranger.key", zone, "s-1", first);
    names["ENVELOPE_IMPOSTOR"] = seal(data + ".impostor.key", zone, "m-2", first);
    names["ENVELOPE_LATE"] = seal(bank_key, zone, "m-3", first, now_rfc3339(-3600));
    names["ENVELOPE_MISADDRESSED"] = seal(bank_key, "MACAO-CUSTOMS", "m-4", first);

    const HttpReply head = get("/v1/audit/tree-head", tokens["officer"]);
    ASSERT_EQ(head.status, 200) << head.body;
    names["TREE_HEAD"] = head.body;
    names["ZONE_KEY"] = member_text(head.body, "public_key");
    std::string other_root = head.body;
    char& digit = other_root[other_root.find("\"root\":\"") + 8];
    digit = digit == '0' ? '1' : '0';
    names["TREE_HEAD_OTHER_ROOT"] = other_root;
  }

  // Every page of a list (items and next), as one text per page.
  void read_pages(const std::string& path, const std::string& token,
                  std::map<std::string, std::string>& out) {
    std::string after;
    for (int page = 0; page < 1000; ++page) {
      const std::string at = path + (path.find('?') == std::string::npos ? "?" : "&") +
                             "limit=1000" + (after.empty() ? "" : "&after=" + after);
      const HttpReply r = get(at, token);
      out[at] = std::to_string(r.status) + " " + r.body;
      after = member_text(r.body, "next");
      if (r.status != 200 || after.empty()) return;
    }
  }

  // What the zone is: everything a hostile request must not change.
  std::map<std::string, std::string> zone_state() {
    const std::string& officer = tokens["officer"];
    std::map<std::string, std::string> state;
    const HttpReply ready = get("/ready", "");
    state["/ready"] = ready.body;
    // The Merkle tree over the journal, at its durable size: the last
    // entry's leaf hash and the root (the newest signed head may lag, so it
    // is not what is compared).
    const std::string seq = member_text(ready.body, "seq");
    if (std::stoul("0" + seq) > 0) {
      state["journal"] =
          get("/v1/audit/inclusion?index=" + std::to_string(std::stoul(seq) - 1) + "&size=" + seq,
              officer)
              .body;
    }
    read_pages("/v1/enterprises", officer, state);
    read_pages("/v1/declarations", officer, state);
    for (const std::string& uscc : enterprises) {
      for (const char* view : {"", "/book", "/lots"}) {
        const std::string path = "/v1/enterprises/" + uscc + view;
        const HttpReply r = get(path, officer);
        state[path] = std::to_string(r.status) + " " + r.body;
      }
      read_pages("/v1/enterprises/" + uscc + "/postings", officer, state);
    }
    for (const char* path : {"/v1/taxes", "/v1/figures", "/v1/gates/figures?by=day",
                             "/v1/exchange/partners", "/v1/exchange/outbox", "/v1/rates"}) {
      state[path] = get(path, tokens["auditor"]).body;
    }
    state["/v1/tokens"] = get("/v1/tokens", tokens["admin"]).body;
    return state;
  }

  Server server;
  std::string data;
  std::vector<std::string> scratch;           // files beside the data directory
  std::map<std::string, std::string> tokens;  // by the catalogue's "as"
  std::vector<std::string> enterprises;       // every USCC of the zone
  std::string zone_keys;                      // the zone's exchange keys
  Names names;
};

TEST_F(BadInputs, EveryCaseGetsItsAnswerAndTheZoneIsUnchanged) {
  std::string problems;
  const std::vector<Case> cases = load_catalogue(kSource + "/tests/bad_inputs", problems);
  ASSERT_EQ(problems, "");
  std::map<std::string, int> per_file;
  for (const Case& c : cases) ++per_file[c.file];
  std::cout << "bad inputs: " << cases.size() << " cases\n";
  for (const auto& [file, count] : per_file) std::cout << "  " << file << ": " << count << "\n";
  RecordProperty("cases", static_cast<int>(cases.size()));
  EXPECT_GE(cases.size(), 200u);

  ASSERT_NO_FATAL_FAILURE(start_demo());
  ASSERT_NO_FATAL_FAILURE(issue_tokens());
  ASSERT_NO_FATAL_FAILURE(make_targets());
  ASSERT_NO_FATAL_FAILURE(make_envelopes());
  for (const auto& [name, value] : names) ASSERT_FALSE(value.empty()) << name;
  ASSERT_FALSE(HasFailure());

  const std::map<std::string, std::string> before = zone_state();
  // A watcher of every event: none may come.
  Connection events(server.port());
  ASSERT_TRUE(events.send(request_text("GET", "/v1/events", tokens["officer"], "", "")));

  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> failures;
  const bool show = std::getenv("ZG_BAD_INPUTS_SHOW") != nullptr;  // print every answer
  for (const Case& c : cases) {
    names["NOW"] = now_rfc3339();
    std::string error;
    const Request request = request_of(c.json(), names, tokens, error);
    if (!error.empty()) {
      failures.push_back(c.file + " " + c.name + ": the case is wrong: " + error);
      continue;
    }
    const Answer got = send_case(server.port(), request.head, request.body, request.chunked);
    const std::string wrong = mismatch(got, c.json().get("expect"), names);
    const std::string shown = std::to_string(got.status) + " " + got.body.substr(0, 600);
    if (show) std::cout << c.file << " " << c.name << " -> " << shown << "\n";
    if (!wrong.empty()) {
      failures.push_back(c.file + " " + c.name + ": " + wrong + "\n    expected " +
                         canonical(c.json().get("expect")) + "\n    got " + shown);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "bad inputs: " << cases.size() - failures.size() << " of " << cases.size()
            << " answered as expected in " << seconds << " s\n";
  std::string list;
  for (const std::string& f : failures) list += "  " + f + "\n";
  EXPECT_TRUE(failures.empty()) << failures.size() << " cases answered otherwise:\n" << list;

  // Nothing changed, and the server is well.
  EXPECT_EQ(get("/health", "").body, R"({"status":"ok"})");
  const std::map<std::string, std::string> after = zone_state();
  EXPECT_EQ(after.size(), before.size());
  for (const auto& [what, was] : before) {
    const auto found = after.find(what);
    const std::string is = found == after.end() ? "(gone)" : found->second;
    const size_t at = parting(was, is);
    const size_t from = at < 100 ? 0 : at - 100;
    EXPECT_TRUE(is == was) << what << " changed at byte " << at << ":\n  before …"
                           << was.substr(from, 300) << "\n  after  …" << is.substr(from, 300);
  }
  const std::string streamed = events.read_for(300);
  EXPECT_EQ(streamed.find("\nid: "), std::string::npos) << streamed;

  // The journal on disk says the same once the server has stopped.
  EXPECT_EQ(server.stop(SIGTERM), 0);
  const Outcome verify = zonegate("verify --data " + data);
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_NE(verify.out.find("last seq: " + member_text(before.at("/ready"), "seq")),
            std::string::npos)
      << verify.out;
}

}  // namespace
}  // namespace zg::test
