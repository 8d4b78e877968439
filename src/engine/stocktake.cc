// stocktake: reconcile the book with a physical count. A shortage of untaxed
// goods owes import taxes as if it had left through the second line; an
// overage is booked and flagged for an officer.
#include <set>

#include "assess/taxes.h"
#include "engine/engine.h"
#include "engine/handlers.h"

namespace zg {
namespace {

struct Count {
  std::string_view item;
  Quantity counted;
  Quantity book;
  size_t latest = 0;  // index of the item's newest lot: HS, status and unit of an overage
  Draw shortage;      // planned when counted < book
  Money duty, consumption_tax, vat;
  Money taxable_value;
  std::vector<std::string> rules;
};

// What a shortage portion owes import taxes on, or nothing (paid, domestic,
// exempt goods past supervision).
std::optional<Money> taxable_shortage(const Lot& lot, const DrawPortion& portion,
                                      const PolicyVersion& policy, Date today, Count& count) {
  switch (lot.status) {
    case GoodsStatus::kBonded:
    case GoodsStatus::kProduced:
      count.rules.push_back("stocktake/shortage-" + std::string(goods_status_name(lot.status)));
      return portion.value;
    case GoodsStatus::kExempt: {
      count.rules.push_back("stocktake/shortage-exempt");
      if (policy.exempt_exit_basis == ExemptExitBasis::kDeclaredValue) {
        // Zero-tariff goods owe every tax on their value (here: the book's).
        count.rules.push_back("exempt-exit/declared-value");
        return portion.value;
      }
      const int years = policy.supervision_years(lot.hs);
      const int months = months_elapsed_rounded(lot.entered_date, today);
      const Money value = depreciated_value(portion.value, months, years);
      if (value.fen == 0) {
        count.rules.push_back("supervision/ended/" + std::to_string(years) + "y");
        return std::nullopt;
      }
      count.rules.push_back("depreciation/" + std::to_string(years) + "y/" +
                            std::to_string(months) + "m");
      return value;
    }
    case GoodsStatus::kPaid:
    case GoodsStatus::kDomestic:
      count.rules.push_back("stocktake/shortage-taxed-goods");
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

Status handle_stocktake(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const Enterprise* enterprise = enterprise_field(ctx, f, "enterprise", true);
  const PolicyVersion* policy = policy_in_force(ctx, errors);
  std::vector<Count> counts;
  std::set<std::string_view> seen;
  if (auto list = f.array("counts", true, kProcessLinesMax)) {
    uint32_t index = 0;
    for (JsonRef entry : *list) {
      const std::string path = "counts[" + std::to_string(index++) + "]";
      if (!entry.is_object()) {
        errors.add(ErrorCode::kInvalidField, path, path + " must be an object");
        continue;
      }
      Fields e(entry, path, errors);
      Count count;
      count.item = e.string("item");
      const auto quantity = e.fixed("quantity", kQuantityScale, kQuantityE4Max, true, false);
      if (quantity) count.counted.e4 = *quantity;
      if (!count.item.empty() && !seen.insert(count.item).second) {
        e.fail(ErrorCode::kInvalidField, "item",
               "item \"" + std::string(count.item) + "\" is counted twice");
      }
      counts.push_back(count);
    }
  }
  if (!errors.is_ok()) return errors;

  Book& book = ctx.state.books.at(enterprise->uscc);
  DrawPlan plan(book);
  std::vector<ImportTaxLine> lines;
  std::vector<size_t> line_of;
  for (size_t i = 0; i < counts.size(); ++i) {
    Count& count = counts[i];
    const std::string path = "counts[" + std::to_string(i) + "]";
    const Book::ItemLots* lots = book.item_lots(count.item);
    if (lots == nullptr) {
      errors.add(ErrorCode::kUnknownItem, path + ".item",
                 "the account book of " + enterprise->uscc + " has no item \"" +
                     std::string(count.item) + "\"");
      continue;
    }
    count.latest = lots->last;
    count.book = book.balance(count.item);
    if (count.counted >= count.book) continue;
    Result<Draw> draw = plan.take(count.item, count.book - count.counted);
    if (!draw.is_ok()) {  // cannot happen: we take less than the balance
      errors.merge(draw.status().under(path));
      continue;
    }
    count.shortage = std::move(draw).value();
    for (const DrawPortion& portion : count.shortage.portions) {
      const Lot& lot = book.lots()[portion.lot_index];
      std::optional<Money> taxable = taxable_shortage(lot, portion, *policy, ctx.local_date, count);
      if (!taxable) continue;
      const TariffLine* tariff = policy->tariff.find(lot.hs);
      if (tariff == nullptr) {
        errors.add(ErrorCode::kUnknownHsCode, path + ".item",
                   "HS code " + lot.hs + " of \"" + lot.item +
                       "\" is not in the tariff in force on " + format_date(ctx.local_date));
        continue;
      }
      count.taxable_value += *taxable;
      count.rules.push_back(tariff_rule(*tariff));
      lines.push_back(ImportTaxLine{tariff, *taxable, portion.quantity, false});
      line_of.push_back(i);
    }
  }
  if (!errors.is_ok()) return errors;

  std::vector<ImportTaxes> taxes(lines.size());
  const Waivers waived = assess_import_taxes(lines, *policy, taxes);
  for (size_t k = 0; k < lines.size(); ++k) {
    Count& count = counts[line_of[k]];
    count.duty += taxes[k].duty;
    count.consumption_tax += taxes[k].consumption_tax;
    count.vat += taxes[k].vat;
  }

  out.field("enterprise", enterprise->uscc);
  out.field("policy", policy->id);
  out.key("counts").begin_array();
  Money total_duty, total_ct, total_vat;
  for (Count& count : counts) {
    // A copy: an overage below adds a lot, which may move the book's lots.
    const Lot latest = book.lots()[count.latest];
    const Quantity difference = count.counted - count.book;
    out.begin_object();
    out.field("item", count.item);
    out.field("hs", latest.hs);
    out.field("unit", latest.unit);
    out.field("book_quantity", format_quantity(count.book));
    out.field("counted_quantity", format_quantity(count.counted));
    out.field("difference", format_quantity(difference));
    if (difference.e4 < 0) {
      const Lot& first = book.lots()[count.shortage.portions.front().lot_index];
      out.field("goods_status", goods_status_name(first.status));
      out.field_money("value", Money{-count.shortage.value.fen});
      out.field_money("taxable_value", count.taxable_value);
      if (waived.duty) count.rules.push_back("waiver/duty");
      if (waived.consumption_tax) count.rules.push_back("waiver/consumption-tax");
      if (waived.vat) count.rules.push_back("waiver/vat");
      book.apply(count.shortage, ctx.seq, ctx.at, PostingKind::kAdjustment);
    } else if (difference.e4 > 0) {
      out.field("goods_status", goods_status_name(latest.status));
      out.field("value", "0.00");
      out.field("flag", "officer_review");
      count.rules.push_back("stocktake/overage");
      Lot lot;
      lot.item = latest.item;
      lot.hs = latest.hs;
      lot.status = latest.status;
      lot.unit = latest.unit;
      lot.origin = latest.origin;
      lot.received = difference;
      lot.entered_at = ctx.at.unix_seconds;
      lot.entered_date = ctx.local_date;
      lot.source_seq = ctx.seq;
      lot.flagged = true;
      book.receive(std::move(lot), ctx.seq, ctx.at, PostingKind::kAdjustment);
    } else {
      out.field("goods_status", goods_status_name(latest.status));
      out.field("value", "0.00");
    }
    out.field_money("duty", count.duty);
    out.field_money("consumption_tax", count.consumption_tax);
    out.field_money("vat", count.vat);
    out.key("rules").begin_array();
    for (const std::string& rule : count.rules) out.string(rule);
    out.end_array();
    out.end_object();
    total_duty += count.duty;
    total_ct += count.consumption_tax;
    total_vat += count.vat;
  }
  out.end_array();
  if (total_duty.fen != 0 || total_ct.fen != 0 || total_vat.fen != 0) {
    TaxTotals owed;
    owed.count = 1;
    owed.duty = total_duty;
    owed.consumption_tax = total_ct;
    owed.vat = total_vat;
    ctx.state.taxes_by_day[ctx.local_date].add(owed);
  }
  out.key("totals").begin_object();
  out.field_money("duty", total_duty);
  out.field_money("consumption_tax", total_ct);
  out.field_money("vat", total_vat);
  out.end_object();
  return Status::ok();
}

}  // namespace zg
