// An account book's postings as a replay of the bench journal makes them:
// each entry receives a lot of a new item, and a later exit draws it out
// again (DrawPlan::take, then Book::apply), over a hundred books, as the
// journal of zonegate_gen_commands spreads them.
//
// Most of a step's time is first touching fresh memory (a lot and its
// postings), so a figure depends on what ran before it in the process:
// read it against an older build's copy of this file, each run in a
// process of its own and the builds alternated, as bench/replay_ab.sh does
// for replays.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "ledger/book.h"

namespace zg {
namespace {

Lot new_lot(long n) {
  Lot lot;
  lot.item = "IMP-" + std::to_string(n);
  lot.hs = "22042100";
  lot.unit = "L";
  lot.origin = "FR";
  lot.received = Quantity{100000};
  lot.value = Money{700000};
  lot.foreign_content = lot.value;
  return lot;
}

// Each step: a receipt in the next book, and a draw of what that book
// received kLag of its steps before.
void BM_BookReceiveThenDraw(benchmark::State& state) {
  constexpr size_t book_count = 100;
  constexpr long kLag = 8;
  std::vector<Book> books;
  for (size_t b = 0; b < book_count; ++b) books.emplace_back("book-" + std::to_string(b));
  long step = 0;
  for (auto _ : state) {
    Book& book = books[static_cast<size_t>(step) % book_count];
    const auto seq = static_cast<uint64_t>(step + 1);
    book.receive(new_lot(step), seq, Timestamp{});
    const long drawn = step - kLag * static_cast<long>(book_count);
    if (drawn >= 0) {
      DrawPlan plan(book);
      Result<Draw> draw = plan.take("IMP-" + std::to_string(drawn), Quantity{100000});
      if (!draw.is_ok()) {
        state.SkipWithError("a draw failed");
        return;
      }
      book.apply(draw.value(), seq, Timestamp{});
    }
    ++step;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BookReceiveThenDraw)->Iterations(1000000);

}  // namespace
}  // namespace zg

BENCHMARK_MAIN();
