// The engine's cost per command, in process, split into its parts: parsing
// the JSON (the baseline), canonical form + SHA-256 (idempotency), and a
// whole declare (parse, validate, assess, post, write the result); what a
// replay's reading and checking stages do for each journal row; and
// finding a book's declarations by sequence number, by binary search (the
// baseline), by DeclarationTable::find and by the cursor book views use.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cassert>
#include <string>
#include <vector>

#include "core/json.h"
#include "engine/engine.h"
#include "engine/journal_entry.h"
#include "engine/state.h"
#include "policy/pack_loader.h"

namespace zg {
namespace {

const char* kEntry =
    R"({"type":"declare","id":"d-%ld","at":"2024-06-03T10:00:00+08:00","movement":"first_line_entry",)"
    R"("declarant":"914404000MA4W2X016","purpose":"trade","currency":"USD","items":[{"item":"IMP-%ld",)"
    R"("hs":"22042100","description":"red wine","origin":"FR","quantity":"10","unit":"L","value":"1000.00"}]})";
const char* kExit =
    R"({"type":"declare","id":"x-%ld","at":"2024-06-03T11:00:00+08:00","movement":"second_line_exit",)"
    R"("declarant":"914404000MA4W2X016","purpose":"trade","currency":"CNY","items":[{"item":"IMP-%ld",)"
    R"("hs":"22042100","description":"red wine","origin":"FR","quantity":"10","unit":"L","value":"9000.00"}]})";

std::string command(const char* format, long n) {
  char buffer[1024];
  std::snprintf(buffer, sizeof buffer, format, n, n);
  return buffer;
}

void BM_Baseline_ParseCommand(benchmark::State& state) {
  const std::string text = command(kEntry, 1);
  JsonDocument doc;
  for (auto _ : state) {
    Status status = doc.parse(text);
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Baseline_ParseCommand);

void BM_CanonicalJson(benchmark::State& state) {
  const std::string text = command(kEntry, 1);
  JsonDocument doc;
  (void)doc.parse(text);
  std::string out;
  for (auto _ : state) {
    out.clear();
    append_canonical_json(out, doc.root());
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CanonicalJson);

// Entry then exit of the same goods, each a fresh command id.
void BM_ExecuteDeclarePair(benchmark::State& state) {
  Result<PolicyPack> pack = load_policy_pack(std::string(ZG_SOURCE_DIR) + "/policies/hengqin");
  if (!pack.is_ok()) {
    state.SkipWithError("cannot load the Hengqin pack");
    return;
  }
  Engine engine(*pack);
  (void)engine.execute(
      R"({"type":"register_enterprise","id":"e1","at":"2024-03-01T09:00:00+08:00",)"
      R"("uscc":"914404000MA4W2X016","name":"Bench","legal_person":true,"registered_in_zone":true})",
      1);
  long n = 0;
  std::string entry, exit;
  for (auto _ : state) {
    state.PauseTiming();
    entry = command(kEntry, n);
    exit = command(kExit, n);
    ++n;
    state.ResumeTiming();
    benchmark::DoNotOptimize(engine.execute(entry, 1));
    benchmark::DoNotOptimize(engine.execute(exit, 2));
  }
  if (!engine.last_accepted()) state.SkipWithError("a command was rejected");
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_ExecuteDeclarePair);

// A journal row of an accepted declaration, as a durable zone writes it.
struct DeclareRow {
  JournalEntry entry;
  std::string result;  // the engine's, as applying the command gives it
  DeclareRow() {
    Result<PolicyPack> pack = load_policy_pack(std::string(ZG_SOURCE_DIR) + "/policies/hengqin");
    if (!pack.is_ok()) return;
    Engine engine(*pack);
    (void)engine.execute(
        R"({"type":"register_enterprise","id":"e1","at":"2024-03-01T09:00:00+08:00",)"
        R"("uscc":"914404000MA4W2X016","name":"Bench","legal_person":true,"registered_in_zone":true})",
        1);
    PreparedCommand prepared;
    Engine::prepare(command(kEntry, 1), 2, prepared);
    result = std::string(engine.apply(prepared, ResultKeeping::kInMemory));
    entry = make_journal_entry(2, prepared.canonical, result, std::string(64, 'a'));
  }
};
const DeclareRow& declare_row() {
  static const DeclareRow row;
  return row;
}

// Replay's reading stage for one row: its leaf hash checked, its members
// found, its command parsed and digested for the engine.
void BM_ReplayReadRow(benchmark::State& state) {
  const DeclareRow& row = declare_row();
  PreparedCommand prepared;
  for (auto _ : state) {
    Result<JournalRecordView> view = check_journal_entry_in_place(row.entry);
    if (!view.is_ok()) {
      state.SkipWithError("the row does not check");
      return;
    }
    Engine::prepare_canonical(view->command, 2, prepared);
    benchmark::DoNotOptimize(prepared.digest);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(row.entry.entry.size()));
}
BENCHMARK(BM_ReplayReadRow);

// Replay's checking stage for one row: the engine's result put in canonical
// form and compared with the one recorded.
void BM_ReplayCheckResult(benchmark::State& state) {
  const DeclareRow& row = declare_row();
  const std::string recorded = canonical_result(row.result);
  std::string canonical;
  for (auto _ : state) {
    canonical.clear();
    append_canonical_result(canonical, row.result);
    if (canonical != recorded) state.SkipWithError("the results differ");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReplayCheckResult);

// A zone of a million declarations, one enterprise's every hundredth: the
// lines of its book, in rising order, looked up by sequence number. The
// argument is the step between declarations' sequence numbers: 1 when
// every command is a declaration (the generated journal), 3 when two
// commands in three are something else (gate events, say).
struct BookLookups {
  DeclarationTable table;
  std::vector<uint64_t> book;
  explicit BookLookups(uint64_t step) {
    table.reserve(1'000'000);
    for (uint64_t seq = 1; seq <= 1'000'000; ++seq) table.add(seq * step);
    for (uint64_t seq = 50 * step; seq <= 1'000'000 * step; seq += 100 * step) book.push_back(seq);
  }
};
const BookLookups& book_lookups(int64_t step) {
  static const BookLookups dense(1), sparse(3);
  assert(step == 1 || step == 3);
  return step == 1 ? dense : sparse;
}

// A binary search of the whole table for each line.
void BM_Baseline_BookLinesBySearch(benchmark::State& state) {
  const BookLookups& b = book_lookups(state.range(0));
  const auto earlier = [](const DeclarationRecord& r, uint64_t s) { return r.seq < s; };
  for (auto _ : state) {
    for (uint64_t seq : b.book) {
      benchmark::DoNotOptimize(std::lower_bound(b.table.begin(), b.table.end(), seq, earlier));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(b.book.size()));
}
BENCHMARK(BM_Baseline_BookLinesBySearch)->Arg(1)->Arg(3);

// DeclarationTable::find: a guess from the density of sequence numbers,
// exact on these evenly spaced tables (its best case).
void BM_BookLinesByFind(benchmark::State& state) {
  const BookLookups& b = book_lookups(state.range(0));
  for (auto _ : state) {
    for (uint64_t seq : b.book) benchmark::DoNotOptimize(b.table.find(seq));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(b.book.size()));
}
BENCHMARK(BM_BookLinesByFind)->Arg(1)->Arg(3);

void BM_BookLinesByCursor(benchmark::State& state) {
  const BookLookups& b = book_lookups(state.range(0));
  for (auto _ : state) {
    DeclarationTable::Cursor cursor(b.table);
    for (uint64_t seq : b.book) benchmark::DoNotOptimize(cursor.find(seq));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(b.book.size()));
}
BENCHMARK(BM_BookLinesByCursor)->Arg(1)->Arg(3);

}  // namespace
}  // namespace zg

BENCHMARK_MAIN();
