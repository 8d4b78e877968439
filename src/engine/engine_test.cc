// The engine in process: idempotency, rejections that change nothing,
// processing content shares, and the books' invariants after real flows.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/json.h"
#include "engine/book_json.h"
#include "engine/handlers.h"
#include "policy/pack_loader.h"
#include "policy/test_packs.h"

namespace zg {
namespace {

using testing_packs::hengqin;

constexpr const char* kUscc = "914404000MA4W2X016";

const std::string kRegister =
    R"({"type":"register_enterprise","id":"e1","at":"2024-03-01T09:00:00+08:00","uscc":"914404000MA4W2X016","name":"T","legal_person":true,"registered_in_zone":true,"duty_free_importer":true})";

std::string entry(const std::string& id, const std::string& item, const std::string& quantity,
                  const std::string& value, const std::string& hs = "22042100",
                  const std::string& unit = "L") {
  return R"({"type":"declare","id":")" + id +
         R"(","at":"2024-05-06T10:00:00+08:00","movement":"first_line_entry","declarant":"914404000MA4W2X016","purpose":"trade","currency":"CNY","items":[{"item":")" +
         item + R"(","hs":")" + hs + R"(","origin":"FR","quantity":")" + quantity +
         R"(","unit":")" + unit + R"(","value":")" + value + R"("}]})";
}

std::string status_of(std::string_view result) {
  JsonDocument doc;
  EXPECT_TRUE(doc.parse(result).is_ok()) << result;
  return std::string(doc.root().get("status").text());
}

// Everything observable about the zone: the book and the next sequence number.
std::string fingerprint(const Engine& engine) {
  Result<std::string> book = engine.book_json(kUscc);
  return std::to_string(engine.state().last_seq) + (book.is_ok() ? *book : "");
}

// The state hash reads a book in pieces (write_book_json with a flush): the
// pieces, joined, are the book's JSON, byte for byte.
TEST(Engine, ABookWrittenInPiecesIsTheWholeBook) {
  Engine engine(hengqin());
  ASSERT_EQ(status_of(engine.execute(kRegister, 1)), "accepted");
  for (int i = 0; i < 4; ++i) {
    const std::string id = "d" + std::to_string(i);
    ASSERT_EQ(
        status_of(engine.execute(entry(id, "WINE" + std::to_string(i % 2), "10", "100.00"), 2)),
        "accepted");
  }
  const std::string whole = *engine.book_json(kUscc);
  const Enterprise& enterprise = *engine.state().enterprise(kUscc);
  for (const size_t piece_bytes : {size_t{1}, size_t{64}, whole.size(), whole.size() + 1}) {
    std::string joined, out;
    size_t flushes = 0;
    write_book_json(enterprise, engine.state().books.at(kUscc), engine.state(), out, piece_bytes,
                    [&](std::string& piece) {
                      EXPECT_GE(piece.size(), piece_bytes);
                      joined += piece;
                      piece.clear();
                      ++flushes;
                    });
    joined += out;
    EXPECT_EQ(joined, whole) << "pieces of " << piece_bytes;
    // A line at a time when the pieces are small; none when one holds it all.
    EXPECT_EQ(flushes > 1, piece_bytes < 100) << "pieces of " << piece_bytes;
  }
}

TEST(Engine, RepeatReturnsTheOriginalResultWhateverTheKeyOrder) {
  Engine engine(hengqin());
  ASSERT_EQ(status_of(engine.execute(kRegister, 1)), "accepted");
  const std::string first(engine.execute(entry("d1", "WINE", "10", "100.00"), 2));
  // The same command with its keys in another order and extra whitespace.
  const std::string reordered =
      R"({ "items":[{"value":"100.00","unit":"L","quantity":"10","origin":"FR","hs":"22042100","item":"WINE"}],
          "currency":"CNY","purpose":"trade","declarant":"914404000MA4W2X016","movement":"first_line_entry",
          "at":"2024-05-06T10:00:00+08:00","id":"d1","type":"declare" })";
  EXPECT_EQ(std::string(engine.execute(reordered, 3)), first);
  EXPECT_EQ(engine.state().last_seq, 2u);  // nothing new was applied
  EXPECT_EQ(engine.book_json(kUscc)->find("\"balance\":\"20\""), std::string::npos);
}

// Cigarettes under a licence still to be checked: accepted, and held.
const std::string kHeldCigarettes =
    R"({"type":"declare","id":"d-cig","at":"2024-05-06T11:00:00+08:00","movement":"first_line_entry","declarant":"914404000MA4W2X016","purpose":"trade","currency":"CNY","items":[{"item":"CIG-A","hs":"24022000","origin":"GB","quantity":"10","unit":"1000pcs","value":"5000.00","licence":"TL-2024-000123"}]})";

// A command replayed from the journal keeps its result there
// (ResultKeeping::kInJournal): the engine copies none of it, except a held
// declaration's, which its inspection reads again. A repeat of one reads
// the journal through the engine's reader; without one, or when the read
// fails, it is refused as unavailable and changes nothing.
TEST(Engine, ResultsKeptInTheJournalAreReadBackForRepeats) {
  Engine engine(hengqin());
  PreparedCommand command;
  const auto apply = [&](const std::string& text, ResultKeeping keeping) {
    Engine::prepare(text, 1, command);
    return std::string(engine.apply(command, keeping));
  };
  ASSERT_EQ(status_of(apply(kRegister, ResultKeeping::kInJournal)), "accepted");
  const std::string wine = entry("d1", "WINE", "10", "100.00");
  ASSERT_EQ(status_of(apply(wine, ResultKeeping::kInJournal)), "accepted");
  EXPECT_EQ(engine.state().results.bytes(), 0u);
  const std::string held = apply(kHeldCigarettes, ResultKeeping::kInJournal);
  ASSERT_NE(held.find(R"("release":"held")"), std::string::npos) << held;
  EXPECT_GE(engine.state().results.bytes(), held.size());  // its result, and its command

  const std::string before = fingerprint(engine);
  const auto refused_as_unavailable = [&](const std::string& text, const std::string& why) {
    const std::string result = apply(text, ResultKeeping::kInMemory);
    EXPECT_EQ(status_of(result), "rejected") << result;
    EXPECT_NE(result.find(R"("code":"unavailable")"), std::string::npos) << result;
    EXPECT_NE(result.find(why), std::string::npos) << result;
    EXPECT_FALSE(engine.last_accepted());
    EXPECT_EQ(fingerprint(engine), before);
  };
  refused_as_unavailable(wine, "accepted as seq 2");

  std::vector<uint64_t> asked;
  engine.set_result_reader([&](uint64_t seq) -> Result<std::string> {
    asked.push_back(seq);
    return std::string(R"({"id":"d1","recorded":true})");
  });
  EXPECT_EQ(apply(wine, ResultKeeping::kInMemory), R"({"id":"d1","recorded":true})");
  EXPECT_TRUE(engine.last_accepted());
  EXPECT_FALSE(engine.last_new());
  EXPECT_EQ(asked, std::vector<uint64_t>{2});
  EXPECT_EQ(apply(kHeldCigarettes, ResultKeeping::kInMemory), held);  // from memory
  EXPECT_EQ(asked.size(), 1u);
  EXPECT_EQ(fingerprint(engine), before);

  engine.set_result_reader([](uint64_t) -> Result<std::string> {
    return Status(ErrorCode::kIoError, "", "disk I/O error");
  });
  refused_as_unavailable(wine, "disk I/O error");
  // A row that answers another command is not taken for this one's.
  engine.set_result_reader(
      [](uint64_t) -> Result<std::string> { return std::string(R"({"id":"d2"})"); });
  refused_as_unavailable(wine, "is not the result of d1");

  // The held declaration's inspection corrects it from what was kept.
  JsonDocument result;
  ASSERT_TRUE(result.parse(held).is_ok());
  const std::string number(result.root().get("declaration").text());
  const std::string inspected = apply(
      R"({"type":"inspection_result","id":"i1","at":"2024-05-06T12:00:00+08:00","declaration":")" +
          number + R"(","finding":"discrepancy","corrections":[{"line":1,"value":"6000.00"}]})",
      ResultKeeping::kInJournal);
  EXPECT_EQ(status_of(inspected), "accepted") << inspected;
  EXPECT_NE(inspected.find(R"("finding":"discrepancy")"), std::string::npos) << inspected;
}

TEST(Engine, ReceivedAtIsJournaledButIsNotPartOfACommandsIdentity) {
  const std::string command = R"({"type":"set_rate","id":"r1","at":"2024-05-01T09:00:00+08:00",
    "currency":"USD","month":"2024-05","cny_per_unit":"7.1000"})";
  PreparedCommand plain, stamped, replayed;
  Engine::prepare(command, 1, plain);
  Engine::prepare(command, 1, stamped);
  Engine::stamp_received_at(stamped, "2024-05-01T09:00:02Z");
  EXPECT_EQ(stamped.digest, plain.digest);
  EXPECT_EQ(
      stamped.canonical,
      R"({"at":"2024-05-01T09:00:00+08:00","cny_per_unit":"7.1000","currency":"USD",)"
      R"("id":"r1","month":"2024-05","received_at":"2024-05-01T09:00:02Z","type":"set_rate"})");
  // A replay reads the stamped form and finds the same identity.
  Engine::prepare_canonical(stamped.canonical, 1, replayed);
  EXPECT_EQ(replayed.digest, plain.digest);
  // Stamping again replaces the stamp rather than adding a second one.
  Engine::stamp_received_at(replayed, "2024-05-01T09:10:00Z");
  EXPECT_EQ(replayed.canonical.find("09:00:02Z"), std::string::npos);
  EXPECT_NE(replayed.canonical.find("09:10:00Z"), std::string::npos);
}

TEST(Engine, SameIdDifferentCommandIsAConflictAndChangesNothing) {
  Engine engine(hengqin());
  (void)engine.execute(kRegister, 1);
  (void)engine.execute(entry("d1", "WINE", "10", "100.00"), 2);
  const std::string before = fingerprint(engine);
  const std::string result(engine.execute(entry("d1", "WINE", "11", "100.00"), 3));
  EXPECT_NE(result.find("\"code\":\"id_conflict\""), std::string::npos) << result;
  EXPECT_EQ(fingerprint(engine), before);
}

TEST(Engine, RejectedCommandsChangeNothingAndKeepTheirIdFree) {
  Engine engine(hengqin());
  (void)engine.execute(kRegister, 1);
  (void)engine.execute(entry("d1", "WINE", "10", "100.00"), 2);
  const std::string before = fingerprint(engine);
  // Two good items and one bad one: the whole declaration is refused.
  const std::string mixed =
      R"({"type":"declare","id":"d2","at":"2024-05-06T10:00:00+08:00","movement":"first_line_entry","declarant":"914404000MA4W2X016","purpose":"trade","currency":"CNY","items":[
        {"item":"WINE","hs":"22042100","origin":"FR","quantity":"5","unit":"L","value":"50.00"},
        {"item":"X","hs":"22042100","origin":"FR","quantity":"-1","unit":"L","value":"50.00"}]})";
  const std::string rejected(engine.execute(mixed, 3));
  EXPECT_NE(rejected.find("\"field\":\"items[1].quantity\""), std::string::npos) << rejected;
  EXPECT_EQ(fingerprint(engine), before);
  // The id is still free.
  EXPECT_EQ(status_of(engine.execute(entry("d2", "WINE", "5", "50.00"), 4)), "accepted");
}

TEST(Engine, ReportsEveryFieldErrorAtOnce) {
  Engine engine(hengqin());
  (void)engine.execute(kRegister, 1);
  const std::string result(engine.execute(
      R"({"type":"declare","id":"d1","at":"2024-05-06T10:00:00+08:00","movement":"first_line_entry","declarant":"914404000MA4W2X016","purpose":"trade","currency":"CNY","items":[{"item":"W","hs":"2204210","origin":"France","quantity":1,"unit":"L","value":"1.001"}]})",
      2));
  for (const char* field :
       {"items[0].hs", "items[0].origin", "items[0].quantity", "items[0].value"}) {
    EXPECT_NE(result.find(std::string("\"field\":\"") + field + "\""), std::string::npos)
        << field << " in " << result;
  }
}

TEST(Engine, MixedStatusLineIsRefusedWithAdvice) {
  Engine engine(hengqin());
  (void)engine.execute(kRegister, 1);
  (void)engine.execute(entry("d1", "WINE", "10", "100.00"), 2);  // bonded
  (void)engine.execute(  // paid: the same article, already taxed, from the mainland side
      R"({"type":"declare","id":"d2","at":"2024-05-06T11:00:00+08:00","movement":"second_line_entry","declarant":"914404000MA4W2X016","purpose":"trade","currency":"CNY","items":[{"item":"WINE","hs":"22042100","origin":"CN","quantity":"10","unit":"L","value":"100.00"}]})",
      3);
  const std::string exit_all =
      R"({"type":"declare","id":"d3","at":"2024-05-07T10:00:00+08:00","movement":"second_line_exit","declarant":"914404000MA4W2X016","purpose":"trade","currency":"CNY","items":[{"item":"WINE","hs":"22042100","origin":"FR","quantity":"15","unit":"L","value":"500.00"}]})";
  const std::string result(engine.execute(exit_all, 4));
  EXPECT_NE(result.find("\"code\":\"mixed_goods_status\""), std::string::npos) << result;
  EXPECT_NE(result.find("declare each status on its own item line"), std::string::npos);
}

TEST(Engine, ProcessSharesContentByShareOrQuantity) {
  Engine engine(hengqin());
  (void)engine.execute(kRegister, 1);
  (void)engine.execute(entry("d1", "CHIP", "3", "100.00", "85423100", "pcs"), 2);
  const std::string shares(engine.execute(
      R"({"type":"process","id":"p1","at":"2024-05-08T10:00:00+08:00","enterprise":"914404000MA4W2X016","inputs":[{"item":"CHIP","quantity":"1"}],"outputs":[{"item":"A","hs":"85423100","quantity":"1","unit":"pcs","content_share":"0.5"},{"item":"B","hs":"22042100","quantity":"2","unit":"L","content_share":"0.5"}]})",
      3));
  // 100.00 × 1/3 = 33.33 (the first third of the lot), shared half and half:
  // 16.665 each → the fen left over goes to the larger remainder (the first).
  EXPECT_NE(
      shares.find(
          R"("item":"A","lot":2,"hs":"85423100","quantity":"1","goods_status":"produced","foreign_content":"16.67")"),
      std::string::npos)
      << shares;
  EXPECT_NE(shares.find(R"("foreign_content":"16.66")"), std::string::npos) << shares;
  const std::string units(engine.execute(
      R"({"type":"process","id":"p2","at":"2024-05-08T11:00:00+08:00","enterprise":"914404000MA4W2X016","inputs":[{"item":"CHIP","quantity":"1"}],"outputs":[{"item":"A","hs":"85423100","quantity":"1","unit":"pcs"},{"item":"B","hs":"22042100","quantity":"2","unit":"L"}]})",
      4));
  EXPECT_NE(units.find("need a content_share each"), std::string::npos) << units;
  const std::string bad_sum(engine.execute(
      R"({"type":"process","id":"p3","at":"2024-05-08T11:00:00+08:00","enterprise":"914404000MA4W2X016","inputs":[{"item":"CHIP","quantity":"1"}],"outputs":[{"item":"A","hs":"85423100","quantity":"1","unit":"pcs","content_share":"0.6"},{"item":"C","hs":"85423100","quantity":"1","unit":"pcs","content_share":"0.6"}]})",
      5));
  EXPECT_NE(bad_sum.find("sums to 1.20; it must sum to 1"), std::string::npos) << bad_sum;
}

TEST(Engine, SetRateTakesPrecedenceFromItsSequenceOn) {
  Engine engine(hengqin());
  (void)engine.execute(kRegister, 1);
  auto usd_entry = [](const std::string& id) {
    return R"({"type":"declare","id":")" + id +
           R"(","at":"2024-05-06T10:00:00+08:00","movement":"first_line_entry","declarant":"914404000MA4W2X016","purpose":"trade","currency":"USD","items":[{"item":"W","hs":"22042100","origin":"FR","quantity":"1","unit":"L","value":"100.00"}]})";
  };
  const std::string before(engine.execute(usd_entry("d1"), 2));
  EXPECT_NE(before.find("\"customs_value\":\"706.33\""), std::string::npos) << before;  // 7.0633
  (void)engine.execute(
      R"({"type":"set_rate","id":"r1","at":"2024-04-17T10:00:00+08:00","currency":"USD","month":"2024-05","cny_per_unit":"7.1"})",
      3);
  const std::string after(engine.execute(usd_entry("d2"), 4));
  EXPECT_NE(after.find("\"customs_value\":\"710.00\""), std::string::npos) << after;
  EXPECT_NE(after.find("\"fx/USD/2024-05@set_rate/3\""), std::string::npos) << after;
}

TEST(Engine, FindsDeclarationsByNumber) {
  Engine engine(hengqin());
  (void)engine.execute(kRegister, 1);
  (void)engine.execute(entry("d1", "WINE", "10", "100.00"), 2);
  const ZoneState& state = engine.state();
  ASSERT_NE(state.find_declaration("HQ24050600002"), nullptr);
  EXPECT_EQ(state.find_declaration("HQ24050600002")->seq, 2u);
  EXPECT_EQ(state.find_declaration("HQ24050700002"), nullptr);  // wrong date
  EXPECT_EQ(state.find_declaration("HQ2405060002"), nullptr);   // not as issued
  EXPECT_EQ(state.find_declaration("HQ24050600001"), nullptr);  // seq 1 registered
  EXPECT_EQ(state.find_declaration("XX24050600002"), nullptr);
  EXPECT_EQ(state.find_declaration("HQ240506999999999999999"), nullptr);
}

// The number's form (DOMAIN.md: prefix, local date as yymmdd, sequence
// number padded to five digits), as snprintf's "%02d%02d%02d%05llu" wrote it.
TEST(Engine, DeclarationNumbersArePrefixDateAndPaddedSequence) {
  struct Case {
    std::string_view prefix;
    Date date;
    uint64_t seq;
    std::string_view number;
  };
  for (const Case& c : {
           Case{"HQ", {2024, 5, 6}, 2, "HQ24050600002"},
           Case{"HQ", {2024, 12, 31}, 99999, "HQ24123199999"},
           Case{"HQ", {2024, 1, 1}, 100000, "HQ240101100000"},
           Case{"HQ", {2000, 10, 9}, 0, "HQ00100900000"},
           Case{"", {2031, 7, 20}, 18446744073709551615ULL, "31072018446744073709551615"},
           Case{"ZONE-", {1999, 2, 28}, 4321, "ZONE-99022804321"},
       }) {
    EXPECT_EQ(declaration_number(c.prefix, c.date, c.seq), c.number) << c.seq;
  }
  // And against snprintf itself over years, months, days and widths.
  for (int year : {1970, 2000, 2009, 2024, 2099, 2100}) {
    for (int month = 1; month <= 12; month += 5) {
      for (int day = 1; day <= 31; day += 9) {
        for (uint64_t seq = 1; seq < 100'000'000'000ULL; seq = seq * 7 + 3) {
          char want[64];
          std::snprintf(want, sizeof want, "HQ%02d%02d%02d%05llu", year % 100, month, day,
                        static_cast<unsigned long long>(seq));
          ASSERT_EQ(declaration_number("HQ", Date{year, month, day}, seq), want);
        }
      }
    }
  }
}

TEST(Engine, BooksBalanceAfterAScenario) {
  Engine engine(hengqin());
  (void)engine.execute(kRegister, 1);
  for (int i = 0; i < 50; ++i) {
    (void)engine.execute(entry("in" + std::to_string(i), "WINE", "7", "99.99"), 2);
    const std::string out =
        R"({"type":"declare","id":"out)" + std::to_string(i) +
        R"(","at":"2024-05-07T10:00:00+08:00","movement":"second_line_exit","declarant":"914404000MA4W2X016","purpose":"trade","currency":"CNY","items":[{"item":"WINE","hs":"22042100","origin":"FR","quantity":"3","unit":"L","value":"80.00"}]})";
    ASSERT_EQ(status_of(engine.execute(out, 3)), "accepted");
  }
  const Book& book = engine.state().books.at(kUscc);
  EXPECT_TRUE(book.check_invariants().empty());
  EXPECT_EQ(book.balance("WINE").e4, 50 * 4 * kQuantityUnit);
  // Values add up: what is left is what came in less what went out.
  Money left;
  for (const Lot& lot : book.lots()) left += lot.value;
  Money moved;
  for (const Posting& p : book.postings()) moved += p.value;
  EXPECT_EQ(left, moved);
}

}  // namespace
}  // namespace zg
