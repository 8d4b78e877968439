#include "ledger/book.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace zg {
namespace {

Lot lot_of(std::string item, int64_t quantity, int64_t value_fen, GoodsStatus status) {
  Lot lot;
  lot.item = std::move(item);
  lot.hs = "22042100";
  lot.status = status;
  lot.unit = "L";
  lot.received = Quantity{quantity * kQuantityUnit};
  lot.value = Money{value_fen};
  (is_untaxed_foreign(status) ? lot.foreign_content : lot.domestic_content) = lot.value;
  return lot;
}

TEST(DrawPlan, TakesOldestFirstAndSharesValueProRata) {
  Book book("B");
  book.receive(lot_of("WINE", 100, 100'000, GoodsStatus::kBonded), 1, {});
  book.receive(lot_of("WINE", 50, 80'000, GoodsStatus::kBonded), 2, {});
  DrawPlan plan(book);
  Result<Draw> first = plan.take("WINE", Quantity{30 * kQuantityUnit});
  ASSERT_TRUE(first.is_ok());
  ASSERT_EQ(first->portions.size(), 1u);
  EXPECT_EQ(first->value.fen, 30'000);
  // The second draw in the same plan sees what the first took: 70 left in
  // the old lot, then 10 from the new one.
  Result<Draw> second = plan.take("WINE", Quantity{80 * kQuantityUnit});
  ASSERT_TRUE(second.is_ok());
  ASSERT_EQ(second->portions.size(), 2u);
  EXPECT_EQ(second->portions[0].value.fen, 70'000);  // exactly what remained
  EXPECT_EQ(second->portions[1].value.fen, 16'000);  // 80000 × 10/50
  EXPECT_EQ(second->foreign_content.fen, 86'000);
  // Planning changed nothing.
  EXPECT_EQ(book.balance("WINE").e4, 150 * kQuantityUnit);
}

TEST(DrawPlan, RefusesWhatTheBookDoesNotHold) {
  Book book("B");
  book.receive(lot_of("WINE", 10, 1'000, GoodsStatus::kBonded), 1, {});
  DrawPlan plan(book);
  Result<Draw> too_much = plan.take("WINE", Quantity{11 * kQuantityUnit});
  ASSERT_FALSE(too_much.is_ok());
  EXPECT_EQ(too_much.status().first().code, ErrorCode::kInsufficientStock);
  EXPECT_EQ(too_much.status().first().message,
            "the account book of B holds 10 of \"WINE\"; 11 asked");
  Result<Draw> unknown = plan.take("BEER", Quantity{1});
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_EQ(unknown.status().first().code, ErrorCode::kUnknownItem);
}

TEST(DrawPlan, FlagsMixedStatus) {
  Book book("B");
  book.receive(lot_of("WINE", 10, 1'000, GoodsStatus::kBonded), 1, {});
  book.receive(lot_of("WINE", 10, 1'000, GoodsStatus::kPaid), 2, {});
  DrawPlan plan(book);
  Result<Draw> one_status = plan.take("WINE", Quantity{10 * kQuantityUnit});
  ASSERT_TRUE(one_status.is_ok());
  EXPECT_FALSE(one_status->mixed_status);
  Result<Draw> next = plan.take("WINE", Quantity{5 * kQuantityUnit});
  ASSERT_TRUE(next.is_ok());
  EXPECT_FALSE(next->mixed_status);
  EXPECT_EQ(next->status, GoodsStatus::kPaid);
  DrawPlan other(book);
  Result<Draw> both = other.take("WINE", Quantity{15 * kQuantityUnit});
  ASSERT_TRUE(both.is_ok());
  EXPECT_TRUE(both->mixed_status);
}

TEST(Book, ApplyPostsAndKeepsInvariants) {
  Book book("B");
  book.receive(lot_of("WINE", 3, 100, GoodsStatus::kBonded), 1, {});
  // Three draws of one unit each: 100 × 1/3 → 33, then 67 × 1/2 = 33.5 → 34,
  // then the last takes exactly what is left (33): the value adds up to 100.
  int64_t taken = 0;
  for (int i = 0; i < 3; ++i) {
    DrawPlan plan(book);
    Result<Draw> draw = plan.take("WINE", Quantity{kQuantityUnit});
    ASSERT_TRUE(draw.is_ok());
    taken += draw->value.fen;
    book.apply(*draw, static_cast<uint64_t>(2 + i), {});
  }
  EXPECT_EQ(taken, 100);
  EXPECT_EQ(book.balance("WINE").e4, 0);
  EXPECT_EQ(book.lots()[0].value.fen, 0);
  EXPECT_EQ(book.postings().size(), 4u);
  EXPECT_TRUE(book.check_invariants().empty());
  // An emptied lot is skipped by later draws, and a new lot serves them.
  book.receive(lot_of("WINE", 1, 50, GoodsStatus::kBonded), 9, {});
  DrawPlan plan(book);
  Result<Draw> draw = plan.take("WINE", Quantity{kQuantityUnit});
  ASSERT_TRUE(draw.is_ok());
  EXPECT_EQ(draw->portions[0].lot_index, 1u);
}

TEST(Book, OverageIsAnAdjustment) {
  Book book("B");
  Lot lot = lot_of("WINE", 2, 0, GoodsStatus::kBonded);
  book.receive(std::move(lot), 1, {}, PostingKind::kAdjustment);
  EXPECT_EQ(book.lots()[0].received.e4, 0);
  EXPECT_EQ(book.lots()[0].adjusted.e4, 2 * kQuantityUnit);
  EXPECT_EQ(book.postings()[0].kind, PostingKind::kAdjustment);
  EXPECT_TRUE(book.check_invariants().empty());
}

// Each item's lots, in the order received, by walking its chain.
std::vector<size_t> chain_of(const Book& book, size_t from) {
  std::vector<size_t> chain;
  for (size_t index = from; index != Book::kNoLot; index = book.next_lot(index)) {
    chain.push_back(index);
  }
  return chain;
}

// The item index, against a plain map of what was received: enough items
// that its table grows many times, some received again and again, draws
// that empty lots; and again after a restore, which rebuilds the index.
TEST(Book, ItemIndexAgreesWithTheLotsReceived) {
  Book book("B");
  std::map<std::string, std::vector<size_t>> model;  // item → lot indexes, oldest first
  std::mt19937 random(7);
  uint64_t seq = 0;
  for (int n = 0; n < 5000; ++n) {
    // Three in four a new item; else one already held.
    const bool fresh = model.empty() || random() % 4 != 0;
    const std::string item = fresh ? "ITEM-" + std::to_string(n)
                                   : std::next(model.begin(), random() % model.size())->first;
    const size_t index = book.receive(lot_of(item, 2, 200, GoodsStatus::kBonded), ++seq, {});
    model[item].push_back(index);
    if (n % 3 == 0) {  // empties the item's oldest lot with a balance
      DrawPlan plan(book);
      Result<Draw> draw = plan.take(item, Quantity{2 * kQuantityUnit});
      ASSERT_TRUE(draw.is_ok()) << item;
      book.apply(*draw, ++seq, {});
    }
  }
  const auto check = [&](const Book& b) {
    for (const auto& [item, indexes] : model) {
      const Book::ItemLots* lots = b.item_lots(item);
      ASSERT_NE(lots, nullptr) << item;
      EXPECT_EQ(chain_of(b, lots->first), indexes) << item;
      EXPECT_EQ(lots->last, indexes.back()) << item;
      // Draws start at the first lot with a balance; every one before is empty.
      size_t open = Book::kNoLot;
      for (size_t index : indexes) {
        if (b.lots()[index].balance.e4 != 0) {
          open = index;
          break;
        }
      }
      EXPECT_EQ(lots->first_open, open) << item;
      Quantity balance;
      for (size_t index : indexes) balance += b.lots()[index].balance;
      EXPECT_EQ(b.balance(item), balance) << item;
    }
    EXPECT_EQ(b.item_lots("ITEM-none"), nullptr);
    EXPECT_EQ(b.item_lots(""), nullptr);
  };
  check(book);
  Book restored("B");
  restored.restore(book.lots(), book.postings());
  check(restored);
  // An item whose lots are all empty draws from the next lot it receives.
  std::string emptied;
  for (const auto& [item, indexes] : model) {
    if (book.balance(item).e4 == 0) emptied = item;
  }
  ASSERT_FALSE(emptied.empty());
  ASSERT_EQ(book.item_lots(emptied)->first_open, Book::kNoLot);
  const size_t index = book.receive(lot_of(emptied, 1, 100, GoodsStatus::kBonded), ++seq, {});
  EXPECT_EQ(book.item_lots(emptied)->first_open, index);
  DrawPlan plan(book);
  Result<Draw> draw = plan.take(emptied, Quantity{kQuantityUnit});
  ASSERT_TRUE(draw.is_ok());
  EXPECT_EQ(draw->portions.at(0).lot_index, index);
}

}  // namespace
}  // namespace zg
