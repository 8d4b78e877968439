// Two Zonegate instances exchanging sealed messages over loopback: Hengqin
// shares first-line declaration summaries with "Macao customs" (a second
// instance under a copy of the pack), through an interrupted link and a
// crash of the sender, and nothing is lost or applied twice.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "core/json.h"
#include "http_support.h"

namespace zg::test {
namespace {

const std::string kTrader = "914404000MA4W2X05J";

std::string field_of(const std::string& json, std::string_view key) {
  JsonDocument doc;
  if (!doc.parse(json).is_ok() || !doc.root().get(key).exists()) return "";
  return std::string(doc.root().get(key).text());
}

// Waits up to `seconds` for `done`.
bool eventually(const std::function<bool()>& done, int seconds = 20) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

// An "inbox" that answers every envelope as acknowledged, with a receipt
// nobody signed: what a man in the middle of a plain-HTTP link could send.
class ForgingInbox {
 public:
  ForgingInbox() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::listen(listener_, 8) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      throw std::runtime_error("listen");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ForgingInbox() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  int port() const { return port_; }
  int requests() const { return requests_.load(); }

 private:
  void serve() {
    for (;;) {
      const int c = ::accept(listener_, nullptr, nullptr);
      if (c < 0) return;
      std::string in;
      char buffer[65536];
      size_t need = std::string::npos;
      while (need == std::string::npos || in.size() < need) {
        const ssize_t n = ::read(c, buffer, sizeof buffer);
        if (n <= 0) break;
        in.append(buffer, static_cast<size_t>(n));
        const size_t end = in.find("\r\n\r\n");
        const size_t length = in.find("Content-Length: ");
        if (end != std::string::npos && length != std::string::npos) {
          need = end + 4 + std::stoul(in.substr(length + 16));
        }
      }
      std::string answer;
      const std::string body = in.substr(in.find("\r\n\r\n") + 4);
      for (const std::string& line : lines_of(body)) {
        answer += R"({"acknowledged":true,"message":")" + field_of(line, "id") +
                  R"(","duplicate":false,"receipt":")" + std::string(128, '0') + "\"}\n";
      }
      const std::string response =
          "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
          "Connection: close\r\nContent-Length: " +
          std::to_string(answer.size()) + "\r\n\r\n" + answer;
      (void)!::write(c, response.data(), response.size());
      ::close(c);
      ++requests_;
    }
  }
  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

class ExchangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base = temp_dir("exchange");
    // Macao's instance: the same pack under another zone id, so the zone
    // calls itself MACAO-CUSTOMS, the partner Hengqin's profiles name.
    macao_pack = base + "/macao-pack";
    std::filesystem::copy(kPack, macao_pack, std::filesystem::copy_options::recursive);
    std::ifstream in(macao_pack + "/pack.toml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("id = \"hengqin\""), 14, "id = \"macao-customs\"");
    std::ofstream(macao_pack + "/pack.toml") << text;

    hengqin_data = base + "/hengqin";
    macao_data = base + "/macao";
    hengqin.start(hengqin_data, "--rate-limit 0 --retry-max-ms 300");
    start_macao("");
    hengqin_admin = create_token(hengqin_data, "admin");
    hengqin_officer = create_token(hengqin_data, "officer");
    macao_admin = create_token(macao_data, "admin");
  }
  void TearDown() override {
    hengqin.stop(SIGKILL);
    macao.stop(SIGKILL);
    std::filesystem::remove_all(base);
  }
  void start_macao(const std::string& listen) {
    macao.start(macao_data, "--pack " + macao_pack + " --rate-limit 0 " + listen);
  }
  HttpReply command(int port, const std::string& token, const std::string& body) {
    return http(port, "POST", "/v1/commands", token, body);
  }
  std::string registration(const std::string& id, const std::string& partner,
                           const std::string& keys, const std::string& inbox) {
    return R"({"type":"register_partner","id":")" + id + R"(","at":")" + now_rfc3339() +
           R"(","partner":")" + partner + R"(","name":")" + partner + R"(","sign_key":")" +
           field_of(keys, "sign_key") + R"(","box_key":")" + field_of(keys, "box_key") + "\"" +
           (inbox.empty() ? "" : R"(,"inbox":")" + inbox + "\"") + "}";
  }
  std::string declare(const std::string& id) {
    return R"({"type":"declare","id":")" + id + R"(","at":")" + now_rfc3339() +
           R"(","movement":"first_line_entry","declarant":")" + kTrader +
           R"(","purpose":"trade","currency":"CNY","gross_kg":"800.0","items":[{"item":"WINE-R",)"
           R"("hs":"22042100","origin":"FR","quantity":"600","unit":"L","value":"60000.00"}]})";
  }
  // Hengqin's outbox and Macao's count of messages received from Hengqin
  // (the declaration summaries and, Macao being a witness, tree heads).
  std::string outbox() {
    return http(hengqin.port(), "GET", "/v1/exchange/outbox", hengqin_admin).body;
  }
  std::string received() {
    const std::string body = http(macao.port(), "GET", "/v1/exchange/partners", macao_admin).body;
    const size_t at = body.find("\"received\":");
    return at == std::string::npos ? "" : body.substr(at + 11, body.find(',', at) - at - 11);
  }

  std::string base, macao_pack, hengqin_data, macao_data;
  Server hengqin, macao;
  std::string hengqin_admin, hengqin_officer, macao_admin;
};

TEST_F(ExchangeTest, MessagesCrossAnInterruptedLinkOnceEach) {
  const std::string hengqin_keys =
      lines_of(zonegate("exchange zone-keys --data " + hengqin_data).out).back();
  const std::string macao_keys =
      lines_of(zonegate("exchange zone-keys --data " + macao_data).out).back();
  ASSERT_EQ(field_of(macao_keys, "name"), "MACAO-CUSTOMS");
  const int macao_port = macao.port();
  const std::string inbox = "http://127.0.0.1:" + std::to_string(macao_port) + "/v1/exchange/inbox";
  ASSERT_EQ(command(hengqin.port(), hengqin_admin,
                    registration("p-1", "MACAO-CUSTOMS", macao_keys, inbox))
                .status,
            200);
  ASSERT_EQ(
      command(macao.port(), macao_admin, registration("p-1", "HENGQIN", hengqin_keys, "")).status,
      200);
  const HttpReply enterprise = command(
      hengqin.port(), hengqin_officer,
      R"({"type":"register_enterprise","id":"e-1","at":")" + now_rfc3339() + R"(","uscc":")" +
          kTrader +
          R"(","name":"Hengqin Wine Traders","legal_person":true,"registered_in_zone":true,)"
          R"("macao_funded":true,"duty_free_importer":false,"encouraged_industry":false,)"
          R"("high_tech":false,"credit_grade":"general"})");
  ASSERT_NE(enterprise.body.find("\"accepted\""), std::string::npos) << enterprise.body;

  // Three declarations: each queues a summary for Macao, without the values
  // and taxes the profile leaves out; the courier delivers them.
  for (int i = 1; i <= 3; ++i) {
    const HttpReply r = command(hengqin.port(), hengqin_officer, declare("d-" + std::to_string(i)));
    EXPECT_NE(r.body.find(R"("partner":"MACAO-CUSTOMS")"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(R"("kind":"declaration_summary")"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(R"("items.value")"), std::string::npos) << r.body;  // dropped
  }
  const auto settled = [&] {
    const std::string o = outbox();
    return o.find("\"waiting\":0") != std::string::npos && field_of(o, "delivered") == received() &&
           std::stoi("0" + received()) >= 3;
  };
  EXPECT_TRUE(eventually(settled)) << received() << outbox();
  const int before = std::stoi("0" + received());

  // The link goes down: Macao is killed. Four more wait in the outbox, and
  // the courier says why.
  macao.stop(SIGKILL);
  for (int i = 4; i <= 7; ++i) {
    ASSERT_EQ(command(hengqin.port(), hengqin_officer, declare("d-" + std::to_string(i))).status,
              200);
  }
  EXPECT_TRUE(eventually([&] {
    const std::string o = outbox();
    return std::stoi("0" + field_of(o, "waiting")) >= 4 &&  // 4, or more with a tree head
           o.find("\"last_error\":\"cannot connect") != std::string::npos;
  })) << outbox();
  // Hengqin crashes too: its outbox is rebuilt from the journal.
  hengqin.stop(SIGKILL);
  hengqin.start(hengqin_data, "--rate-limit 0 --retry-max-ms 300");
  EXPECT_GE(std::stoi("0" + field_of(outbox(), "waiting")), 4) << outbox();

  // Macao comes back on its address: all four arrive, each once.
  start_macao("--listen 127.0.0.1:" + std::to_string(macao_port));
  ASSERT_EQ(macao.port(), macao_port);
  // Every message Hengqin counts delivered, Macao counts received once.
  EXPECT_TRUE(eventually([&] { return settled() && std::stoi(received()) >= before + 4; }))
      << received() << outbox();

  // What Macao holds is what the profile allows: the HS code, not the value.
  hengqin.stop();
  macao.stop();
  const Outcome journal = zonegate("verify --data " + macao_data);
  EXPECT_EQ(journal.exit_code, 0) << journal.out;
  EXPECT_EQ(zonegate("verify --data " + hengqin_data).exit_code, 0);
}

TEST_F(ExchangeTest, TheInboxRefusesWhatIsNotAnAuthenticEnvelope) {
  const std::string macao_keys =
      lines_of(zonegate("exchange zone-keys --data " + macao_data).out).back();
  const auto post = [&](const std::string& body) {
    return http(macao.port(), "POST", "/v1/exchange/inbox", "", body);
  };
  // Not JSON, not an object, no time: refused before the zone sees it.
  for (const std::string& body : {std::string("junk"), std::string("[1]"), std::string("{}")}) {
    const HttpReply r = post(body);
    EXPECT_EQ(r.status, 400) << body << ": " << r.body;
    EXPECT_NE(r.body.find("invalid_envelope"), std::string::npos) << r.body;
  }
  // An envelope from a party Macao has not registered.
  const Outcome keygen =
      zonegate("exchange keygen --name STRANGER --out " + base + "/stranger.key");
  ASSERT_EQ(keygen.exit_code, 0);
  const std::string stranger_keys = lines_of(keygen.out).back();
  std::ofstream(base + "/body.json") << R"({"declaration":"HQ1","finding":"compliant"})";
  const std::string envelope =
      lines_of(zonegate("exchange seal --key " + base + "/stranger.key" +
                        " --to MACAO-CUSTOMS --to-sign-key " + field_of(macao_keys, "sign_key") +
                        " --to-box-key " + field_of(macao_keys, "box_key") +
                        " --id s-1 --kind joint_inspection < " + base + "/body.json")
                   .out)
          .back();
  const HttpReply unknown = post(envelope);
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_NE(unknown.body.find("no partner STRANGER is registered"), std::string::npos)
      << unknown.body;

  // Registered, the same envelope is received and acknowledged — never
  // answered with its body, which only Macao may read. Posted again it is
  // the same command and gets the same answer; one bit changed is refused.
  ASSERT_EQ(
      command(macao.port(), macao_admin, registration("p-1", "STRANGER", stranger_keys, "")).status,
      200);
  const HttpReply first = post(envelope);
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_NE(first.body.find("\"acknowledged\":true"), std::string::npos) << first.body;
  EXPECT_EQ(field_of(first.body, "message"), "s-1");
  EXPECT_EQ(first.body.find("compliant"), std::string::npos) << first.body;
  const HttpReply again = post(envelope);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(field_of(again.body, "seq"), field_of(first.body, "seq"));
  std::string tampered = envelope;
  tampered[tampered.find("\"box\":\"") + 12] ^= 1;
  const HttpReply refused = post(tampered);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(received(), "1");
}

// An acknowledgement counts only with the partner's signed receipt: a
// forged "acknowledged" leaves the message waiting, and says why.
TEST_F(ExchangeTest, AForgedAcknowledgementDeliversNothing) {
  ForgingInbox forger;
  const std::string macao_keys =
      lines_of(zonegate("exchange zone-keys --data " + macao_data).out).back();
  const std::string inbox =
      "http://127.0.0.1:" + std::to_string(forger.port()) + "/v1/exchange/inbox";
  ASSERT_EQ(command(hengqin.port(), hengqin_admin,
                    registration("p-1", "MACAO-CUSTOMS", macao_keys, inbox))
                .status,
            200);
  EXPECT_TRUE(eventually([&] {
    const std::string o = outbox();
    return forger.requests() >= 1 && o.find("does not hold") != std::string::npos;
  })) << outbox();
  EXPECT_EQ(field_of(outbox(), "delivered"), "0") << outbox();
  EXPECT_NE(field_of(outbox(), "waiting"), "0") << outbox();  // the tree head, still waiting
}

// The window runs from when the zone received the envelope (the door's
// stamp), not from the date the envelope gives itself; ids of the server's
// own commands are not a token's to take; and replay decides the same.
TEST_F(ExchangeTest, LateEnvelopesAndTheServersIdsAreRefused) {
  const std::string macao_keys =
      lines_of(zonegate("exchange zone-keys --data " + macao_data).out).back();
  const Outcome keygen = zonegate("exchange keygen --name BANK --out " + base + "/bank.key");
  ASSERT_EQ(keygen.exit_code, 0);
  ASSERT_EQ(command(macao.port(), macao_admin,
                    registration("p-1", "BANK", lines_of(keygen.out).back(), ""))
                .status,
            200);
  std::ofstream(base + "/body.json") << R"({"note":"late"})";
  const std::string late =
      lines_of(zonegate("exchange seal --key " + base + "/bank.key" +
                        " --to MACAO-CUSTOMS --to-sign-key " + field_of(macao_keys, "sign_key") +
                        " --to-box-key " + field_of(macao_keys, "box_key") +
                        " --id b-1 --kind note --at " + now_rfc3339(-3600) + " < " + base +
                        "/body.json")
                   .out)
          .back();
  const HttpReply refused = http(macao.port(), "POST", "/v1/exchange/inbox", "", late);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("envelope.at"), std::string::npos) << refused.body;
  for (const char* id : {"delivered-MACAO-1", "tree-head-9", "inbox-0"}) {
    const HttpReply r = command(macao.port(), macao_admin,
                                R"({"type":"register_partner","id":")" + std::string(id) +
                                    R"(","at":")" + now_rfc3339() + R"(","partner":"X"})");
    EXPECT_NE(r.body.find("\"forbidden\""), std::string::npos) << id << ": " << r.body;
  }
  macao.stop();
  const Outcome verify = zonegate("verify --data " + macao_data);
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

}  // namespace
}  // namespace zg::test
