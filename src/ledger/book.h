// An enterprise's account book (电子账册): lots of goods, moved only by
// postings from declarations, transfers, processing and stock-takes, and
// revalued by inspections' findings.
//
// Invariants (checked by check_invariants(), asserted in tests): no balance
// below zero; each lot's balance is its receipts minus removals plus
// adjustments; its value and contents are never negative.
//
// Changes are planned first (DrawPlan), without touching the book, and
// applied only once the whole command is known to succeed: a rejected
// command leaves every book exactly as it was.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "core/decimal.h"
#include "core/goods_status.h"
#include "core/status.h"
#include "core/time.h"

namespace zg {

struct Lot {
  uint64_t id = 0;  // unique within the book, from 1
  std::string item;
  std::string hs;
  GoodsStatus status = GoodsStatus::kBonded;
  std::string unit;
  std::string origin;
  Quantity received;  // opening quantity when the lot was created
  Quantity removed;
  Quantity adjusted;  // stock-take adjustments (signed)
  Quantity balance;
  Money value;             // customs value of the balance (CNY)
  Money foreign_content;   // M of the balance
  Money domestic_content;  // D of the balance
  // When the goods first entered the zone (exempt goods' supervision runs
  // from here, and it travels with the goods through transfers).
  int64_t entered_at = 0;
  Date entered_date{1970, 1, 1};
  uint64_t source_seq = 0;  // the command (declaration, process, stock-take) that made it
  bool flagged = false;     // an overage waiting for an officer
};

enum class PostingKind : uint8_t {
  kReceipt,
  kRemoval,
  kAdjustment,
  kRevaluation,
  kReclassification
};
std::string_view posting_kind_name(PostingKind kind);

struct Posting {
  uint64_t seq = 0;  // the command's sequence number
  Timestamp at{};    // the command's time
  PostingKind kind = PostingKind::kReceipt;
  uint64_t lot = 0;   // the lot's id (its item is the lot's)
  Quantity quantity;  // signed: negative for removals
  Money value;        // signed
};

// One lot's share of a draw.
struct DrawPortion {
  size_t lot_index = 0;
  Quantity quantity;
  Money value;
  Money foreign_content;
  Money domestic_content;
};

// What a draw of one item takes, lot by lot, oldest first.
struct Draw {
  std::string item;
  std::vector<DrawPortion> portions;
  Quantity quantity;
  Money value;
  Money foreign_content;
  Money domestic_content;
  GoodsStatus status = GoodsStatus::kBonded;  // of the first portion
  bool mixed_status = false;
};

class Book;

// Plans draws for one command: a second line drawing the same item sees what
// the first took. Reads the book; never changes it.
class DrawPlan {
 public:
  explicit DrawPlan(const Book& book) : book_(book) {}
  // Takes `quantity` of `item` first in, first out. Errors: unknown_item,
  // insufficient_stock (field ""; the caller adds the path).
  Result<Draw> take(std::string_view item, Quantity quantity);

 private:
  struct Taken {
    Quantity quantity;
    Money value, foreign, domestic;
  };
  const Book& book_;
  // What earlier draws of this plan took, by lot index: a few entries.
  std::vector<std::pair<size_t, Taken>> taken_;
  Taken& taken(size_t lot_index);
};

class Book {
 public:
  explicit Book(std::string owner) : owner_(std::move(owner)) {}

  const std::string& owner() const { return owner_; }
  const std::deque<Lot>& lots() const { return lots_; }
  const std::deque<Posting>& postings() const { return postings_; }

  // An item's lots: a chain through lots(), oldest first (next_lot()).
  static constexpr size_t kNoLot = SIZE_MAX;
  struct ItemLots {
    size_t first = kNoLot;  // indexes into lots()
    size_t last = kNoLot;
    // Where draws start: lots before it are empty, so emptied lots cost
    // nothing however many there are. kNoLot when every lot is empty.
    size_t first_open = kNoLot;
  };
  // nullptr when the item never had a lot.
  const ItemLots* item_lots(std::string_view item) const;
  // The item's lot after the one at `lot_index`, or kNoLot.
  size_t next_lot(size_t lot_index) const { return next_lot_[lot_index]; }
  Quantity balance(std::string_view item) const;

  // Adds a lot of `lot.received` (its id is assigned here) and posts the
  // receipt; kAdjustment books it as a stock-take overage instead.
  size_t receive(Lot lot, uint64_t seq, Timestamp at, PostingKind kind = PostingKind::kReceipt);
  // Takes what a planned draw took and posts the removals (or adjustments).
  void apply(const Draw& draw, uint64_t seq, Timestamp at,
             PostingKind kind = PostingKind::kRemoval);

  // Replaces the book's contents with lots and postings saved earlier (a
  // snapshot); the item index is rebuilt from the lots.
  void restore(std::deque<Lot> lots, std::deque<Posting> postings);

  // A lot's value corrected (an inspection's finding): its value and the
  // content it counts as (foreign or domestic, by its status) become
  // `value`; a revaluation posting records the difference.
  void revalue(size_t lot_index, Money value, uint64_t seq, Timestamp at);
  // A lot's quantity corrected (an inspection counted otherwise): the
  // difference is an adjustment, posted. Only for a lot nothing was taken
  // from (the caller checks).
  void correct_quantity(size_t lot_index, Quantity quantity, uint64_t seq, Timestamp at);
  // What a lot's goods are, corrected (an inspection classified them
  // otherwise): HS code, origin and unit; a reclassification posting (of no
  // quantity or value) records when.
  void reclassify(size_t lot_index, std::string hs, std::string origin, std::string unit,
                  uint64_t seq, Timestamp at);

  // Empty when every invariant holds; otherwise one line per problem.
  std::vector<std::string> check_invariants() const;

 private:
  std::string owner_;
  // Deques: a growing book never moves (or copies) the lots it already has.
  std::deque<Lot> lots_;
  std::deque<Posting> postings_;

  // The item index. A book gets a new item with most receipts, and a
  // std::unordered_map of items, each with a vector of its lots, cost a
  // node, a vector and two or more cache misses a receipt (perf: a sixth
  // of a replay's declarations). Here an item is an entry of items_, found
  // by an open-addressed table (core/flat_index.h) whose key is its first
  // lot's item, and its lots are chained by next_lot_ (parallel to lots_).
  std::deque<ItemLots> items_;
  std::vector<uint64_t> item_slots_;  // a power of two, at most half full
  std::deque<size_t> next_lot_;
  // The slot for `item`: its entry's, or the empty one where it would go.
  size_t item_slot(std::string_view item, uint64_t hash) const;
  // Indexes the lot at `index`, the newest, under its item.
  void index_lot(size_t index);
};

}  // namespace zg
