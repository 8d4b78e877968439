// Three `zonegate serve` nodes on one PostgreSQL shard, loaded through the
// API while the owner is killed (kill -9) and the next owner paused
// (SIGSTOP) and woken. Then: every command answered `accepted` is in the
// journal exactly once, the books equal a clean replay's, and the paused
// ex-owner was refused by the epoch check (docs/operations.md).
//
// Needs ZG_TEST_POSTGRES_URL (CI's .ci/run starts a PostgreSQL); skipped
// without it, failed without it when ZG_REQUIRE_POSTGRES=1.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/json.h"
#include "http_support.h"
#include "store/postgres/postgres_journal.h"
#include "store/store_spec.h"

namespace zg::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const std::string kA = "914404000MA4W2X03C";

std::string registration() {
  return R"({"type":"register_enterprise","id":"reg-a","at":")" + now_rfc3339() + R"(","uscc":")" +
         kA +
         R"(","name":"Test A","legal_person":true,"registered_in_zone":true,"macao_funded":true,"duty_free_importer":false,"encouraged_industry":false,"high_tech":false,"credit_grade":"general"})";
}

std::string declaration(const std::string& id) {
  return R"({"type":"declare","id":")" + id + R"(","at":")" + now_rfc3339() +
         R"(","movement":"first_line_entry","declarant":")" + kA +
         R"(","purpose":"processing","currency":"CNY","items":[{"item":"CHIP-A","hs":"85423100","origin":"KR","quantity":"100","unit":"pcs","value":"5000.00"}]})";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

struct Node {
  std::string name;
  std::string data;
  Server server;
  int port = 0;
  std::string role() const {
    // A short wait: a paused node answers nothing.
    Connection c(port);
    if (!c.ok() || !c.send(request_text("GET", "/ready", "", "", "", false))) return "";
    const HttpReply r = c.read_reply(500);
    if (r.status != 200) return "";
    return r.body.find("\"role\":\"owner\"") != std::string::npos ? "owner" : "standby";
  }
};

// The seq a node's /ready reports (0 when it does not answer).
uint64_t ready_seq(const Node& node) {
  const HttpReply r = http(node.port, "GET", "/ready");
  const size_t at = r.body.find("\"seq\":");
  return r.status == 200 && at != std::string::npos ? std::stoull(r.body.substr(at + 6)) : 0;
}

class Failover : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("ZG_TEST_POSTGRES_URL");
    const char* required = std::getenv("ZG_REQUIRE_POSTGRES");
    if (url == nullptr || *url == '\0') {
      if (required != nullptr && std::string(required) == "1") {
        FAIL() << "ZG_TEST_POSTGRES_URL is required here (ZG_REQUIRE_POSTGRES=1)";
      }
      GTEST_SKIP() << "ZG_TEST_POSTGRES_URL is not set";
    }
    base_url_ = url;
    shard_ = "failover_" + std::to_string(getpid());
    store_ = base_url_ + (base_url_.find('?') == std::string::npos ? "?" : "&") + "shard=" + shard_;
    root_ = temp_dir("failover");
  }
  void TearDown() override {
    for (Node& node : nodes_) node.server.stop(SIGKILL);
    if (HasFailure()) {  // what each node said, to see why
      for (const Node& node : nodes_) {
        std::string log = read_text(node.data + ".log");
        if (log.size() > 4'000) log = "…" + log.substr(log.size() - 4'000);
        std::fprintf(stderr, "--- node %s (%s.log):\n%s\n", node.name.c_str(), node.data.c_str(),
                     log.c_str());
      }
    }
    if (!shard_.empty() && !base_url_.empty()) {
      PostgresOptions options;
      options.url = base_url_;
      options.shard = shard_;
      (void)PostgresJournal::drop_shard(options);
    }
    if (!root_.empty() && std::getenv("ZG_KEEP") == nullptr) fs::remove_all(root_);
  }
  void start(Node& node) {
    node.server.start(node.data, "--store '" + store_ + "' --lease-ms " + std::to_string(kLeaseMs) +
                                     " --rate-limit 0 --snapshot-every 100");
    node.port = node.server.port();
  }
  // The node that owns the shard once one does (waiting up to `ms`), or null.
  Node* owner(int ms = 10'000) {
    const auto until = Clock::now() + std::chrono::milliseconds(ms);
    while (Clock::now() < until) {
      for (Node& node : nodes_) {
        if (std::atomic_ref<int>(node.port).load() != 0 && node.role() == "owner") return &node;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return nullptr;
  }
  // The journal's commands by id: how many rows each has.
  std::map<std::string, int> journal_ids() {
    PostgresOptions options;
    options.url = base_url_;
    options.shard = shard_;
    auto journal = PostgresJournal::open(options, false);
    EXPECT_TRUE(journal.is_ok());
    std::map<std::string, int> ids;
    if (!journal.is_ok()) return ids;
    JsonDocument entry;
    Status read = (*journal)->read(1, [&](const JournalEntry& row) {
      Status parsed = entry.parse(row.entry);
      if (!parsed.is_ok()) return parsed;
      ++ids[std::string(entry.root().get("command").get("id").text())];
      return Status::ok();
    });
    EXPECT_TRUE(read.is_ok()) << read.first().message;
    return ids;
  }

  // Node a makes the data directory and takes the lease; the others are
  // copies of its directory (its key, tokens, packs) and stand by.
  void start_nodes(size_t count) {
    nodes_.reserve(4);  // a node never moves: a test may add one, and keeps pointers
    nodes_.resize(count);
    for (size_t i = 0; i < count; ++i) {
      nodes_[i].name = std::string(1, static_cast<char>('a' + i));
      nodes_[i].data = root_ + "/" + nodes_[i].name;
      if (i == 0) {
        start(nodes_[0]);
        ASSERT_EQ(owner(), &nodes_[0]) << read_text(nodes_[0].data + ".log");
        officer_ = create_token(nodes_[0].data, "officer");
        enterprise_ = create_token(nodes_[0].data, "enterprise", kA);
        ASSERT_FALSE(officer_.empty() || enterprise_.empty());
        ASSERT_EQ(http(nodes_[0].port, "POST", "/v1/commands", officer_, registration()).status,
                  200);
        continue;
      }
      fs::copy(nodes_[0].data, nodes_[i].data, fs::copy_options::recursive);
      fs::remove_all(nodes_[i].data + "/snapshots");
      start(nodes_[i]);
      EXPECT_EQ(nodes_[i].role(), "standby");
    }
  }

  static constexpr int kLeaseMs = 1'500;
  std::string officer_, enterprise_;
  std::string base_url_, shard_, store_, root_;
  std::vector<Node> nodes_;
};

// A client that sends each command until some node answers it: a 307 is
// followed, a refusal (503), a dead or paused node (no answer within a
// second) sends it to the next node, always with the same id.
struct Answered {
  std::string result;
  Clock::time_point sent;  // when the request that was answered went out
  Clock::time_point at;
};

// Threads joined however the test ends (an ASSERT returns early).
struct Joined {
  std::atomic<bool>& stop;
  std::vector<std::thread> threads;
  ~Joined() {
    stop = true;
    for (std::thread& thread : threads) {
      if (thread.joinable()) thread.join();
    }
  }
};

// Redirects to the node that gave them: a client following them would loop.
std::atomic<int> self_redirects{0};

Answered send_until_answered(std::vector<Node>& nodes, const std::string& token,
                             const std::string& command, size_t& next) {
  for (int attempt = 0; attempt < 400; ++attempt) {
    // (read atomically: the test marks a killed node's port 0 meanwhile)
    int port = std::atomic_ref<int>(nodes[next % nodes.size()].port).load();
    for (int hop = 0; hop < 3; ++hop) {
      const Clock::time_point sent = Clock::now();
      Connection c(port);
      if (!c.ok() ||
          !c.send(request_text("POST", "/v1/commands", token, "application/json", command))) {
        break;
      }
      const HttpReply r = c.read_reply(1'000);
      if (r.status == 200) return Answered{r.body, sent, Clock::now()};
      if (r.status != 307 || !r.headers.count("location")) break;
      const std::string& location = r.headers.at("location");  // http://127.0.0.1:PORT/v1/commands
      const int to = std::atoi(location.c_str() + location.rfind(':') + 1);
      if (to == port) ++self_redirects;
      port = to;
    }
    ++next;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return Answered{"", Clock::now(), Clock::now()};
}

// Clients sending declarations until told to stop, each until answered;
// what was accepted, with when it was sent and answered.
class Load {
 public:
  Load(std::vector<Node>& nodes, std::string token) : nodes_(nodes), token_(std::move(token)) {
    for (int t = 0; t < 4; ++t) {
      threads_.emplace_back([this, t] {
        size_t next = static_cast<size_t>(t);
        for (int i = 0; !stop_.load(); ++i) {
          const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
          const Answered answer = send_until_answered(nodes_, token_, declaration(id), next);
          if (answer.result.empty()) {
            ++unanswered_;
            return;
          }
          if (answer.result.find("\"accepted\"") != std::string::npos) {
            std::lock_guard lock(mutex_);
            accepted_[id] = answer;
          }
        }
      });
    }
  }
  ~Load() { stop(); }
  void stop() {
    stop_ = true;
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  size_t count() {
    std::lock_guard lock(mutex_);
    return accepted_.size();
  }
  // The first answer to a command sent after `when`, if any.
  std::optional<Clock::time_point> first_sent_after(Clock::time_point when) {
    std::lock_guard lock(mutex_);
    std::optional<Clock::time_point> first;
    for (const auto& [id, answer] : accepted_) {
      if (answer.sent > when && (!first || answer.at < *first)) first = answer.at;
    }
    return first;
  }
  // Waits (up to 30 s) for a command sent after `when` to be accepted.
  bool wait_for_writes_after(Clock::time_point when) {
    while (!first_sent_after(when) && Clock::now() < when + std::chrono::seconds(30)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return first_sent_after(when).has_value();
  }
  // After stop(): every accepted id's rows in `journal` (must be 1 each).
  void expect_each_once(const std::map<std::string, int>& journal) {
    size_t missing = 0, doubled = 0;
    for (const auto& [id, answer] : accepted_) {
      const auto found = journal.find(id);
      if (found == journal.end()) ++missing;
      if (found != journal.end() && found->second != 1) ++doubled;
    }
    EXPECT_EQ(missing, 0u) << "accepted but not in the journal";
    EXPECT_EQ(doubled, 0u);
    for (const auto& [id, rows] : journal) EXPECT_EQ(rows, 1) << id;
    EXPECT_EQ(unanswered_.load(), 0) << "commands no node ever answered";
    EXPECT_EQ(self_redirects.load(), 0) << "307s naming the node that sent them";
  }

 private:
  std::vector<Node>& nodes_;
  std::string token_;
  std::mutex mutex_;
  std::map<std::string, Answered> accepted_;
  std::atomic<bool> stop_{false};
  std::atomic<int> unanswered_{0};
  std::vector<std::thread> threads_;
};

TEST_F(Failover, KilledAndPausedOwnersLoseNothingAnsweredAndAreFenced) {
  ASSERT_NO_FATAL_FAILURE(start_nodes(3));
  Load load(nodes_, enterprise_);
  std::this_thread::sleep_for(std::chrono::milliseconds(1'500));
  ASSERT_GT(load.count(), 20u) << "the load did not get going";
  // `zonegate shards` names the owner, its epoch and the three nodes.
  const Outcome listed = zonegate("shards --json --data " + nodes_[0].data);
  ASSERT_EQ(listed.exit_code, 0) << listed.out;
  EXPECT_NE(listed.out.find("\"shard\":\"" + shard_ + "\""), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("\"owner\":\"127.0.0.1:" + std::to_string(nodes_[0].port) +
                            "\",\"address\":\"http://127.0.0.1:" + std::to_string(nodes_[0].port) +
                            "\",\"epoch\":1"),
            std::string::npos)
      << listed.out;
  EXPECT_EQ(lines_of(listed.out).size(), 1u);
  size_t standbys = 0;
  for (size_t at = listed.out.find("\"role\":\"standby\""); at != std::string::npos;
       at = listed.out.find("\"role\":\"standby\"", at + 1)) {
    ++standbys;
  }
  EXPECT_EQ(standbys, 2u) << listed.out;
  // Standbys follow the journal by themselves (commands sent to them are
  // refused at the door and wake nothing): they reach what the owner had.
  const uint64_t owner_seq = ready_seq(nodes_[0]);
  for (size_t i = 1; i < 3; ++i) {
    const auto until = Clock::now() + std::chrono::seconds(5);
    while (ready_seq(nodes_[i]) < owner_seq && Clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_GE(ready_seq(nodes_[i]), owner_seq) << nodes_[i].name << " does not follow";
  }

  // 1. The owner dies.
  const auto killed_at = Clock::now();
  nodes_[0].server.stop(SIGKILL);
  std::atomic_ref<int>(nodes_[0].port).store(0);  // the load's threads read it
  ASSERT_TRUE(load.wait_for_writes_after(killed_at)) << "no node took over";
  const double resumed_after =
      std::chrono::duration<double>(*load.first_sent_after(killed_at) - killed_at).count();
  Node* second = owner();
  ASSERT_NE(second, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));

  // 2. The new owner is paused mid-load, with a command on its way to it.
  second->server.signal(SIGSTOP);
  const auto paused_at = Clock::now();
  HttpReply to_paused;
  std::atomic<bool> unused{false};
  Joined sender{unused, {}};
  sender.threads.emplace_back([&] {
    Connection c(second->port);
    if (c.ok() && c.send(request_text("POST", "/v1/commands", enterprise_, "application/json",
                                      declaration("sent-to-the-paused-owner")))) {
      to_paused = c.read_reply(30'000);
    }
  });
  ASSERT_TRUE(load.wait_for_writes_after(paused_at + std::chrono::milliseconds(kLeaseMs)))
      << "no node took over from the paused owner";
  Node* third = owner();
  ASSERT_NE(third, nullptr);
  EXPECT_NE(third, second);

  // 3. The paused ex-owner wakes up: what it had is refused by the epoch.
  second->server.signal(SIGCONT);
  sender.threads[0].join();
  EXPECT_NE(to_paused.status, 0) << "the woken node never answered";
  EXPECT_EQ(to_paused.body.find("\"accepted\""), std::string::npos) << to_paused.body;
  EXPECT_TRUE(to_paused.status == 307 || to_paused.status == 503) << to_paused.status;
  std::this_thread::sleep_for(std::chrono::milliseconds(1'000));
  EXPECT_EQ(second->role(), "standby");
  const std::string second_log = read_text(second->data + ".log");
  EXPECT_TRUE(second_log.find("was taken by another node") != std::string::npos ||
              second_log.find("this writer held epoch") != std::string::npos)
      << second_log;
  load.stop();

  // Every accepted command is in the journal exactly once; the command
  // sent to the paused owner is not.
  const std::map<std::string, int> ids = journal_ids();
  load.expect_each_once(ids);
  EXPECT_EQ(ids.count("sent-to-the-paused-owner"), 0u);

  // The books: the owner's, the woken standby's (once it follows), and a
  // clean replay of the whole journal in a directory without snapshots.
  const HttpReply book = http(third->port, "GET", "/v1/enterprises/" + kA + "/book", officer_);
  ASSERT_EQ(book.status, 200) << book.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const HttpReply standby_book =
      http(second->port, "GET", "/v1/enterprises/" + kA + "/book", officer_);
  EXPECT_EQ(standby_book.body, book.body);
  const std::string clean = root_ + "/clean";
  fs::copy(third->data, clean, fs::copy_options::recursive);
  fs::remove_all(clean + "/snapshots");
  const Outcome replayed = zonegate("book --data " + clean + " " + kA);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.out;
  EXPECT_EQ(trimmed(replayed.out), trimmed(book.body));
  const Outcome verified = zonegate("verify --data " + clean);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  // A new node starts from the snapshot its owners shared, not from row 1,
  // and reaches the owner.
  ASSERT_LT(nodes_.size(), nodes_.capacity());
  {
    // Owners share every snapshot they write (every 100 commands here).
    PostgresOptions options;
    options.url = base_url_;
    options.shard = shard_;
    auto journal = PostgresJournal::open(options, false);
    ASSERT_TRUE(journal.is_ok());
    for (const auto until = Clock::now() + std::chrono::seconds(10);
         *(*journal)->newest_kept_snapshot() == 0 && Clock::now() < until;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_GT(*(*journal)->newest_kept_snapshot(), 0u) << "no owner shared a snapshot";
  }
  Node& fourth = nodes_.emplace_back();
  fourth.name = "d";
  fourth.data = root_ + "/d";
  fs::copy(clean, fourth.data, fs::copy_options::recursive);
  // What an earlier fetch, cut short, left: removed before this one.
  const fs::path leftover = fs::path(fourth.data) / "snapshots" / "000000000007.snap.partial";
  fs::create_directories(leftover.parent_path());
  std::ofstream(leftover) << "half a snapshot";
  start(fourth);
  const std::string fourth_log = read_text(fourth.data + ".log");
  EXPECT_NE(fourth_log.find("taken from the shard"), std::string::npos) << fourth_log;
  EXPECT_FALSE(fs::exists(leftover));
  const uint64_t final_seq = ready_seq(*third);
  for (const auto until = Clock::now() + std::chrono::seconds(10);
       ready_seq(fourth) < final_seq && Clock::now() < until;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(ready_seq(fourth), final_seq);
  EXPECT_EQ(http(fourth.port, "GET", "/v1/enterprises/" + kA + "/book", officer_).body,
            http(third->port, "GET", "/v1/enterprises/" + kA + "/book", officer_).body);
  // The woken ex-owner's Merkle log is the owner's: the same consistency
  // proof from an early size to the whole journal.
  const std::string ready = http(third->port, "GET", "/ready").body;
  const std::string proof =
      "/v1/audit/consistency?size1=7&size2=" +
      ready.substr(ready.find("\"seq\":") + 6, ready.find('}') - ready.find("\"seq\":") - 6);
  const HttpReply owner_proof = http(third->port, "GET", proof, officer_);
  ASSERT_EQ(owner_proof.status, 200) << proof << ": " << owner_proof.body;
  EXPECT_EQ(http(second->port, "GET", proof, officer_).body, owner_proof.body);

  RecordProperty("accepted", static_cast<int>(load.count()));
  RecordProperty("writes_resumed_after_kill_ms", static_cast<int>(resumed_after * 1000));
  std::printf(
      "failover: %zu commands accepted; writes resumed %.2f s after kill -9 (lease %d ms)\n",
      load.count(), resumed_after, kLeaseMs);
}

// A PostgreSQL cluster of the test's own (initdb in a temporary directory,
// as the postgres user when run as root), so that restarting it disturbs
// no other test.
class PrivatePostgres {
 public:
  bool start(const std::string& dir) {
    dir_ = dir;
    const Outcome bindir = run("pg_config --bindir");
    bin_ = trimmed(bindir.out);
    if (bindir.exit_code != 0 || bin_.empty()) return false;
    port_ = free_port();
    as_ = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
    fs::create_directories(dir_);
    if (::geteuid() == 0 && run("chown postgres:postgres " + dir_).exit_code != 0) return false;
    ::chmod(dir_.c_str(), 0700);
    if (run(as_ + bin_ + "/initdb -D " + dir_ + " -U postgres -A trust -E UTF8 --locale=C.UTF-8")
            .exit_code != 0) {
      return false;
    }
    return pg_ctl("start");
  }
  bool restart() { return pg_ctl("restart -m fast"); }
  ~PrivatePostgres() {
    if (dir_.empty()) return;
    (void)pg_ctl("stop -m immediate");
    fs::remove_all(dir_);
  }
  std::string url() const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
  }

 private:
  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
  }
  bool pg_ctl(const std::string& action) {
    return run(as_ + bin_ + "/pg_ctl -D " + dir_ + " -l " + dir_ + "/server.log -w -t 60 -o '-p " +
               std::to_string(port_) +
               " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir_ + "' " + action)
               .exit_code == 0;
  }
  std::string dir_, bin_, as_;
  int port_ = 0;
};

// PostgreSQL restarted under load: the owner's commit waits for it to come
// back (the answers wait), a standby may take over if the owner's lease
// runs out meanwhile, and nothing acknowledged is lost or doubled.
TEST_F(Failover, APostgresqlRestartUnderLoadLosesNothingAnswered) {
  PrivatePostgres postgres;
  // Its own directory in /tmp: the postgres user cannot enter root_ (0700).
  ASSERT_TRUE(postgres.start(temp_dir("failover-pg"))) << "cannot start a PostgreSQL of its own";
  base_url_ = postgres.url();
  store_ = base_url_ + "?shard=" + shard_;
  ASSERT_NO_FATAL_FAILURE(start_nodes(2));
  Load load(nodes_, enterprise_);
  std::this_thread::sleep_for(std::chrono::milliseconds(1'500));
  ASSERT_GT(load.count(), 20u) << "the load did not get going";
  const auto restarting = Clock::now();
  ASSERT_TRUE(postgres.restart());
  const auto back = Clock::now();
  ASSERT_TRUE(load.wait_for_writes_after(back)) << "writes did not resume";
  const double restart_took = std::chrono::duration<double>(back - restarting).count();
  const double resumed_after =
      std::chrono::duration<double>(*load.first_sent_after(back) - back).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(1'000));
  load.stop();
  load.expect_each_once(journal_ids());
  EXPECT_NE(owner(), nullptr);
  for (Node& node : nodes_) {
    EXPECT_NE(node.role(), "") << node.name << " stopped: " << read_text(node.data + ".log");
  }
  std::printf(
      "restart: %zu commands accepted; PostgreSQL down and up in %.2f s, writes accepted %.2f s "
      "after\n",
      load.count(), restart_took, resumed_after);
}

}  // namespace
}  // namespace zg::test
