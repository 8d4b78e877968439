#include "engine/book_json.h"

#include <cstdint>

#include "core/json.h"
#include "engine/handlers.h"

namespace zg {

namespace {

// "declaration": its number, when the command at `seq` was a declaration.
// Through a cursor: a book's lots, and then its postings, come in rising
// sequence order.
void write_declaration(JsonWriter& w, DeclarationTable::Cursor& declarations, uint64_t seq) {
  if (const DeclarationRecord* declared = declarations.find(seq)) {
    w.field("declaration", ZoneState::number_of(*declared));
  }
}

}  // namespace

std::string write_book_json(const Enterprise& enterprise, const Book& book,
                            const ZoneState& state) {
  std::string out;
  write_book_json(enterprise, book, state, out, SIZE_MAX, nullptr);
  return out;
}

void write_book_json(const Enterprise& enterprise, const Book& book, const ZoneState& state,
                     std::string& out, size_t piece_bytes,
                     const std::function<void(std::string&)>& flush) {
  const auto line_written = [&] {
    if (out.size() >= piece_bytes) flush(out);
  };
  JsonWriter w(out);
  DeclarationTable::Cursor declarations(state.declarations);
  w.begin_object();
  w.field("enterprise", enterprise.uscc).field("name", enterprise.name);
  w.key("lots").begin_array();
  for (const Lot& lot : book.lots()) {
    w.begin_object()
        .field("lot", static_cast<int64_t>(lot.id))
        .field("item", lot.item)
        .field("hs", lot.hs)
        .field("goods_status", goods_status_name(lot.status))
        .field("unit", lot.unit)
        .field("origin", lot.origin)
        .field("received", format_quantity(lot.received))
        .field("removed", format_quantity(lot.removed))
        .field("adjusted", format_quantity(lot.adjusted))
        .field("balance", format_quantity(lot.balance))
        .field_money("customs_value", lot.value)
        .field_money("foreign_content", lot.foreign_content)
        .field_money("domestic_content", lot.domestic_content)
        .field("entered", format_date(lot.entered_date))
        .field("source_seq", static_cast<int64_t>(lot.source_seq));
    write_declaration(w, declarations, lot.source_seq);
    if (lot.flagged) w.field("flag", "officer_review");
    w.end_object();
    line_written();
  }
  w.end_array();
  w.key("postings").begin_array();
  for (const Posting& p : book.postings()) {
    w.begin_object()
        .field("seq", static_cast<int64_t>(p.seq))
        .field("at", format_rfc3339(p.at))
        .field("kind", posting_kind_name(p.kind))
        .field("lot", static_cast<int64_t>(p.lot))
        .field("item", book.lots()[p.lot - 1].item)
        .field("quantity", format_quantity(p.quantity))
        .field_money("value", p.value);
    write_declaration(w, declarations, p.seq);
    w.end_object();
    line_written();
  }
  w.end_array();
  w.end_object();
}

void write_tax_totals(JsonWriter& w, const TaxTotals& t) {
  w.field_money("customs_value", t.customs_value)
      .field_money("duty", t.duty)
      .field_money("consumption_tax", t.consumption_tax)
      .field_money("vat", t.vat)
      .field_money("refund", t.refund);
}

void write_declaration_summary(JsonWriter& w, const DeclarationRecord& d) {
  w.field("declaration", ZoneState::number_of(d))
      .field("seq", static_cast<int64_t>(d.seq))
      .field("date", format_date(d.date))
      .field("declarant", d.declarant->uscc)
      .field("movement", movement_name(d.movement))
      .field("lane", lane_name(d.lane))
      .field("release", d.held ? "held" : "released");
  if (d.finding != 0) w.field("finding", d.finding == 2 ? "discrepancy" : "compliant");
  write_tax_totals(w, d.totals);
}

}  // namespace zg
