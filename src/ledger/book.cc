#include "ledger/book.h"

#include <cstdlib>

namespace zg {

DrawPlan::Taken& DrawPlan::taken(size_t lot_index) {
  for (auto& [index, taken] : taken_) {
    if (index == lot_index) return taken;
  }
  return taken_.emplace_back(lot_index, Taken{}).second;
}

Result<Draw> DrawPlan::take(std::string_view item, Quantity quantity) {
  const std::vector<size_t>* indexes = book_.lots_of(item);
  if (indexes == nullptr) {
    return Result<Draw>(
        ErrorCode::kUnknownItem, "",
        "the account book of " + book_.owner() + " has no item \"" + std::string(item) + "\"");
  }
  Draw draw;
  draw.item = std::string(item);
  Quantity left = quantity;
  Quantity available;
  for (size_t k = book_.first_open(item); k < indexes->size(); ++k) {
    const size_t index = (*indexes)[k];
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

const std::vector<size_t>* Book::lots_of(std::string_view item) const {
  auto it = by_item_.find(item);
  return it == by_item_.end() ? nullptr : &it->second.lots;
}

size_t Book::first_open(std::string_view item) const {
  auto it = by_item_.find(item);
  return it == by_item_.end() ? 0 : it->second.first_open;
}

Quantity Book::balance(std::string_view item) const {
  Quantity total;
  if (const auto* indexes = lots_of(item)) {
    for (size_t index : *indexes) total += lots_[index].balance;
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
  by_item_[lot.item].lots.push_back(index);
  lots_.push_back(std::move(lot));
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
  ItemLots& item = by_item_.find(draw.item)->second;
  while (item.first_open < item.lots.size() && lots_[item.lots[item.first_open]].balance.e4 == 0) {
    ++item.first_open;
  }
}

void Book::restore(std::deque<Lot> lots, std::deque<Posting> postings) {
  lots_ = std::move(lots);
  postings_ = std::move(postings);
  by_item_.clear();
  for (size_t index = 0; index < lots_.size(); ++index) {
    by_item_[lots_[index].item].lots.push_back(index);
  }
  // Draws take from the front, so the leading empty lots are the ones passed.
  for (auto& [item, entry] : by_item_) {
    while (entry.first_open < entry.lots.size() &&
           lots_[entry.lots[entry.first_open]].balance.e4 == 0) {
      ++entry.first_open;
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
