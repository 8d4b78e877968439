// End-to-end tests of `zonegate serve`: the real binary on a free port,
// spoken to over HTTP. Every route, every role, the refusals, and what a
// client that misbehaves can (not) do.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>

#include "api/tokens.h"
#include "core/json.h"
#include "http_support.h"

namespace zg::test {
namespace {

const std::string kA = "914404000MA4W2X03C";  // two zone enterprises
const std::string kB = "914404000MA4W2X08U";

std::string registration(const std::string& id, const std::string& uscc, bool macao) {
  return R"({"type":"register_enterprise","id":")" + id + R"(","at":")" + now_rfc3339() +
         R"(","uscc":")" + uscc + R"(","name":"Test )" + uscc.substr(14) +
         R"(","legal_person":true,"registered_in_zone":true,"macao_funded":)" +
         (macao ? "true" : "false") +
         R"(,"duty_free_importer":false,"encouraged_industry":false,"high_tech":false,"credit_grade":"general"})";
}

std::string declaration(const std::string& id, const std::string& uscc,
                        const std::string& at = now_rfc3339()) {
  return R"({"type":"declare","id":")" + id + R"(","at":")" + at +
         R"(","movement":"first_line_entry","declarant":")" + uscc +
         R"(","purpose":"processing","currency":"CNY","items":[{"item":"CHIP-A","hs":"85423100","origin":"KR","quantity":"100","unit":"pcs","value":"5000.00"}]})";
}

// A server with two registered enterprises and a token per role.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { start("--rate-limit 0"); }
  void TearDown() override {
    server.stop(SIGKILL);
    std::filesystem::remove_all(data);
    std::filesystem::remove(data + ".log");
  }
  void start(const std::string& extra = "") {
    data = temp_dir("serve");
    server.start(data, extra);
    port = server.port();
    for (const char* role : {"officer", "gate", "auditor", "admin"}) {
      tokens[role] = create_token(data, role);
      ASSERT_FALSE(tokens[role].empty()) << role;
    }
    tokens["a"] = create_token(data, "enterprise", kA);
    tokens["b"] = create_token(data, "enterprise", kB);
    const HttpReply r =
        post(tokens["officer"],
             registration("reg-a", kA, true) + "\n" + registration("reg-b", kB, false) + "\n",
             "application/x-ndjson");
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(lines_of(r.body).size(), 2u);
    for (const std::string& line : lines_of(r.body)) {
      ASSERT_NE(line.find("\"accepted\""), std::string::npos) << line;
    }
  }
  HttpReply get(const std::string& path, const std::string& token) {
    return http(port, "GET", path, token);
  }
  HttpReply post(const std::string& token, const std::string& body,
                 const std::string& type = "application/json") {
    return http(port, "POST", "/v1/commands", token, body, type);
  }
  uint64_t ready_seq() {
    const HttpReply r = get("/ready", "");
    return std::stoull(r.body.substr(r.body.find("\"seq\":") + 6));
  }

  Server server;
  std::string data;
  int port = 0;
  std::map<std::string, std::string> tokens;
};

bool is_problem(const HttpReply& r, int status) {
  return r.status == status && r.headers.count("content-type") &&
         r.headers.at("content-type") == "application/problem+json" &&
         r.body.find("\"status\":" + std::to_string(status)) != std::string::npos &&
         r.body.find("\"detail\":") != std::string::npos;
}

TEST_F(ServerTest, OperationsRoutesNeedNoToken) {
  EXPECT_EQ(get("/health", "").body, R"({"status":"ok"})");
  EXPECT_EQ(get("/ready", "").status, 200);
  const HttpReply metrics = get("/metrics", "");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("zonegate_commit_entries_bucket"), std::string::npos);
  // An SQLite journal's checkpoints run off the commit path from the start.
  EXPECT_NE(metrics.body.find("zonegate_wal_checkpoints_total{by=\"thread\"} "), std::string::npos);
  EXPECT_NE(metrics.body.find("zonegate_http_requests_total{route=\"/v1/commands\""),
            std::string::npos);
  const HttpReply openapi = get("/openapi.json", "");
  EXPECT_EQ(openapi.status, 200);
  EXPECT_NE(openapi.body.find("\"openapi\": \"3.1"), std::string::npos);
}

TEST_F(ServerTest, EveryV1RouteRefusesMissingAndBadTokens) {
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/v1/me"},
      {"POST", "/v1/commands"},
      {"GET", "/v1/declarations"},
      {"GET", "/v1/declarations/HQ24010100001"},
      {"GET", "/v1/enterprises"},
      {"GET", "/v1/enterprises/" + kA},
      {"GET", "/v1/enterprises/" + kA + "/book"},
      {"GET", "/v1/enterprises/" + kA + "/lots"},
      {"GET", "/v1/enterprises/" + kA + "/postings"},
      {"GET", "/v1/enterprises/" + kA + "/declarations"},
      {"GET", "/v1/policy"},
      {"GET", "/v1/rates"},
      {"GET", "/v1/taxes"},
      {"GET", "/v1/gates/figures"},
      {"GET", "/v1/audit/tree-head"},
      {"GET", "/v1/audit/tree-heads"},
      {"GET", "/v1/audit/inclusion?index=0"},
      {"GET", "/v1/audit/consistency?size1=1&size2=1"},
      {"GET", "/v1/events"},
      {"GET", "/v1/exchange/partners"},
      {"GET", "/v1/exchange/outbox"},
      {"GET", "/v1/tokens"},
      {"POST", "/v1/tokens"},
      {"DELETE", "/v1/tokens/0123456789ab"},
  };
  // A token of the right shape that was never issued, and one whose secret
  // half is wrong.
  const std::string forged = "zgt_0123456789ab_" + std::string(43, 'A');
  std::string wrong_secret = tokens["admin"];
  wrong_secret.back() = wrong_secret.back() == 'A' ? 'B' : 'A';
  for (const auto& [method, path] : routes) {
    for (const std::string& token : {std::string(), forged, wrong_secret, std::string("junk")}) {
      const HttpReply r = http(port, method, path, token, method == "POST" ? "{}" : "");
      EXPECT_TRUE(is_problem(r, 401))
          << method << " " << path << " [" << token << "] -> " << r.status << " " << r.body;
    }
  }
}

TEST_F(ServerTest, ExpiredAndRevokedTokensAreRefused) {
  // An expired token, issued straight into the data directory's store.
  auto store = api::TokenStore::open(data);
  ASSERT_TRUE(store.is_ok());
  auto expired = (*store)->create(api::Role::kOfficer, "", 1'000'000, 60, "expired");
  ASSERT_TRUE(expired.is_ok());
  HttpReply r = get("/v1/me", expired->secret);
  EXPECT_TRUE(is_problem(r, 401)) << r.body;
  EXPECT_NE(r.body.find("expired"), std::string::npos) << r.body;

  // Revoked through the API: refused from then on (the cache ages out in 2 s).
  const std::string victim = create_token(data, "gate");
  EXPECT_EQ(get("/v1/me", victim).status, 200);
  const std::string id = victim.substr(4, 12);
  EXPECT_EQ(http(port, "DELETE", "/v1/tokens/" + id, tokens["admin"]).status, 204);
  EXPECT_TRUE(is_problem(get("/v1/me", victim), 401));
  EXPECT_TRUE(is_problem(http(port, "DELETE", "/v1/tokens/ffffffffffff", tokens["admin"]), 404));
}

// Which role may use which route: 200 (or 201) or 403.
TEST_F(ServerTest, RolesSeeOnlyTheirRoutes) {
  struct Case {
    std::string method, path;
    std::set<std::string> allowed;  // the rest get 403
  };
  const std::vector<Case> cases = {
      {"GET", "/v1/me", {"officer", "gate", "auditor", "admin", "a"}},
      {"GET", "/v1/declarations", {"officer", "gate", "auditor", "admin", "a"}},
      {"GET", "/v1/enterprises", {"officer", "auditor", "admin"}},
      {"GET", "/v1/enterprises/" + kA, {"officer", "auditor", "admin", "a"}},
      {"GET", "/v1/enterprises/" + kA + "/book", {"officer", "auditor", "admin", "a"}},
      {"GET", "/v1/enterprises/" + kA + "/lots", {"officer", "auditor", "admin", "a"}},
      {"GET", "/v1/enterprises/" + kA + "/postings", {"officer", "auditor", "admin", "a"}},
      {"GET", "/v1/enterprises/" + kA + "/declarations", {"officer", "auditor", "admin", "a"}},
      {"GET", "/v1/policy", {"officer", "gate", "auditor", "admin", "a"}},
      {"GET", "/v1/rates?currency=USD", {"officer", "gate", "auditor", "admin", "a"}},
      {"GET", "/v1/taxes", {"officer", "auditor", "admin"}},
      {"GET", "/v1/gates/figures", {"officer", "auditor", "admin"}},
      {"GET", "/v1/audit/tree-heads", {"officer", "gate", "auditor", "admin", "a"}},
      {"GET", "/v1/exchange/partners", {"officer", "auditor", "admin"}},
      {"GET", "/v1/exchange/outbox", {"officer", "auditor", "admin"}},
      {"GET", "/v1/tokens", {"admin"}},
  };
  for (const Case& c : cases) {
    for (const char* who : {"officer", "gate", "auditor", "admin", "a"}) {
      const HttpReply r = http(port, c.method, c.path, tokens[who]);
      if (c.allowed.count(who)) {
        EXPECT_EQ(r.status, 200) << who << " " << c.path << ": " << r.body;
      } else {
        EXPECT_TRUE(is_problem(r, 403)) << who << " " << c.path << ": " << r.status << r.body;
      }
    }
  }
  // Commands: an auditor only reads.
  EXPECT_TRUE(is_problem(post(tokens["auditor"], declaration("x", kA)), 403));
}

TEST_F(ServerTest, AnEnterpriseCannotReadOrWriteAnothersData) {
  ASSERT_NE(post(tokens["b"], declaration("b-1", kB)).body.find("\"accepted\""), std::string::npos);
  const HttpReply mine = get("/v1/declarations", tokens["b"]);
  const std::smatch number = [&] {
    std::smatch m;
    std::regex_search(mine.body, m, std::regex("\"declaration\":\"(HQ[0-9]+)\""));
    return m;
  }();
  ASSERT_FALSE(number.empty()) << mine.body;
  const std::string b_declaration = number[1];
  const uint64_t before = ready_seq();

  // A's token, B's data: every read path refuses.
  for (const std::string& path :
       {"/v1/enterprises/" + kB, "/v1/enterprises/" + kB + "/book",
        "/v1/enterprises/" + kB + "/lots", "/v1/enterprises/" + kB + "/postings",
        "/v1/enterprises/" + kB + "/declarations", "/v1/declarations?declarant=" + kB,
        "/v1/declarations/" + b_declaration}) {
    EXPECT_TRUE(is_problem(get(path, tokens["a"]), 403)) << path;
  }
  // A's list holds nothing of B's.
  EXPECT_EQ(get("/v1/declarations", tokens["a"]).body.find(kB), std::string::npos);
  // Declaring, processing or counting stock as B: a forbidden result, and
  // nothing journaled.
  const HttpReply as_b = post(tokens["a"], declaration("a-as-b", kB));
  EXPECT_EQ(as_b.status, 200);
  EXPECT_NE(as_b.body.find("\"forbidden\""), std::string::npos) << as_b.body;
  const HttpReply process = post(
      tokens["a"], R"({"type":"process","id":"p","at":")" + now_rfc3339() + R"(","enterprise":")" +
                       kB + R"(","inputs":[{"item":"CHIP-A","quantity":"1"}],"outputs":[]})");
  EXPECT_NE(process.body.find("\"forbidden\""), std::string::npos) << process.body;
  // Officer-only commands.
  const HttpReply release =
      post(tokens["a"], R"({"type":"release","id":"r","at":")" + now_rfc3339() +
                            R"(","declaration":")" + b_declaration + R"("})");
  EXPECT_NE(release.body.find("\"forbidden\""), std::string::npos) << release.body;
  EXPECT_EQ(ready_seq(), before);
  // The officer sees both.
  EXPECT_EQ(get("/v1/declarations/" + b_declaration, tokens["officer"]).status, 200);
}

TEST_F(ServerTest, CommandsSingleAndBatchWithTheirErrors) {
  const std::string first = declaration("a-1", kA);
  HttpReply one = post(tokens["a"], first);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.headers["content-type"], "application/json");
  EXPECT_NE(one.body.find("\"status\":\"accepted\""), std::string::npos) << one.body;
  EXPECT_FALSE(one.headers["x-request-id"].empty());

  // The same command again, later: the original result, nothing new.
  const uint64_t seq = ready_seq();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // received at another second
  EXPECT_EQ(post(tokens["a"], first).body, one.body);
  EXPECT_EQ(ready_seq(), seq);
  // The same id with another command is a conflict.
  EXPECT_NE(post(tokens["a"], declaration("a-1", kA, now_rfc3339(-60))).body.find("id_conflict"),
            std::string::npos);

  // A batch: results pair with lines, a bad line in its place.
  const std::string batch =
      declaration("a-2", kA) + "\n\nnot json\n" + declaration("a-3", kA, "yesterday") + "\n";
  HttpReply r = post(tokens["a"], batch, "application/x-ndjson");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/x-ndjson");
  const std::vector<std::string> results = lines_of(r.body);
  ASSERT_EQ(results.size(), 3u) << r.body;
  EXPECT_NE(results[0].find("\"accepted\""), std::string::npos);
  EXPECT_NE(results[1].find(R"("line":3)"), std::string::npos) << results[1];
  EXPECT_NE(results[1].find("malformed_json"), std::string::npos);
  EXPECT_NE(results[2].find("invalid_field"), std::string::npos) << results[2];

  // Not JSON at all, as a single command; a content type we do not speak.
  EXPECT_NE(post(tokens["a"], "{\"type\":").body.find("malformed_json"), std::string::npos);
  EXPECT_TRUE(is_problem(post(tokens["a"], declaration("a-4", kA), "text/plain"), 415));
}

TEST_F(ServerTest, AtOutsideTheRolesWindowIsRefused) {
  // The Hengqin pack gives enterprises an hour back and five minutes ahead.
  const HttpReply backdated = post(tokens["a"], declaration("old", kA, now_rfc3339(-2 * 3600)));
  EXPECT_NE(backdated.body.find("at_out_of_window"), std::string::npos) << backdated.body;
  const HttpReply ahead = post(tokens["a"], declaration("ahead", kA, now_rfc3339(3600)));
  EXPECT_NE(ahead.body.find("at_out_of_window"), std::string::npos) << ahead.body;
  // An officer may record something from earlier in the day.
  const HttpReply officer = post(tokens["officer"], declaration("earlier", kA, now_rfc3339(-7200)));
  EXPECT_NE(officer.body.find("\"accepted\""), std::string::npos) << officer.body;
  // The journal keeps when the server received it.
  server.stop();
  const std::string journal = zonegate("declarations --data " + data).out;
  EXPECT_NE(journal.find("\"declarant\":\"" + kA + "\""), std::string::npos);
}

TEST_F(ServerTest, UnknownRoutesMethodsAndParameters) {
  EXPECT_TRUE(is_problem(get("/v2/nothing", tokens["officer"]), 404));
  EXPECT_TRUE(is_problem(get("/v1/declarations/HQ99010100001", tokens["officer"]), 404));
  EXPECT_TRUE(is_problem(get("/v1/enterprises/" + kA.substr(0, 17) + "X", tokens["officer"]), 404));
  HttpReply wrong = http(port, "PUT", "/v1/commands", tokens["officer"], "{}");
  EXPECT_TRUE(is_problem(wrong, 405));
  EXPECT_EQ(wrong.headers["allow"], "POST");
  EXPECT_TRUE(is_problem(get("/v1/declarations?declarent=" + kA, tokens["officer"]), 400));
  EXPECT_TRUE(is_problem(get("/v1/declarations?limit=0", tokens["officer"]), 400));
  EXPECT_TRUE(is_problem(get("/v1/declarations?after=abc", tokens["officer"]), 400));
  EXPECT_TRUE(is_problem(get("/v1/enterprises/" + kA + "/postings?after=-1", tokens["a"]), 400));
  EXPECT_TRUE(is_problem(get("/v1/declarations?lane=purple", tokens["officer"]), 400));
  EXPECT_TRUE(is_problem(get("/v1/taxes?from=2024-13-01", tokens["officer"]), 400));
  EXPECT_TRUE(is_problem(get("/v1/rates?month=%zz", tokens["officer"]), 400));
  EXPECT_TRUE(is_problem(get("/v1/rates?month=%4", tokens["officer"]), 400));
  EXPECT_TRUE(is_problem(get("/v1/rates?currency=USD%", tokens["officer"]), 400));
}

TEST_F(ServerTest, ReadViewsAnswerWithTheirData) {
  ASSERT_NE(post(tokens["a"], declaration("a-1", kA)).body.find("accepted"), std::string::npos);
  ASSERT_NE(post(tokens["a"], declaration("a-2", kA)).body.find("accepted"), std::string::npos);
  HttpReply page = get("/v1/declarations?limit=1", tokens["officer"]);
  EXPECT_NE(page.body.find("\"next\":\"3\""), std::string::npos) << page.body;
  page = get("/v1/declarations?limit=1&after=3", tokens["officer"]);
  EXPECT_NE(page.body.find("\"next\":null"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("\"seq\":4"), std::string::npos) << page.body;
  EXPECT_NE(get("/v1/declarations?release=held", tokens["officer"]).body.find(R"("items":[])"),
            std::string::npos);
  const HttpReply lots = get("/v1/enterprises/" + kA + "/lots", tokens["a"]);
  EXPECT_NE(lots.body.find("CHIP-A"), std::string::npos) << lots.body;
  const HttpReply postings = get("/v1/enterprises/" + kA + "/postings?limit=1", tokens["a"]);
  EXPECT_NE(postings.body.find("\"next\":\"1\""), std::string::npos) << postings.body;
  const HttpReply enterprises = get("/v1/enterprises", tokens["auditor"]);
  EXPECT_NE(enterprises.body.find("\"macao_funded\":true"), std::string::npos);
  const HttpReply taxes = get("/v1/taxes", tokens["auditor"]);
  EXPECT_NE(taxes.body.find("\"count\":2"), std::string::npos) << taxes.body;
  const HttpReply me = get("/v1/me", tokens["a"]);
  EXPECT_NE(me.body.find(kA), std::string::npos);
  // The dashboard's figures by movement and lane, for zone-wide roles only.
  const HttpReply figures = get("/v1/figures?from=2000-01-01", tokens["officer"]);
  EXPECT_NE(figures.body.find(R"({"movement":"first_line_entry","line":1,"declarations":2,)"),
            std::string::npos)
      << figures.body;
  EXPECT_NE(figures.body.find(R"({"lane":"green","declarations":2})"), std::string::npos);
  EXPECT_TRUE(is_problem(get("/v1/figures", tokens["a"]), 403));
  EXPECT_TRUE(is_problem(get("/v1/figures?from=2024-02-30", tokens["officer"]), 400));
  // The HS lookup, for everyone: the pack's line first.
  const HttpReply hs = get("/v1/hs?q=wine&limit=3", tokens["a"]);
  EXPECT_NE(hs.body.find(R"({"hs":"22042100",)"), std::string::npos) << hs.body;
  EXPECT_TRUE(is_problem(get("/v1/hs", tokens["a"]), 400));
  EXPECT_TRUE(is_problem(get("/v1/hs?q=wine&limit=0", tokens["a"]), 400));
}

// Crossings counted per hour, per local day and per hour of the day: the
// days and hours of the day are the hours' sums, the local midnight decides
// the day, and the rest of the answer is the same whichever is asked. Fed
// with `zonegate run` (no door, so no window on `at`) over five days.
TEST(ServeGateFigures, CrossingsByDayAndHourOfDaySumTheHours) {
  const std::string data = temp_dir("crossings");
  // Cars without permits: referred at the first line (stopped), let through
  // at the second (open).
  const std::vector<std::pair<std::string, std::string>> crossings = {
      {"2024-09-01T15:30:00Z", "HENGQIN-PORT-VEHICLE"},  // 23:30 on 1 September in Hengqin
      {"2024-09-01T16:10:00Z", "HENGQIN-PORT-VEHICLE"},  // 00:10 on the 2nd
      {"2024-09-02T02:00:00+08:00", "HENGQIN-BRIDGE-VEHICLE"},
      {"2024-09-02T02:59:59+08:00", "HENGQIN-BRIDGE-VEHICLE"},
      {"2024-09-02T10:00:00+08:00", "HENGQIN-PORT-VEHICLE"},
      {"2024-09-05T02:15:00+08:00", "HENGQIN-PORT-VEHICLE"},
      {"2024-09-05T23:00:00+08:00", "HENGQIN-BRIDGE-VEHICLE"},
  };
  std::string commands;
  for (size_t index = 0; index < crossings.size(); ++index) {
    commands += R"({"type":"vehicle_crossing","id":"vc-)" + std::to_string(index) + R"(","at":")" +
                crossings[index].first + R"(","channel":")" + crossings[index].second +
                R"(","direction":"in","plate":"MX-12-3)" + std::to_string(index) +
                R"(","driver":"H12345678"})" + "\n";
  }
  { std::ofstream(data + ".jsonl") << commands; }
  ASSERT_EQ(zonegate("run --pack " + kPack + " --data " + data + " " + data + ".jsonl").exit_code,
            0);
  const std::string officer = create_token(data, "officer");
  ASSERT_FALSE(officer.empty());
  Server server;
  server.start(data);
  const auto figures = [&](const std::string& query) {
    const HttpReply r = http(server.port(), "GET", "/v1/gates/figures" + query, officer);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return r.body;
  };
  const std::string by_hour = figures("");
  EXPECT_EQ(figures("?by=hour"), by_hour);
  const std::string by_day = figures("?by=day");
  const std::string by_hour_of_day = figures("?by=hour_of_day");
  EXPECT_NE(by_day.find(
                R"("by":"day","crossings_by_day":[)"
                R"({"channel":"HENGQIN-BRIDGE-VEHICLE","day":"2024-09-02","open":2,"stopped":0},)"
                R"({"channel":"HENGQIN-BRIDGE-VEHICLE","day":"2024-09-05","open":1,"stopped":0},)"
                R"({"channel":"HENGQIN-PORT-VEHICLE","day":"2024-09-01","open":0,"stopped":1},)"
                R"({"channel":"HENGQIN-PORT-VEHICLE","day":"2024-09-02","open":0,"stopped":2},)"
                R"({"channel":"HENGQIN-PORT-VEHICLE","day":"2024-09-05","open":0,"stopped":1}],)"),
            std::string::npos)
      << by_day;
  EXPECT_NE(by_hour_of_day.find(
                R"("by":"hour_of_day","crossings_by_hour_of_day":[)"
                R"({"channel":"HENGQIN-BRIDGE-VEHICLE","hour_of_day":2,"open":2,"stopped":0},)"
                R"({"channel":"HENGQIN-BRIDGE-VEHICLE","hour_of_day":23,"open":1,"stopped":0},)"
                R"({"channel":"HENGQIN-PORT-VEHICLE","hour_of_day":0,"open":0,"stopped":1},)"
                R"({"channel":"HENGQIN-PORT-VEHICLE","hour_of_day":2,"open":0,"stopped":1},)"
                R"({"channel":"HENGQIN-PORT-VEHICLE","hour_of_day":10,"open":0,"stopped":1},)"
                R"({"channel":"HENGQIN-PORT-VEHICLE","hour_of_day":23,"open":0,"stopped":1}],)"),
            std::string::npos)
      << by_hour_of_day;

  // Whatever the data, each day and each hour of the day is the sum of the
  // hourly rows it covers ("2024-09-02T10:00:00+08:00": the local date, then
  // the hour), and nothing else in the answer changes.
  using Sums = std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>>;
  const auto rows = [](const std::string& body, const char* array, const char* bucket, size_t from,
                       size_t length) {
    Sums sums;
    JsonDocument doc;
    EXPECT_TRUE(doc.parse(body).is_ok()) << body;
    for (JsonRef row : doc.root().get(array)) {
      const std::string_view text = row.get(bucket).text();
      auto& [open, stopped] = sums[{std::string(row.get("channel").text()),
                                    std::string(text.substr(std::min(from, text.size()), length))}];
      open += std::stoll(std::string(row.get("open").text()));
      stopped += std::stoll(std::string(row.get("stopped").text()));
    }
    return sums;
  };
  const auto two_digits = [](Sums sums) {  // hour_of_day 2 -> "02", as in the hour's text
    Sums out;
    for (auto& [key, counts] : sums) {
      out[{key.first, (key.second.size() < 2 ? "0" : "") + key.second}] = counts;
    }
    return out;
  };
  const Sums hours_by_day = rows(by_hour, "crossings_by_hour", "hour", 0, 10);
  EXPECT_EQ(hours_by_day.size(), 5u);
  EXPECT_EQ(rows(by_day, "crossings_by_day", "day", 0, 10), hours_by_day);
  EXPECT_EQ(two_digits(rows(by_hour_of_day, "crossings_by_hour_of_day", "hour_of_day", 0, 2)),
            rows(by_hour, "crossings_by_hour", "hour", 11, 2));
  const auto rest = [](const std::string& body) {
    return body.substr(std::min(body.size(), body.find("\"crossings_by_channel\"")));
  };
  EXPECT_NE(rest(by_hour).find(R"({"channel":"HENGQIN-PORT-VEHICLE","open":0,"stopped":4})"),
            std::string::npos)
      << by_hour;
  EXPECT_EQ(rest(by_day), rest(by_hour));
  EXPECT_EQ(rest(by_hour_of_day), rest(by_hour));

  // A range counts its own local days only.
  EXPECT_NE(
      figures("?by=day&from=2024-09-02&to=2024-09-02")
          .find(R"("crossings_by_day":[)"
                R"({"channel":"HENGQIN-BRIDGE-VEHICLE","day":"2024-09-02","open":2,"stopped":0},)"
                R"({"channel":"HENGQIN-PORT-VEHICLE","day":"2024-09-02","open":0,"stopped":2}],)"),
      std::string::npos);

  // Another grouping is refused, naming the parameter.
  for (const char* bad : {"week", "", "Day", "hour%20"}) {
    const HttpReply r =
        http(server.port(), "GET", std::string("/v1/gates/figures?by=") + bad, officer);
    EXPECT_TRUE(is_problem(r, 400)) << bad << ": " << r.body;
    EXPECT_NE(r.body.find("\"code\":\"invalid_parameter\""), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("by must be hour, day or hour_of_day"), std::string::npos) << r.body;
  }
  server.stop(SIGKILL);
  std::filesystem::remove_all(data);
  std::filesystem::remove(data + ".jsonl");
  std::filesystem::remove(data + ".log");
}

// The web pages: files without a token, their types, a policy that lets
// only the zone's own scripts run, and 404 for what is not there.
TEST_F(ServerTest, WebPagesAreServedWithoutAToken) {
  const HttpReply index = get("/", "");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("/web/app.js"), std::string::npos);
  EXPECT_NE(index.headers.at("content-security-policy").find("default-src 'self'"),
            std::string::npos);
  EXPECT_EQ(index.headers.at("x-content-type-options"), "nosniff");
  const HttpReply script = get("/web/app.js", "");
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(script.headers.at("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(get("/web/style.css", "").headers.at("content-type"), "text/css; charset=utf-8");
  EXPECT_TRUE(is_problem(get("/web/nothing.js", ""), 404));
  EXPECT_TRUE(is_problem(get("/web/..%2Fjournal.db", ""), 404));
  EXPECT_TRUE(is_problem(get("/?x=1", ""), 400));
}

// Licensed goods wait in the yellow lane: the officers' queue (held, oldest
// first) shows them with the reason; the declarant sees the lane, not why.
TEST_F(ServerTest, OfficersSeeWhyALaneWasChosenDeclarantsDoNot) {
  const std::string cigarettes =
      R"({"type":"declare","id":"cig-1","at":")" + now_rfc3339() +
      R"(","movement":"first_line_entry","declarant":")" + kA +
      R"(","purpose":"trade","currency":"CNY","items":[{"item":"CIG-A","hs":"24022000",)"
      R"("origin":"GB","quantity":"10","unit":"1000pcs","value":"5000.00","licence":"TL-1"}]})";
  const HttpReply declared = post(tokens["a"], cigarettes);
  ASSERT_NE(declared.body.find(R"("lane":"yellow","release":"held")"), std::string::npos)
      << declared.body;
  EXPECT_EQ(declared.body.find("lane_reasons"), std::string::npos) << declared.body;
  const std::string number =
      declared.body.substr(declared.body.find("\"declaration\":\"") + 15, 13);
  const HttpReply queue = get("/v1/declarations?release=held", tokens["officer"]);
  EXPECT_NE(queue.body.find(number), std::string::npos) << queue.body;
  const HttpReply officer = get("/v1/declarations/" + number, tokens["officer"]);
  EXPECT_NE(officer.body.find(R"("lane_reasons":["licence/24022000"])"), std::string::npos)
      << officer.body;
  const HttpReply own = get("/v1/declarations/" + number, tokens["a"]);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.body.find("lane_reasons"), std::string::npos) << own.body;
  // The zone's risk figures: for officers, never for a declarant.
  const HttpReply figures = get("/v1/risk", tokens["officer"]);
  ASSERT_EQ(figures.status, 200) << figures.body;
  EXPECT_NE(figures.body.find(R"("yellow":{"declarations":1,"share":"1.00"})"), std::string::npos)
      << figures.body;
  EXPECT_NE(figures.body.find(R"({"reason":"licence","hits":1,"over_capacity":0})"),
            std::string::npos)
      << figures.body;
  EXPECT_NE(figures.body.find(R"("licensed_goods_lane":"yellow")"), std::string::npos)
      << figures.body;
  EXPECT_TRUE(is_problem(get("/v1/risk", tokens["a"]), 403));
  EXPECT_TRUE(is_problem(get("/v1/risk?date=2024-13-01", tokens["officer"]), 400));
  // The officer's finding is the declarant's record.
  const HttpReply inspected = post(
      tokens["officer"], R"({"type":"inspection_result","id":"insp-1","at":")" + now_rfc3339() +
                             R"(","declaration":")" + number + R"(","finding":"compliant"})");
  ASSERT_NE(inspected.body.find("\"accepted\""), std::string::npos) << inspected.body;
  const HttpReply record = get("/v1/enterprises/" + kA, tokens["a"]);
  EXPECT_NE(record.body.find(R"("inspections":1,"discrepancies":0)"), std::string::npos)
      << record.body;
  EXPECT_NE(get("/v1/declarations/" + number, tokens["a"]).body.find(R"("finding":"compliant")"),
            std::string::npos);
  EXPECT_NE(get("/v1/risk", tokens["auditor"]).body.find(R"("inspections":1,"discrepancies":0)"),
            std::string::npos);
}

// The audit routes: a tree head signed by the zone, and a proof from the
// server that an offline check accepts against that head; bad parameters 400.
TEST_F(ServerTest, AuditTreeHeadsAndProofsCheckOffline) {
  ASSERT_NE(post(tokens["a"], declaration("au-1", kA)).body.find("accepted"), std::string::npos);
  const HttpReply head = get("/v1/audit/tree-head", tokens["auditor"]);
  ASSERT_EQ(head.status, 200) << head.body;
  JsonDocument h;
  ASSERT_TRUE(h.parse(head.body).is_ok()) << head.body;
  const std::string size(h.root().get("size").text()), root(h.root().get("root").text());
  // The head, checked with nothing but its public key.
  const std::string file = testing::TempDir() + "zg-head-" + std::to_string(getpid()) + ".json";
  std::ofstream(file) << head.body;
  EXPECT_EQ(zonegate("audit verify-tree-head --public-key " +
                     std::string(h.root().get("public_key").text()) + " " + file)
                .exit_code,
            0);
  std::filesystem::remove(file);
  // Entry 0 (the first registration) is in the tree the head signed.
  const HttpReply inclusion = get("/v1/audit/inclusion?index=0&size=" + size, tokens["a"]);
  ASSERT_EQ(inclusion.status, 200) << inclusion.body;
  JsonDocument p;
  ASSERT_TRUE(p.parse(inclusion.body).is_ok());
  std::string path;
  for (JsonRef x : p.root().get("proof")) path += (path.empty() ? "" : ",") + std::string(x.text());
  EXPECT_EQ(zonegate("audit verify-inclusion --index 0 --size " + size + " --leaf-hash " +
                     std::string(p.root().get("leaf_hash").text()) + " --root " + root +
                     " --proof '" + path + "'")
                .exit_code,
            0);
  const HttpReply heads = get("/v1/audit/tree-heads?limit=1", tokens["gate"]);
  EXPECT_NE(heads.body.find("\"items\":[{"), std::string::npos) << heads.body;
  EXPECT_TRUE(is_problem(get("/v1/audit/inclusion", tokens["a"]), 400));
  EXPECT_TRUE(is_problem(get("/v1/audit/inclusion?index=999999", tokens["a"]), 400));
  EXPECT_TRUE(is_problem(get("/v1/audit/inclusion?index=x", tokens["a"]), 400));
  EXPECT_TRUE(is_problem(get("/v1/audit/consistency?size1=0&size2=1", tokens["a"]), 400));
  EXPECT_EQ(get("/v1/audit/consistency?size1=1&size2=" + size, tokens["a"]).status, 200);
}

TEST_F(ServerTest, EventsStreamDurableResultsFilteredByRole) {
  Connection officer(port), a(port), b(port);
  ASSERT_TRUE(officer.send(request_text("GET", "/v1/events?after=0", tokens["officer"], "", "")));
  ASSERT_TRUE(a.send(request_text("GET", "/v1/events", tokens["a"], "", "")));
  ASSERT_TRUE(b.send(request_text("GET", "/v1/events", tokens["b"], "", "")));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_NE(post(tokens["a"], declaration("a-1", kA)).body.find("accepted"), std::string::npos);
  const std::string seen = officer.read_for(500);
  EXPECT_NE(seen.find("text/event-stream"), std::string::npos);
  EXPECT_NE(seen.find("event: register_enterprise"), std::string::npos) << seen;
  EXPECT_NE(seen.find("id: 3\nevent: declare\ndata: {\"seq\":3"), std::string::npos) << seen;
  EXPECT_NE(a.read_for(300).find("event: declare"), std::string::npos);
  EXPECT_EQ(b.read_for(300).find("event: declare"), std::string::npos);
  // Resuming with Last-Event-ID gives what came after it.
  Connection again(port);
  ASSERT_TRUE(again.send("GET /v1/events HTTP/1.1\r\nAuthorization: Bearer " + tokens["auditor"] +
                         "\r\nLast-Event-ID: 2\r\n\r\n"));
  const std::string resumed = again.read_for(300);
  EXPECT_EQ(resumed.find("id: 2\n"), std::string::npos);
  EXPECT_NE(resumed.find("id: 3\n"), std::string::npos) << resumed;
}

TEST_F(ServerTest, TokensIssuedThroughTheApiWorkAtOnce) {
  const HttpReply created = http(port, "POST", "/v1/tokens", tokens["admin"],
                                 R"({"role":"enterprise","uscc":")" + kB + R"(","days":1})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string secret = created.body.substr(created.body.find("\"token\":\"") + 9, 60);
  EXPECT_NE(get("/v1/me", secret.substr(0, secret.find('"'))).body.find(kB), std::string::npos);
  EXPECT_TRUE(
      is_problem(http(port, "POST", "/v1/tokens", tokens["admin"], R"({"role":"king"})"), 400));
  EXPECT_TRUE(is_problem(
      http(port, "POST", "/v1/tokens", tokens["admin"], R"({"role":"enterprise","uscc":"X"})"),
      400));
  const HttpReply list = get("/v1/tokens", tokens["admin"]);
  EXPECT_EQ(list.body.find("zgt_"), std::string::npos);  // never a secret
}

TEST_F(ServerTest, OversizeBodiesAndBatchesAreRefused) {
  server.stop(SIGKILL);
  std::filesystem::remove_all(data);
  start("--body-max 4096 --batch-max 3");
  std::string batch;
  for (int i = 0; i < 4; ++i) batch += declaration("big-" + std::to_string(i), kA) + "\n";
  EXPECT_TRUE(is_problem(post(tokens["a"], batch, "application/x-ndjson"), 413));
  EXPECT_TRUE(is_problem(post(tokens["a"], std::string(8000, ' ')), 413));
  // Headers over the limit.
  Connection c(port);
  ASSERT_TRUE(c.send("GET /health HTTP/1.1\r\nX-Junk: " + std::string(20000, 'x') + "\r\n\r\n"));
  EXPECT_EQ(c.read_reply().status, 431);
  // Not HTTP at all.
  Connection junk(port);
  ASSERT_TRUE(junk.send("HELLO\r\n\r\n"));
  EXPECT_EQ(junk.read_reply().status, 400);
  EXPECT_EQ(get("/health", "").status, 200);
}

TEST_F(ServerTest, SlowAndVanishingClientsHoldNothing) {
  server.stop(SIGKILL);
  std::filesystem::remove_all(data);
  start("--read-timeout 1 --idle-timeout 2");
  // Slowloris: half a request, then silence. The server closes each.
  std::vector<std::unique_ptr<Connection>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<Connection>(port));
    ASSERT_TRUE(slow.back()->send("GET /health HTTP/1.1\r\nX-Slow: "));
  }
  // Meanwhile everyone else is served.
  EXPECT_EQ(get("/health", "").status, 200);
  for (auto& c : slow) EXPECT_TRUE(c->closed_within(3000));
  // Abrupt disconnects mid-request, many times.
  for (int i = 0; i < 200; ++i) {
    Connection c(port);
    c.send(request_text("POST", "/v1/commands", tokens["a"], "application/json",
                        declaration("gone-" + std::to_string(i), kA))
               .substr(0, 100));
  }
  // Only the connection asking is left (the server may take a moment).
  int open_connections = -1;
  for (int attempt = 0; attempt < 20 && open_connections != 1; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::string metrics = get("/metrics", "").body;
    std::smatch open;
    ASSERT_TRUE(std::regex_search(metrics, open, std::regex("zonegate_connections_open ([0-9]+)")));
    open_connections = std::stoi(open[1]);
  }
  EXPECT_EQ(open_connections, 1) << "connections left open";
  // An idle keep-alive connection is closed after the idle timeout.
  Connection idle(port);
  ASSERT_TRUE(idle.send(request_text("GET", "/health", "", "", "")));
  EXPECT_EQ(idle.read_reply().status, 200);
  EXPECT_TRUE(idle.closed_within(4000));
}

TEST_F(ServerTest, GracefulShutdownAnswersAndKeepsEverything) {
  const std::string command = declaration("a-1", kA);
  const HttpReply answered = post(tokens["a"], command);
  ASSERT_NE(answered.body.find("accepted"), std::string::npos);
  EXPECT_EQ(server.stop(SIGTERM), 0);
  EXPECT_FALSE(std::filesystem::is_empty(data + "/snapshots"));
  const Outcome verify = zonegate("verify --data " + data);
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_NE(verify.out.find("last seq: 3"), std::string::npos) << verify.out;
  // Restarted: the zone, its tokens and its idempotency keys live on.
  Server again;
  again.start(data);
  port = again.port();
  EXPECT_EQ(ready_seq(), 3u);
  EXPECT_EQ(get("/v1/me", tokens["a"]).status, 200);
  // Its event comes back too, its result read from the journal (the
  // snapshot left the results there).
  Connection watcher(port);
  ASSERT_TRUE(watcher.send(request_text("GET", "/v1/events?after=0", tokens["officer"], "", "")));
  const std::string events = watcher.read_for(500);
  const std::string frame = "id: 3\nevent: declare\ndata: ";
  const size_t at = events.find(frame);
  ASSERT_NE(at, std::string::npos) << events;
  const size_t from = at + frame.size();
  JsonDocument event;
  ASSERT_TRUE(event.parse(events.substr(from, events.find('\n', from) - from)).is_ok()) << events;
  std::string result;
  append_canonical_json(result, event.root().get("result"));
  EXPECT_EQ(result, canonical(answered.body));
  // The retry of an answered command is a repeat, across the restart.
  EXPECT_EQ(canonical(post(tokens["a"], command).body), canonical(answered.body));
  EXPECT_EQ(ready_seq(), 3u);
  again.stop();
}

// The server keeps in memory only the results of its latest --results-kept
// commands: an older command's repeat reads its journal row, answered as
// it was first, and the memory held for results stays flat however many
// come (zonegate_results_kept_bytes), while an event a watcher is sent
// still has its result.
TEST_F(ServerTest, OlderResultsAreReadFromTheJournalAndTheirMemoryIsLetGo) {
  server.stop(SIGKILL);
  std::filesystem::remove_all(data);
  start("--rate-limit 0 --results-kept 10");
  // Declarations of 400 items: about 100 KB of result each, so a few dozen
  // fill one of the store's chunks (8 MiB).
  const auto big = [&](int n) {
    std::string items;
    for (int i = 0; i < 400; ++i) {
      items += std::string(i == 0 ? "" : ",") + R"({"item":"CHIP-)" + std::to_string(i) +
               R"(","hs":"85423100","origin":"KR","quantity":"1","unit":"pcs","value":"10.00"})";
    }
    return R"({"type":"declare","id":"big-)" + std::to_string(n) + R"(","at":")" + now_rfc3339() +
           R"(","movement":"first_line_entry","declarant":")" + kA +
           R"(","purpose":"processing","currency":"CNY","items":[)" + items + "]}";
  };
  const std::string first_command = big(0);
  const HttpReply first = post(tokens["a"], first_command);
  ASSERT_EQ(first.status, 200) << first.body;
  size_t produced = first.body.size();
  for (int batch = 0; batch < 14; ++batch) {
    std::string lines;
    for (int n = 1; n <= 20; ++n) lines += big(batch * 20 + n) + "\n";
    const HttpReply r = post(tokens["a"], lines, "application/x-ndjson");
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    produced += r.body.size();
  }
  ASSERT_GT(produced, size_t{24} << 20);
  // The repeat of the first: its row's result, as first answered.
  const HttpReply again = post(tokens["a"], first_command);
  EXPECT_EQ(canonical(again.body), canonical(first.body));
  // What is kept: the chunks holding the last ten results, at most two.
  const HttpReply metrics = get("/metrics", "");
  const std::string name = "\nzonegate_results_kept_bytes ";
  const size_t at = metrics.body.find(name);
  ASSERT_NE(at, std::string::npos) << metrics.body;
  const uint64_t kept = std::stoull(metrics.body.substr(at + name.size()));
  EXPECT_GT(kept, 10u * 100'000);
  EXPECT_LE(kept, uint64_t{16} << 20);
  // The watcher resuming from the start is sent every declaration's result,
  // the released ones' too.
  Connection watcher(port);
  ASSERT_TRUE(watcher.send(request_text("GET", "/v1/events?after=2", tokens["officer"], "", "")));
  const std::string events = watcher.read_for(1000);
  const std::string frame = "id: 3\nevent: declare\ndata: ";
  const size_t from = events.find(frame);
  ASSERT_NE(from, std::string::npos) << events.substr(0, 300);
  JsonDocument event;
  const size_t begin = from + frame.size();
  ASSERT_TRUE(event.parse(events.substr(begin, events.find('\n', begin) - begin)).is_ok());
  std::string result;
  append_canonical_json(result, event.root().get("result"));
  EXPECT_EQ(result, canonical(first.body));
}

// A declaration's story shows each truck that presented it and what the
// gate decided (gate_arrival, the latest 20 and a count of the earlier),
// and keeps them across a restart from the snapshot and from the journal.
// A simulated day sent to the running server over its API (simulate --to),
// as an officer, each command dated when sent: every command accepted,
// every gate decision as expected, and the server's figures count it.
TEST_F(ServerTest, ASimulatedDayIsSentToTheServer) {
  const std::string to = " --to http://127.0.0.1:" + std::to_string(port) + " --pack " + kPack +
                         " --scale 0.02 --gate-scale 0.01 --seed 3";
  const Outcome sent = zonegate("simulate" + to + " --speed 0 --token " + tokens["officer"]);
  ASSERT_EQ(sent.exit_code, 0) << sent.out;
  EXPECT_EQ(sent.out.find("NOT AS"), std::string::npos) << sent.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(sent.out, m, std::regex(R"((\d+) commands, (\d+) accepted)")))
      << sent.out;
  EXPECT_EQ(m[1].str(), m[2].str()) << sent.out;
  const HttpReply figures = get("/v1/gates/figures", tokens["officer"]);
  EXPECT_NE(figures.body.find(R"("travellers":{"decisions":)"), std::string::npos) << figures.body;
  EXPECT_EQ(figures.body.find(R"("travellers":{"decisions":0,)"), std::string::npos)
      << figures.body;
  // A token that may not send the day is refused before the gates' part.
  const Outcome refused =
      zonegate("simulate" + to + " --seed 4 --speed 0 --token " + tokens["auditor"] + " 2>&1");
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_EQ(zonegate("simulate --to ftp://x --token t 2>/dev/null").exit_code, 2);
  EXPECT_EQ(zonegate("simulate" + to + " 2>/dev/null").exit_code, 2);  // no token
}

TEST_F(ServerTest, ADeclarationShowsItsGateEventsAcrossRestarts) {
  const auto declare = [&](const std::string& id, const std::string& item) {
    const HttpReply r =
        post(tokens["a"], R"({"type":"declare","id":")" + id + R"(","at":")" + now_rfc3339() +
                              R"(","movement":"first_line_entry","declarant":")" + kA +
                              R"(","purpose":"trade","currency":"CNY",)" +
                              R"("channel":"HENGQIN-PORT-CARGO",)" + item + "}");
    EXPECT_NE(r.body.find("\"accepted\""), std::string::npos) << r.body;
    const size_t at = r.body.find("\"declaration\":\"");
    return std::pair{at == std::string::npos ? "" : r.body.substr(at + 15, 13),
                     r.body.find("\"held\"") != std::string::npos};
  };
  const auto [chips, chips_held] = declare(
      "gate-chips",
      R"("gross_kg":"100.0","items":[{"item":"CHIP-A","hs":"85423100","origin":"KR","quantity":"100","unit":"pcs","value":"5000.00"}])");
  // Licensed goods wait for an officer; the chips might be drawn for
  // inspection at random: released then, so the trucks below are decided
  // by weight and by the cigarettes alone.
  const auto [cigarettes, cigarettes_held] = declare(
      "gate-cigarettes",
      R"("gross_kg":"50.0","items":[{"item":"CIG-A","hs":"24022000","origin":"GB","quantity":"10","unit":"1000pcs","value":"5000.00","licence":"TL-1"}])");
  ASSERT_TRUE(cigarettes_held);
  if (chips_held) {
    ASSERT_NE(post(tokens["officer"], R"({"type":"release","id":"gate-release","at":")" +
                                          now_rfc3339() + R"(","declaration":")" + chips + "\"}")
                  .body.find("\"accepted\""),
              std::string::npos);
  }
  const auto truck = [&](int n, const std::string& gross_kg, const std::string& declarations) {
    return R"({"type":"gate_arrival","id":"truck-)" + std::to_string(n) + R"(","at":")" +
           now_rfc3339() +
           R"(","channel":"HENGQIN-PORT-CARGO","direction":"in","conveyance":{"plate":"MX-88-01","gross_kg":")" +
           gross_kg + R"("},"declarations":[)" + declarations + "]}\n";
  };
  // 21 trucks too heavy, one held for the cigarettes it also carries, and
  // the chips alone at their weight: 23 events, the first 3 no longer kept.
  std::string trucks;
  for (int n = 1; n <= 21; ++n) trucks += truck(n, "500.0", "\"" + chips + "\"");
  trucks += truck(22, "150.0", "\"" + chips + "\",\"" + cigarettes + "\"");
  trucks += truck(23, "100.0", "\"" + chips + "\"");
  const HttpReply sent = post(tokens["gate"], trucks, "application/x-ndjson");
  ASSERT_EQ(sent.status, 200) << sent.body;
  EXPECT_EQ(sent.body.find("\"rejected\""), std::string::npos) << sent.body;

  const HttpReply story = get("/v1/declarations/" + chips, tokens["officer"]);
  ASSERT_EQ(story.status, 200) << story.body;
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(story.body).is_ok()) << story.body;
  EXPECT_EQ(doc.root().get("gate_events_earlier").text(), "3") << story.body;
  std::vector<std::string> commands, decisions, reasons;
  for (JsonRef event : doc.root().get("gate_events")) {
    commands.emplace_back(event.get("command").text());
    decisions.emplace_back(event.get("decision").text());
    std::string codes;
    for (JsonRef code : event.get("reasons")) codes += std::string(code.text()) + " ";
    reasons.push_back(codes);
    EXPECT_EQ(event.get("channel").text(), "HENGQIN-PORT-CARGO");
    EXPECT_EQ(event.get("direction").text(), "in");
  }
  ASSERT_EQ(commands.size(), 20u) << story.body;
  EXPECT_EQ(commands.front(), "truck-4");
  EXPECT_EQ(reasons.front(), "weight_out_of_tolerance ");
  EXPECT_EQ(commands[18], "truck-22");
  EXPECT_EQ(decisions[18], "hold");
  EXPECT_EQ(reasons[18], "other_declaration ") << "held for the cigarettes, not for itself";
  EXPECT_EQ(commands.back(), "truck-23");
  EXPECT_EQ(decisions.back(), "open");
  EXPECT_EQ(reasons.back(), "");
  // The declarant sees when, where and what; the gate's command is the zone's.
  const HttpReply held = get("/v1/declarations/" + cigarettes, tokens["a"]);
  EXPECT_NE(
      held.body.find(
          R"(,"channel":"HENGQIN-PORT-CARGO","direction":"in","decision":"hold","reasons":["not_released"]}],"gate_events_earlier":0)"),
      std::string::npos)
      << held.body;
  EXPECT_EQ(held.body.find("truck-22"), std::string::npos) << held.body;
  EXPECT_NE(
      get("/v1/declarations/" + cigarettes, tokens["officer"]).body.find(R"("command":"truck-22")"),
      std::string::npos);

  // The same story after a restart from the snapshot written on shutdown,
  // then from the journal alone; and the snapshot's state is the replay's.
  EXPECT_EQ(server.stop(SIGTERM), 0);
  ASSERT_FALSE(std::filesystem::is_empty(data + "/snapshots"));
  const Outcome from_snapshot = zonegate("snapshot --data " + data);
  const Outcome replayed = zonegate("verify --data " + data);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.out;
  const auto state_hash = [](const std::string& out) {
    const size_t at = out.find("state hash: ");
    return at == std::string::npos ? "" : out.substr(at, 12 + 64);
  };
  EXPECT_NE(state_hash(replayed.out), "");
  EXPECT_EQ(state_hash(from_snapshot.out), state_hash(replayed.out));
  server.start(data);
  port = server.port();
  EXPECT_EQ(canonical(get("/v1/declarations/" + chips, tokens["officer"]).body),
            canonical(story.body));
  server.stop(SIGKILL);
  std::filesystem::remove_all(data + "/snapshots");
  server.start(data);
  port = server.port();
  EXPECT_EQ(canonical(get("/v1/declarations/" + chips, tokens["officer"]).body),
            canonical(story.body));
  EXPECT_EQ(read_file(data + ".log").find("skipped"), std::string::npos);
}

// Found in review: lines of blanks and carriage returns in a batch are no
// commands (they once overran the batch), whatever their mix.
TEST_F(ServerTest, BlankLinesOfAnyKindInABatchAreSkipped) {
  const std::string batch =
      declaration("crlf-1", kA) + "\r\n\r \n\r\r\n \t\r\n" + declaration("crlf-2", kA) + "\r\n\r\n";
  const HttpReply r = post(tokens["a"], batch, "application/x-ndjson");
  ASSERT_EQ(r.status, 200);
  const std::vector<std::string> results = lines_of(r.body);
  ASSERT_EQ(results.size(), 2u) << r.body;
  for (const std::string& result : results) {
    EXPECT_NE(result.find("\"accepted\""), std::string::npos) << result;
  }
  EXPECT_EQ(get("/health", "").status, 200);
}

// Found in review: an event goes to the enterprise the command acts as,
// never to one named in another field.
TEST_F(ServerTest, AnEnterpriseCannotAddressAnothersEventStream) {
  Connection a(port);
  ASSERT_TRUE(a.send(request_text("GET", "/v1/events", tokens["a"], "", "")));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const HttpReply r = post(tokens["b"], R"({"type":"stocktake","id":"st","at":")" + now_rfc3339() +
                                            R"(","enterprise":")" + kB + R"(","declarant":")" + kA +
                                            R"(","counts":[]})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(a.read_for(400).find("event: stocktake"), std::string::npos);
}

TEST_F(ServerTest, HeadContinueAndBrokenEscapes) {
  // HEAD: the headers of the GET, no body, and the connection goes on.
  Connection c(port);
  ASSERT_TRUE(
      c.send("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string both = c.read_for(500);
  EXPECT_EQ(both.find("HTTP/1.1 200"), 0u) << both;
  EXPECT_NE(both.find("HTTP/1.1 200", 5), std::string::npos) << both;
  EXPECT_EQ(both.find("{\"status\":\"ok\"}"), both.rfind("{\"status\":\"ok\"}")) << both;
  // Expect: 100-continue is answered before the body is sent.
  Connection e(port);
  const std::string body = declaration("cont-1", kA);
  ASSERT_TRUE(e.send("POST /v1/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                     tokens["a"] + "\r\nContent-Type: application/json\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_NE(e.read_for(300).find("HTTP/1.1 100 Continue"), std::string::npos);
  ASSERT_TRUE(e.send(body));
  const HttpReply answered = e.read_reply();
  EXPECT_EQ(answered.status, 200);
  EXPECT_NE(answered.body.find("\"accepted\""), std::string::npos) << answered.body;
  EXPECT_TRUE(is_problem(get("/v1/declarations/HQ%zz", tokens["officer"]), 400));
}

// A watcher resuming far back gets the backlog in parts: the stream ends
// after about 2 MiB and the client reconnects with Last-Event-ID.
TEST_F(ServerTest, ALongBacklogComesInParts) {
  std::string batch;
  for (int i = 0; i < 5000; ++i) batch += declaration("bk-" + std::to_string(i), kA) + "\n";
  ASSERT_EQ(post(tokens["a"], batch, "application/x-ndjson").status, 200);
  Connection c(port);
  ASSERT_TRUE(c.send(request_text("GET", "/v1/events?after=0", tokens["officer"], "", "")));
  const std::string first = c.read_for(2000);
  const size_t more = first.find(": more after ");
  ASSERT_NE(more, std::string::npos) << first.size();
  EXPECT_LT(first.size(), 3u << 20);
  const uint64_t last = std::stoull(first.substr(more + 13));
  EXPECT_NE(first.find("id: " + std::to_string(last) + "\n"), std::string::npos);
  // The next part starts right after it.
  Connection again(port);
  ASSERT_TRUE(again.send("GET /v1/events HTTP/1.1\r\nAuthorization: Bearer " + tokens["officer"] +
                         "\r\nLast-Event-ID: " + std::to_string(last) + "\r\n\r\n"));
  const std::string next = again.read_for(1000);
  EXPECT_NE(next.find("id: " + std::to_string(last + 1) + "\n"), std::string::npos);
  EXPECT_EQ(next.find("id: " + std::to_string(last) + "\n"), std::string::npos);
}

// Under AddressSanitizer, a child forked from the serving process can hang
// on its first allocation: clang 14's ASan allocator has no fork handler,
// so a lock another thread held at the fork stays held in the child
// forever (seen in CI, 2026-12-02, and once in twelve runs under load:
// gdb showed the child in SizeClassAllocator64::GetFromAllocator). The
// release build's jemalloc resets its locks in the child, and the normal
// and ThreadSanitizer runs keep these tests; under ASan they are skipped.
bool forked_children_can_hang() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

// Snapshots are written by a child process while the zone goes on; a
// restart after SIGKILL starts from one.
TEST_F(ServerTest, SnapshotsAreWrittenWhileServing) {
  if (forked_children_can_hang()) GTEST_SKIP() << "ASan's allocator and fork (see above)";
  server.stop(SIGKILL);
  std::filesystem::remove_all(data);
  start("--snapshot-every 50");
  std::string batch;
  for (int i = 0; i < 120; ++i) batch += declaration("s-" + std::to_string(i), kA) + "\n";
  ASSERT_EQ(post(tokens["a"], batch, "application/x-ndjson").status, 200);
  // Another command after the threshold lets the zone see it and start one.
  ASSERT_EQ(post(tokens["a"], declaration("s-last", kA)).status, 200);
  // A whole snapshot (renamed from its .partial once the child has written
  // and synced it): the child, which reads the state of a live server
  // (core/unshared_heap.h), finished its work.
  const auto whole_snapshot = [&] {
    std::error_code error;
    for (const auto& file : std::filesystem::directory_iterator(data + "/snapshots", error)) {
      if (file.path().extension() == ".snap") return true;
    }
    return false;
  };
  bool written = false;
  for (int i = 0; i < 50 && !written; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    written = whole_snapshot();
  }
  EXPECT_TRUE(written) << "no snapshot while serving";
  const uint64_t seq = ready_seq();
  server.stop(SIGKILL);
  const Outcome verify = zonegate("verify --data " + data);
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  // The child's snapshot reads back: recovery starts from it, not from
  // the journal's first row.
  const Outcome recovered = zonegate("snapshot --data " + data + " 2>&1");
  EXPECT_EQ(recovered.exit_code, 0) << recovered.out;
  EXPECT_NE(recovered.out.find("(from the snapshot at "), std::string::npos) << recovered.out;
  EXPECT_EQ(recovered.out.find("(from the snapshot at 0 "), std::string::npos) << recovered.out;
  server.start(data);
  port = server.port();
  EXPECT_EQ(ready_seq(), seq);
  const std::string log = read_file(data + ".log");
  EXPECT_EQ(log.find("skipped"), std::string::npos) << log;
  EXPECT_EQ(log.find("failed in its child process"), std::string::npos) << log;
}

// A graceful stop while a snapshot's child writes lets it finish: the
// child dies with the engine's thread that forked it, so that thread waits
// for it before it ends (the fault hook keeps the child busy for 1.5 s).
TEST_F(ServerTest, AStopLetsTheSnapshotBeingWrittenFinish) {
  if (forked_children_can_hang()) GTEST_SKIP() << "ASan's allocator and fork (see above)";
  server.stop(SIGKILL);
  std::filesystem::remove_all(data);
  ::setenv("ZG_FAULT_SNAPSHOT_CHILD_WAIT_MS", "1500", 1);
  start("--snapshot-every 50");
  ::unsetenv("ZG_FAULT_SNAPSHOT_CHILD_WAIT_MS");
  std::string batch;
  for (int i = 0; i < 120; ++i) batch += declaration("w-" + std::to_string(i), kA) + "\n";
  ASSERT_EQ(post(tokens["a"], batch, "application/x-ndjson").status, 200);
  ASSERT_EQ(post(tokens["a"], declaration("w-last", kA)).status, 200);
  EXPECT_EQ(server.stop(SIGTERM), 0);
  const std::string log = read_file(data + ".log");
  EXPECT_EQ(log.find("failed in its child process"), std::string::npos) << log;
  const Outcome verify = zonegate("verify --data " + data);
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

// HTTPS from certificate files: the same API, and plain HTTP is not
// answered on the TLS port.
TEST(ServeTls, ServesHttpsFromCertificateFiles) {
  const std::string data = temp_dir("tls");
  const std::string cert = data + ".cert.pem", key = data + ".key.pem";
  ASSERT_EQ(run("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -out " + cert +
                " -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null")
                .exit_code,
            0);
  Server server;
  server.start(data, "--tls-cert " + cert + " --tls-key " + key);
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
  const Outcome health = run("curl -s --cacert " + cert + " " + url + "/health");
  EXPECT_EQ(health.out, R"({"status":"ok"})");
  const Outcome refused = run("curl -s --cacert " + cert + " " + url + "/v1/me");
  EXPECT_NE(refused.out.find("\"status\":401"), std::string::npos) << refused.out;
  // Plain HTTP to the TLS port gets no HTTP answer.
  EXPECT_EQ(http(server.port(), "GET", "/health").status, 0);
  // The server still answers after that.
  EXPECT_EQ(run("curl -s --cacert " + cert + " " + url + "/health").out, R"({"status":"ok"})");
  EXPECT_EQ(server.stop(SIGTERM), 0);
  for (const std::string& f : {cert, key, data + ".log"}) std::filesystem::remove(f);
  std::filesystem::remove_all(data);
}

// The README's main command: serve --demo prints a token per role and the
// lines to try; they work as printed, and tenants stay apart.
TEST(ServeDemo, PrintedTokensWorkAndTenantsStayApart) {
  const std::string data = temp_dir("demo");
  Server server;
  server.start(data, "--demo --demo-scale 0.25");  // a quarter of a day: quick under ASan
  const std::string& banner = server.banner();
  std::map<std::string, std::string> token, uscc;
  const std::regex line("export ([A-Z_]+)=(zgt_[A-Za-z0-9_-]+)(   # ([0-9A-Z]{18}))?");
  for (std::sregex_iterator it(banner.begin(), banner.end(), line), end; it != end; ++it) {
    token[(*it)[1]] = (*it)[2];
    uscc[(*it)[1]] = (*it)[4];
  }
  for (const char* who : {"ADMIN", "OFFICER", "GATE", "AUDITOR", "ENTERPRISE_A", "ENTERPRISE_B"}) {
    ASSERT_FALSE(token[who].empty()) << who << " missing from:\n" << banner;
  }
  const int port = server.port();
  const std::string a = uscc["ENTERPRISE_A"];
  // The demo day is there: dozens of enterprises, hundreds of declarations.
  const HttpReply enterprises = http(port, "GET", "/v1/enterprises", token["OFFICER"]);
  EXPECT_GE(std::count(enterprises.body.begin(), enterprises.body.end(), '{'), 30);
  EXPECT_NE(enterprises.body.find("\"macao_funded\":true"), std::string::npos);
  const HttpReply taxes = http(port, "GET", "/v1/taxes", token["AUDITOR"]);
  EXPECT_NE(taxes.body.find("\"date\":\"2024-09-02\""), std::string::npos) << taxes.body;
  // A's book for A; refused for B.
  EXPECT_EQ(http(port, "GET", "/v1/enterprises/" + a + "/book", token["ENTERPRISE_A"]).status, 200);
  EXPECT_EQ(http(port, "GET", "/v1/enterprises/" + a + "/book", token["ENTERPRISE_B"]).status, 403);
  // The printed declaration, as printed (its "at" is the time it was printed).
  std::smatch example;
  ASSERT_TRUE(std::regex_search(banner, example, std::regex("-d '(\\{.*\\})'")));
  Connection watch(port);
  ASSERT_TRUE(watch.send(request_text("GET", "/v1/events", token["OFFICER"], "", "")));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const HttpReply declared = http(port, "POST", "/v1/commands", token["ENTERPRISE_A"], example[1]);
  EXPECT_NE(declared.body.find("\"status\":\"accepted\""), std::string::npos) << declared.body;
  EXPECT_NE(watch.read_for(500).find("\"id\":\"my-first\""), std::string::npos);
  EXPECT_EQ(server.stop(SIGINT), 0);
  std::filesystem::remove_all(data);
  std::filesystem::remove(data + ".log");
}

// The server killed (SIGKILL) in the middle of a load, three times over:
// every command answered "accepted" is in the journal after the restart,
// with the same result, and the journal verifies.
// One node, two zones: each under /shards/NAME/ with its own journal,
// tokens and sequence; the first also at the root.
TEST(ServeShards, TwoZonesOnOneNodeAreRoutedByShard) {
  const std::string hengqin = temp_dir("shards-hq");
  const std::string hainan = temp_dir("shards-hn");
  const std::string empty = hainan + ".empty.jsonl";
  std::ofstream(empty).close();
  ASSERT_EQ(zonegate("run --pack " + kSource + "/policies/hainan --data " + hainan + " " + empty)
                .exit_code,
            0);
  Server server;
  server.start(hengqin, "--zone " + hainan);
  const int port = server.port();
  const std::string hq_officer = create_token(hengqin, "officer");
  const std::string hn_officer = create_token(hainan, "officer");

  const HttpReply list = http(port, "GET", "/shards");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_NE(list.body.find(R"("shard":"hengqin","zone":"hengqin","path":"/shards/hengqin")"),
            std::string::npos)
      << list.body;
  EXPECT_NE(
      list.body.find(
          R"("shard":"hainan","zone":"hainan","path":"/shards/hainan","role":"owner","seq":0)"),
      std::string::npos)
      << list.body;

  const HttpReply in_hainan = http(port, "POST", "/shards/hainan/v1/commands", hn_officer,
                                   registration("reg-hn", kA, false));
  ASSERT_EQ(in_hainan.status, 200) << in_hainan.body;
  EXPECT_NE(in_hainan.body.find(R"("seq":1,"status":"accepted")"), std::string::npos)
      << in_hainan.body;
  // Each zone has its own sequence and its own tokens.
  const HttpReply in_hengqin =
      http(port, "POST", "/v1/commands", hq_officer, registration("reg-hq", kB, false));
  EXPECT_NE(in_hengqin.body.find(R"("seq":1,"status":"accepted")"), std::string::npos)
      << in_hengqin.body;
  EXPECT_EQ(http(port, "GET", "/shards/hengqin/v1/enterprises/" + kB, hq_officer).status, 200);
  EXPECT_EQ(http(port, "GET", "/shards/hainan/v1/enterprises/" + kB, hn_officer).status, 404);
  EXPECT_EQ(http(port, "GET", "/shards/hainan/v1/enterprises/" + kA, hq_officer).status, 401);
  EXPECT_NE(http(port, "GET", "/shards/hainan/ready").body.find(R"("seq":1)"), std::string::npos);
  EXPECT_EQ(http(port, "GET", "/shards/?pretty=no").status, 200);
  // The web pages call the root's API: under another zone's path they would
  // act on the wrong zone, so only the API is there.
  EXPECT_EQ(http(port, "GET", "/shards/hainan/").status, 404);
  EXPECT_EQ(http(port, "GET", "/shards/hengqin/").status, 200);  // the first zone's page
  const HttpReply unknown = http(port, "GET", "/shards/macao/ready");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("unknown_shard"), std::string::npos) << unknown.body;

  // A directory another server holds is not served by a second one, nor
  // written by a run; the first goes on.
  Server second;
  const std::string held = temp_dir("shards-hq3");
  EXPECT_THROW(second.start(held, "--zone " + hainan), std::runtime_error);
  EXPECT_NE(read_file(held + ".log").find(hainan + " is in use by another process (pid "),
            std::string::npos)
      << read_file(held + ".log");
  const Outcome run = zonegate("run --pack " + kSource + "/policies/hainan --data " + hainan + " " +
                               empty + " 2>&1");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.out.find("zonegate serve): stop it first"), std::string::npos) << run.out;
  EXPECT_EQ(http(port, "GET", "/shards/hainan/ready").status, 200);
  server.stop();
  // Two directories of one zone cannot both be served.
  Server twice;
  const std::string copy = temp_dir("shards-hn2");
  std::filesystem::remove_all(copy);
  std::filesystem::copy(hainan, copy, std::filesystem::copy_options::recursive);
  const std::string other = temp_dir("shards-hq2");
  EXPECT_THROW(twice.start(other, "--zone " + hainan + " --zone " + copy), std::runtime_error);
  EXPECT_NE(read_file(other + ".log").find("are both shard hainan"), std::string::npos);
  for (const std::string& dir : {hengqin, hainan, copy, other, held}) {
    std::filesystem::remove_all(dir);
    std::filesystem::remove(dir + ".log");
  }
}

TEST_F(ServerTest, KillDuringLoadLosesNothingAnswered) {
  std::map<std::string, std::pair<std::string, std::string>> answered;  // id: command, result
  std::mutex answered_mutex;
  for (int round = 0; round < 3; ++round) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&, t] {
        Connection c(port);
        for (int i = 0; !stop.load(); ++i) {
          const std::string id =
              "r" + std::to_string(round) + "-t" + std::to_string(t) + "-" + std::to_string(i);
          const std::string command = declaration(id, kA);
          if (!c.send(
                  request_text("POST", "/v1/commands", tokens["a"], "application/json", command))) {
            return;
          }
          const HttpReply r = c.read_reply(5000);
          if (r.status != 200) return;  // killed
          if (r.body.find("\"accepted\"") != std::string::npos) {
            std::lock_guard lock(answered_mutex);
            answered[id] = {command, r.body};
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(400 + 150 * round));
    server.stop(SIGKILL);
    stop = true;
    for (std::thread& c : clients) c.join();
    const Outcome verify = zonegate("verify --data " + data);
    ASSERT_EQ(verify.exit_code, 0) << verify.out;
    server.start(data, "--rate-limit 0");
    port = server.port();
  }
  ASSERT_GT(answered.size(), 100u) << "the load was too light to mean anything";
  const uint64_t seq = ready_seq();
  // Every answered command is a repeat now: the same result, nothing new
  // (sent back in batches within the server's limit).
  std::string batch;
  std::vector<std::string> expected;
  size_t checked = 0;
  const auto send_batch = [&] {
    const HttpReply again = post(tokens["officer"], batch, "application/x-ndjson");
    ASSERT_EQ(again.status, 200);
    EXPECT_EQ(canonical_lines(again.body), expected);
    checked += expected.size();
    batch.clear();
    expected.clear();
  };
  for (const auto& [id, sent] : answered) {
    batch += sent.first + "\n";
    expected.push_back(canonical(sent.second));
    if (expected.size() == 5000) send_batch();
  }
  if (!expected.empty()) send_batch();
  EXPECT_EQ(checked, answered.size());
  EXPECT_EQ(ready_seq(), seq);
  RecordProperty("answered_before_kills", static_cast<int>(answered.size()));
}

}  // namespace
}  // namespace zg::test
