#include "ledger/book.h"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "core/flat_index.h"

namespace zg {

DrawPlan::Taken& DrawPlan::taken(size_t lot_index) {
  for (auto& [index, taken] : taken_) {
    if (index == lot_index) return taken;
  }
  return taken_.emplace_back(lot_index, Taken{}).second;
}

Result<Draw> DrawPlan::take(std::string_view item, Quantity quantity) {
  const Book::ItemLots* lots = book_.item_lots(item);
  if (lots == nullptr) {
    return Result<Draw>(
        ErrorCode::kUnknownItem, "",
        "the account book of " + book_.owner() + " has no item \"" + std::string(item) + "\"");
  }
  Draw draw;
  draw.item = std::string(item);
  Quantity left = quantity;
  Quantity available;
  for (size_t index = lots->first_open; index != Book::kNoLot; index = book_.next_lot(index)) {
    const Lot& lot = book_.lots()[index];
    Taken& taken = this->taken(index);
    const Quantity lot_left = lot.balance - taken.quantity;
    available += lot_left;
    if (left.e4 == 0 || lot_left.e4 == 0) continue;
    DrawPortion portion;
    portion.lot_index = index;
    portion.quantity = left < lot_left ? left : lot_left;
    // Share out what remains of the lot's value and contents; the last
    // portion takes exactly what is left, so the books always add up.
    portion.value = pro_rata(lot.value - taken.value, portion.quantity, lot_left);
    portion.foreign_content =
        pro_rata(lot.foreign_content - taken.foreign, portion.quantity, lot_left);
    portion.domestic_content =
        pro_rata(lot.domestic_content - taken.domestic, portion.quantity, lot_left);
    if (draw.portions.empty()) {
      draw.status = lot.status;
    } else if (lot.status != draw.status) {
      draw.mixed_status = true;
    }
    taken.quantity += portion.quantity;
    taken.value += portion.value;
    taken.foreign += portion.foreign_content;
    taken.domestic += portion.domestic_content;
    draw.quantity += portion.quantity;
    draw.value += portion.value;
    draw.foreign_content += portion.foreign_content;
    draw.domestic_content += portion.domestic_content;
    draw.portions.push_back(portion);
    left -= portion.quantity;
  }
  if (left.e4 > 0) {
    return Result<Draw>(ErrorCode::kInsufficientStock, "",
                        "the account book of " + book_.owner() + " holds " +
                            format_quantity(available) + " of \"" + std::string(item) + "\"; " +
                            format_quantity(quantity) + " asked");
  }
  return draw;
}

size_t Book::item_slot(std::string_view item, uint64_t hash) const {
  return flat_index::probe(item_slots_, item, hash, [this](size_t k) -> std::string_view {
    return lots_[items_[k].first].item;
  });
}

const Book::ItemLots* Book::item_lots(std::string_view item) const {
  if (item_slots_.empty()) return nullptr;
  const uint64_t slot = item_slots_[item_slot(item, flat_index::hash_of(item))];
  return slot == 0 ? nullptr : &items_[flat_index::index_in(slot)];
}

void Book::index_lot(size_t index) {
  next_lot_.push_back(kNoLot);
  const std::string_view item = lots_[index].item;
  if (flat_index::must_grow(items_.size() + 1, item_slots_.size())) {
    if (items_.size() >= flat_index::kEntriesMax) throw std::bad_alloc();
    std::vector<uint64_t> fresh(std::max<size_t>(16, item_slots_.size() * 2));
    flat_index::refill(fresh, items_.size(), [this](size_t k) -> std::string_view {
      return lots_[items_[k].first].item;
    });
    item_slots_ = std::move(fresh);
  }
  const uint64_t hash = flat_index::hash_of(item);
  uint64_t& slot = item_slots_[item_slot(item, hash)];
  if (slot == 0) {
    items_.push_back(ItemLots{index, index, index});
    slot = flat_index::slot_of(hash, items_.size() - 1);
    return;
  }
  ItemLots& lots = items_[flat_index::index_in(slot)];
  next_lot_[lots.last] = index;
  lots.last = index;
  if (lots.first_open == kNoLot) lots.first_open = index;
}

Quantity Book::balance(std::string_view item) const {
  Quantity total;
  if (const ItemLots* lots = item_lots(item)) {
    for (size_t index = lots->first; index != kNoLot; index = next_lot_[index]) {
      total += lots_[index].balance;
    }
  }
  return total;
}

std::string_view posting_kind_name(PostingKind kind) {
  switch (kind) {
    case PostingKind::kReceipt: return "receipt";
    case PostingKind::kRemoval: return "removal";
    case PostingKind::kAdjustment: return "adjustment";
    case PostingKind::kRevaluation: return "revaluation";
    case PostingKind::kReclassification: return "reclassification";
  }
  std::abort();
}

size_t Book::receive(Lot lot, uint64_t seq, Timestamp at, PostingKind kind) {
  lot.id = lots_.size() + 1;
  lot.balance = lot.received;
  const Quantity quantity = lot.received;
  if (kind == PostingKind::kAdjustment) {
    lot.adjusted = lot.received;
    lot.received = Quantity{};
  }
  const size_t index = lots_.size();
  postings_.push_back(Posting{seq, at, kind, lot.id, quantity, lot.value});
  lots_.push_back(std::move(lot));
  index_lot(index);
  return index;
}

void Book::apply(const Draw& draw, uint64_t seq, Timestamp at, PostingKind kind) {
  for (const DrawPortion& portion : draw.portions) {
    Lot& lot = lots_[portion.lot_index];
    lot.balance -= portion.quantity;
    if (kind == PostingKind::kAdjustment) {
      lot.adjusted -= portion.quantity;
    } else {
      lot.removed += portion.quantity;
    }
    lot.value -= portion.value;
    lot.foreign_content -= portion.foreign_content;
    lot.domestic_content -= portion.domestic_content;
    postings_.push_back(
        Posting{seq, at, kind, lot.id, Quantity{-portion.quantity.e4}, Money{-portion.value.fen}});
  }
  // Move the item's cursor past lots that are now empty.
  // The draw was planned on this book, so its item is indexed.
  ItemLots& lots = items_[flat_index::index_in(
      item_slots_[item_slot(draw.item, flat_index::hash_of(draw.item))])];
  while (lots.first_open != kNoLot && lots_[lots.first_open].balance.e4 == 0) {
    lots.first_open = next_lot_[lots.first_open];
  }
}

void Book::restore(std::deque<Lot> lots, std::deque<Posting> postings) {
  lots_ = std::move(lots);
  postings_ = std::move(postings);
  items_.clear();
  item_slots_.clear();
  next_lot_.clear();
  for (size_t index = 0; index < lots_.size(); ++index) index_lot(index);
  // Draws take from the front, so the leading empty lots are the ones passed.
  for (ItemLots& item : items_) {
    while (item.first_open != kNoLot && lots_[item.first_open].balance.e4 == 0) {
      item.first_open = next_lot_[item.first_open];
    }
  }
}

void Book::revalue(size_t lot_index, Money value, uint64_t seq, Timestamp at) {
  Lot& lot = lots_[lot_index];
  postings_.push_back(
      Posting{seq, at, PostingKind::kRevaluation, lot.id, Quantity{0}, value - lot.value});
  lot.value = value;
  (is_untaxed_foreign(lot.status) ? lot.foreign_content : lot.domestic_content) = value;
}

void Book::correct_quantity(size_t lot_index, Quantity quantity, uint64_t seq, Timestamp at) {
  Lot& lot = lots_[lot_index];
  const Quantity difference = quantity - lot.balance;
  if (difference.e4 == 0) return;
  postings_.push_back(Posting{seq, at, PostingKind::kAdjustment, lot.id, difference, Money{0}});
  lot.adjusted += difference;
  lot.balance = quantity;
}

void Book::reclassify(size_t lot_index, std::string hs, std::string origin, std::string unit,
                      uint64_t seq, Timestamp at) {
  Lot& lot = lots_[lot_index];
  if (lot.hs == hs && lot.origin == origin && lot.unit == unit) return;
  postings_.push_back(
      Posting{seq, at, PostingKind::kReclassification, lot.id, Quantity{0}, Money{0}});
  lot.hs = std::move(hs);
  lot.origin = std::move(origin);
  lot.unit = std::move(unit);
}

std::vector<std::string> Book::check_invariants() const {
  std::vector<std::string> problems;
  for (const Lot& lot : lots_) {
    const std::string name = owner_ + " lot " + std::to_string(lot.id);
    if (lot.balance.e4 < 0) problems.push_back(name + ": negative balance");
    if (lot.balance != lot.received - lot.removed + lot.adjusted) {
      problems.push_back(name + ": balance is not receipts - removals + adjustments");
    }
    if (lot.value.fen < 0 || lot.foreign_content.fen < 0 || lot.domestic_content.fen < 0) {
      problems.push_back(name + ": negative value or content");
    }
    if (lot.balance.e4 == 0 &&
        (lot.value.fen != 0 || lot.foreign_content.fen != 0 || lot.domestic_content.fen != 0)) {
      problems.push_back(name + ": empty lot still carries value");
    }
  }
  return problems;
}

}  // namespace zg
