// declare: a declaration at either line, a transfer or a sale to an
// individual. Validate, plan the account-book draws, decide each item's
// treatment, assess the taxes for the whole declaration, then post.

#include <cstdlib>

#include "assess/taxes.h"
#include "assess/treatment.h"
#include "core/country.h"
#include "core/currency.h"
#include "core/identifiers.h"
#include "engine/engine.h"
#include "engine/handlers.h"
#include "engine/selection.h"

namespace zg {
namespace {

struct DeclaredItem {
  std::string_view item, hs, description, origin, unit;
  bool has_licence = false;
  Quantity quantity;
  int64_t value_minor = 0;
  const TariffLine* tariff = nullptr;
};

struct Declaration {
  Movement movement = Movement::kFirstLineEntry;
  std::string_view purpose_text;
  Purpose purpose = Purpose::kTrade;
  const Enterprise* declarant = nullptr;
  const Enterprise* counterparty = nullptr;
  const Currency* currency = nullptr;
  const PolicyVersion* policy = nullptr;
  std::string_view channel;
  int64_t gross_e4 = -1;  // -1: not declared
  std::vector<DeclaredItem> items;
};

// Green and blue lanes release at once; yellow and red wait for an officer.
bool lane_releases(Lane lane) {
  return lane == Lane::kGreen || lane == Lane::kBlue;
}

// One item's outcome, before posting.
struct ItemOutcome {
  ItemTreatment treatment;
  Draw draw;  // what it takes from the declarant's book (empty for entries)
  Money duty, consumption_tax, vat, refund;
};

void read_item(const CommandContext& ctx, Declaration& d, JsonRef value, uint32_t index,
               Status& errors) {
  const std::string path = "items[" + std::to_string(index) + "]";
  if (!value.is_object()) {
    errors.add(ErrorCode::kInvalidField, path, path + " must be an object");
    return;
  }
  Fields f(value, path, errors);
  DeclaredItem item;
  item.item = f.string("item");
  item.hs = f.string("hs");
  item.description = f.string("description", false);
  item.origin = f.string("origin");
  item.unit = f.string("unit");
  const std::string_view licence = f.string("licence", false);
  item.has_licence = !licence.empty();
  const auto quantity = f.fixed("quantity", kQuantityScale, kQuantityE4Max, true, true);
  const int value_scale = d.currency != nullptr ? d.currency->minor_digits : kMoneyScale;
  const auto amount = f.fixed("value", value_scale, kAmountMinorMax, true, true);
  f.fixed("net_kg", kQuantityScale, kQuantityE4Max, false, false);
  if (quantity) item.quantity.e4 = *quantity;
  if (amount) item.value_minor = *amount;
  if (!item.origin.empty() && !is_country(item.origin)) {
    f.fail(ErrorCode::kInvalidField, "origin",
           "origin \"" + std::string(item.origin) + "\" is not an ISO 3166-1 alpha-2 country code");
  }
  if (!item.hs.empty()) {
    Status valid = validate_hs_code(item.hs);
    if (!valid.is_ok()) {
      f.fail(ErrorCode::kInvalidField, "hs", valid.first().message);
    } else if (d.policy != nullptr) {
      item.tariff = d.policy->tariff.find(item.hs);
      if (item.tariff == nullptr) {
        f.fail(ErrorCode::kUnknownHsCode, "hs",
               "HS code " + std::string(item.hs) + " is not in the tariff in force on " +
                   format_date(ctx.local_date));
      } else if (!item.unit.empty() && item.unit != item.tariff->unit) {
        f.fail(ErrorCode::kUnitMismatch, "unit",
               "HS " + item.tariff->hs + " is declared in " + item.tariff->unit + ", not " +
                   std::string(item.unit));
      }
    }
  }
  d.items.push_back(item);
}

Status read_declaration(const CommandContext& ctx, Declaration& d) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const std::string_view movement = f.string("movement");
  if (!movement.empty()) {
    if (auto m = parse_movement(movement)) {
      d.movement = *m;
    } else {
      f.fail(ErrorCode::kUnknownMovement, "movement",
             "unknown movement \"" + std::string(movement) + "\"");
    }
  }
  d.declarant = enterprise_field(ctx, f, "declarant", true);
  d.purpose_text = f.string("purpose");
  if (!d.purpose_text.empty()) {
    if (auto p = parse_purpose(d.purpose_text)) {
      d.purpose = *p;
    } else {
      f.fail(ErrorCode::kUnknownPurpose, "purpose",
             "unknown purpose \"" + std::string(d.purpose_text) + "\"");
    }
  }
  const std::string_view currency = f.string("currency");
  if (!currency.empty()) {
    d.currency = find_currency(currency);
    if (d.currency == nullptr) {
      f.fail(ErrorCode::kUnknownCurrency, "currency",
             "\"" + std::string(currency) + "\" is not an ISO 4217 currency code");
    }
  }
  if (d.movement == Movement::kTransfer) {
    d.counterparty = enterprise_field(ctx, f, "counterparty", true);
    if (d.counterparty != nullptr && d.declarant == d.counterparty) {
      f.fail(ErrorCode::kInvalidField, "counterparty",
             "a transfer needs two different enterprises");
    }
  }
  // Zero is accepted (journals from before the gates hold it); a truck's
  // weight is then checked against nothing and holds.
  if (auto gross = f.fixed("gross_kg", kQuantityScale, kQuantityE4Max, false, false)) {
    d.gross_e4 = *gross;
  }
  d.policy = policy_in_force(ctx, errors);
  d.channel = f.string("channel", false);
  if (!d.channel.empty() && d.policy != nullptr) {
    const Channel* channel = d.policy->find_channel(d.channel);
    const int line = movement_line(d.movement);
    if (channel == nullptr) {
      f.fail(ErrorCode::kInvalidField, "channel",
             "channel " + std::string(d.channel) + " is not one of the zone's channels");
    } else if (line == 0 || channel->line != line) {
      f.fail(ErrorCode::kInvalidField, "channel",
             "channel " + channel->id + " is on line " + std::to_string(channel->line) + "; a " +
                 std::string(movement_name(d.movement)) +
                 (line == 0 ? " crosses no line" : " crosses line " + std::to_string(line)));
    } else if (!channel->serves_kind("cargo") ||
               !channel->serves_direction(movement_direction(d.movement)) ||
               !channel->serves_movement(movement_name(d.movement))) {
      f.fail(ErrorCode::kInvalidField, "channel",
             "channel " + channel->id + " is not designated for the goods of a " +
                 std::string(movement_name(d.movement)));
    }
  }
  if (auto items = f.array("items", true, kItemsMax)) {
    uint32_t index = 0;
    for (JsonRef item : *items) read_item(ctx, d, item, index++, errors);
  }
  return errors;
}

// The account book's lots, for a treatment's view of what is leaving.
HeldGoods held_goods(const Book& book, const Draw& draw) {
  HeldGoods held;
  held.status = draw.status;
  held.hs = book.lots()[draw.portions.front().lot_index].hs;
  held.value = draw.value;
  held.foreign_content = draw.foreign_content;
  held.domestic_content = draw.domestic_content;
  for (const DrawPortion& portion : draw.portions) {
    held.exempt_entries.push_back(
        ExemptEntry{portion.value, book.lots()[portion.lot_index].entered_date});
  }
  return held;
}

// Plans each item's draw and decides its treatment; nothing changes yet.
Status treat_items(const CommandContext& ctx, const Declaration& d, const FxRate& fx,
                   std::vector<ItemOutcome>& outcomes) {
  Status errors;
  const Book& book = ctx.state.books.at(d.declarant->uscc);
  DrawPlan plan(book);
  for (size_t i = 0; i < d.items.size(); ++i) {
    const DeclaredItem& item = d.items[i];
    const std::string path = "items[" + std::to_string(i) + "]";
    ItemOutcome outcome;
    ItemFacts facts;
    facts.movement = d.movement;
    facts.purpose = d.purpose;
    facts.purpose_text = d.purpose_text;
    facts.tariff = item.tariff;
    facts.declared_value =
        convert_to_cny(item.value_minor, d.currency->minor_digits, fx.cny_per_unit);
    facts.quantity = item.quantity;
    facts.date = ctx.local_date;
    facts.has_licence = item.has_licence;
    facts.declarant = &d.declarant->facts;
    facts.counterparty = d.counterparty != nullptr ? &d.counterparty->facts : nullptr;
    HeldGoods held;
    if (movement_takes_from_book(d.movement)) {
      Result<Draw> draw = plan.take(item.item, item.quantity);
      if (!draw.is_ok()) {
        const Error& e = draw.status().first();
        errors.add(e.code, path + (e.code == ErrorCode::kUnknownItem ? ".item" : ".quantity"),
                   e.message);
        continue;
      }
      outcome.draw = std::move(draw).value();
      const Lot& first = book.lots()[outcome.draw.portions.front().lot_index];
      if (outcome.draw.mixed_status) {
        errors.add(ErrorCode::kMixedGoodsStatus, path + ".quantity",
                   "the " + format_quantity(item.quantity) + " " + std::string(item.unit) +
                       " of \"" + std::string(item.item) +
                       "\" would come from lots of different goods " +
                       "statuses; declare each status on its own item line (oldest lots first)");
        continue;
      }
      if (first.hs != item.tariff->hs) {
        errors.add(ErrorCode::kInvalidField, path + ".hs",
                   "the account book records \"" + std::string(item.item) + "\" under HS " +
                       first.hs + ", not " + std::string(item.hs));
        continue;
      }
      held = held_goods(book, outcome.draw);
      facts.held = &held;
    }
    Result<ItemTreatment> treatment = treat_item(facts, *d.policy);
    if (!treatment.is_ok()) {
      errors.merge(treatment.status().under(path));
      continue;
    }
    outcome.treatment = std::move(treatment).value();
    outcome.treatment.rules.push_back(tariff_rule(*item.tariff));
    if (!fx.rule.empty()) outcome.treatment.rules.push_back(fx.rule);
    outcomes.push_back(std::move(outcome));
  }
  return errors;
}

// Duty, CT and VAT for the whole declaration (with its waivers), refunds and
// transfer VAT.
void assess_taxes(const Declaration& d, std::vector<ItemOutcome>& outcomes) {
  std::vector<ImportTaxLine> lines;
  std::vector<size_t> line_of;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const ItemTreatment& t = outcomes[i].treatment;
    if (t.import_taxes) {
      lines.push_back(
          ImportTaxLine{d.items[i].tariff, t.customs_value, d.items[i].quantity, t.duty_exempt});
      line_of.push_back(i);
    }
    if (t.refund) outcomes[i].refund = refund_amount(*d.items[i].tariff, t.customs_value);
    if (t.transfer_vat) {
      outcomes[i].vat = apply_rate(t.declared_value, d.items[i].tariff->vat_rate);
    }
  }
  if (lines.empty()) return;
  std::vector<ImportTaxes> taxes(lines.size());
  const Waivers waived = assess_import_taxes(lines, *d.policy, taxes);
  for (size_t k = 0; k < lines.size(); ++k) {
    ItemOutcome& o = outcomes[line_of[k]];
    o.duty = taxes[k].duty;
    o.consumption_tax = taxes[k].consumption_tax;
    o.vat = taxes[k].vat;
    if (waived.duty) o.treatment.rules.push_back("waiver/duty");
    if (waived.consumption_tax) o.treatment.rules.push_back("waiver/consumption-tax");
    if (waived.vat) o.treatment.rules.push_back("waiver/vat");
  }
}

std::string declaration_number(const CommandContext& ctx) {
  return declaration_number(ctx.pack.declaration_prefix, ctx.local_date, ctx.seq);
}

void post(CommandContext& ctx, const Declaration& d, const std::vector<ItemOutcome>& outcomes) {
  Book& book = ctx.state.books.at(d.declarant->uscc);
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const DeclaredItem& item = d.items[i];
    const ItemOutcome& o = outcomes[i];
    if (!movement_takes_from_book(d.movement)) {
      Lot lot;
      lot.item = std::string(item.item);
      lot.hs = item.tariff->hs;
      lot.status = o.treatment.status_after;
      lot.unit = std::string(item.unit);
      lot.origin = std::string(item.origin);
      lot.received = item.quantity;
      lot.value = o.treatment.declared_value;
      (is_untaxed_foreign(lot.status) ? lot.foreign_content : lot.domestic_content) = lot.value;
      lot.entered_at = ctx.at.unix_seconds;
      lot.entered_date = ctx.local_date;
      lot.source_seq = ctx.seq;
      book.receive(std::move(lot), ctx.seq, ctx.at);
      continue;
    }
    if (d.movement == Movement::kTransfer) {
      // The receiving book gets the same lots: status, contents and the
      // date the goods first entered the zone travel with them.
      Book& receiver = ctx.state.books.at(d.counterparty->uscc);
      for (const DrawPortion& portion : o.draw.portions) {
        const Lot& from = book.lots()[portion.lot_index];
        Lot lot;
        lot.item = from.item;
        lot.hs = from.hs;
        lot.status = o.treatment.status_after;
        lot.unit = from.unit;
        lot.origin = from.origin;
        lot.received = portion.quantity;
        lot.value = portion.value;
        lot.foreign_content = portion.foreign_content;
        lot.domestic_content = portion.domestic_content;
        if (from.status == GoodsStatus::kExempt && lot.status == GoodsStatus::kPaid) {
          lot.foreign_content = Money{0};  // taxes now paid: no longer untaxed foreign
          lot.domestic_content = lot.value;
        }
        lot.entered_at = from.entered_at;
        lot.entered_date = from.entered_date;
        lot.source_seq = ctx.seq;
        receiver.receive(std::move(lot), ctx.seq, ctx.at);
      }
    }
    book.apply(o.draw, ctx.seq, ctx.at);
  }
}

void write_value_added(JsonWriter& out, const ItemTreatment& t) {
  out.key("value_added");
  if (!t.value_added) {
    out.null();
    return;
  }
  const ValueAdded& va = *t.value_added;
  out.begin_object();
  out.key("rate");
  if (va.rate_e4) {
    out.string(format_fixed(*va.rate_e4, 4));
  } else {
    out.null();
  }
  out.field("threshold", format_rate(va.threshold));
  out.field("formula", value_added_formula_text(va.formula));
  out.field_money("sale_value", va.sale_value);
  out.field_money("foreign_content", va.foreign_content);
  out.field_money("domestic_content", va.domestic_content);
  out.field_bool("qualifies", va.qualifies);
  out.field_bool("enterprise_eligible", t.value_added_enterprise_eligible);
  out.end_object();
}

// `reassessed`: an inspection's re-assessment, which says no lane and is
// released by the inspection itself.
void write_result(JsonWriter& out, const Declaration& d, const std::vector<ItemOutcome>& outcomes,
                  const std::string& number, Lane lane, bool reassessed = false) {
  out.field("declaration", number);
  out.field("movement", movement_name(d.movement));
  out.field("policy", d.policy->id);
  if (!reassessed) out.field("lane", lane_name(lane));
  out.field("release", reassessed || lane_releases(lane) ? "released" : "held");
  Money customs_value, duty, ct, vat, refund;
  out.key("items").begin_array();
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const ItemOutcome& o = outcomes[i];
    const ItemTreatment& t = o.treatment;
    out.begin_object();
    out.field("line", static_cast<int64_t>(i + 1));
    out.field("item", d.items[i].item);
    out.field("hs", d.items[i].tariff->hs);
    out.field("goods_status", goods_status_name(t.goods_status));
    out.field_money("declared_value", t.declared_value);
    out.field_money("customs_value", t.customs_value);
    out.field_money("duty", o.duty);
    out.field_money("consumption_tax", o.consumption_tax);
    out.field_money("vat", o.vat);
    out.field_money("refund", o.refund);
    write_value_added(out, t);
    out.key("rules").begin_array();
    for (const std::string& rule : t.rules) out.string(rule);
    out.end_array();
    out.end_object();
    customs_value += t.customs_value;
    duty += o.duty;
    ct += o.consumption_tax;
    vat += o.vat;
    refund += o.refund;
  }
  out.end_array();
  out.key("totals").begin_object();
  out.field_money("customs_value", customs_value);
  out.field_money("duty", duty);
  out.field_money("consumption_tax", ct);
  out.field_money("vat", vat);
  out.field_money("refund", refund);
  out.end_object();
}

// Reads, treats and assesses a declaration: everything but posting it.
Status assess(const CommandContext& ctx, Declaration& d, std::vector<ItemOutcome>& outcomes,
              TaxTotals& totals) {
  Status errors = read_declaration(ctx, d);
  if (!errors.is_ok()) return errors;
  FxRate fx{Rate{kPpmPerUnit}, ""};
  if (d.currency->code != "CNY") {
    const Month month = month_of(ctx.local_date);
    std::optional<FxRate> rate = exchange_rate(ctx, *d.policy, d.currency->code, month);
    if (!rate) {
      return Status(ErrorCode::kNoRateForMonth, "currency",
                    "no customs exchange rate for " + std::string(d.currency->code) + " in " +
                        format_month(month));
    }
    fx = *rate;
  }
  errors = treat_items(ctx, d, fx, outcomes);
  if (!errors.is_ok()) return errors;
  assess_taxes(d, outcomes);
  totals = TaxTotals{};
  totals.count = 1;
  for (const ItemOutcome& o : outcomes) {
    totals.customs_value += o.treatment.customs_value;
    totals.duty += o.duty;
    totals.consumption_tax += o.consumption_tax;
    totals.vat += o.vat;
    totals.refund += o.refund;
  }
  return Status::ok();
}

}  // namespace

Status reassess_declaration(const CommandContext& ctx, std::string_view number, JsonWriter& out,
                            TaxTotals& totals, std::vector<ReassessedItem>& items,
                            std::string& policy) {
  Declaration probe;  // its movement decides whether it can be re-assessed here
  Status errors = read_declaration(ctx, probe);
  if (!errors.is_ok()) return errors;
  if (movement_takes_from_book(probe.movement)) {
    // Its treatment rests on the lots it drew, as they were then.
    return Status(ErrorCode::kInvalidState, "corrections",
                  "correcting a " + std::string(movement_name(probe.movement)) +
                      " (goods drawn from an account book) is not supported yet; record the "
                      "finding without corrections and declare the difference");
  }
  Declaration d;
  std::vector<ItemOutcome> outcomes;
  errors = assess(ctx, d, outcomes, totals);
  if (!errors.is_ok()) return errors;
  policy = d.policy->id;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const DeclaredItem& item = d.items[i];
    items.push_back({outcomes[i].treatment.declared_value, item.quantity, item.tariff->hs,
                     std::string(item.origin), std::string(item.unit),
                     outcomes[i].treatment.status_after});
  }
  write_result(out, d, outcomes, std::string(number), Lane::kGreen, true);
  return Status::ok();
}

Status handle_declare(CommandContext& ctx, JsonWriter& out) {
  Declaration d;
  std::vector<ItemOutcome> outcomes;
  TaxTotals totals;
  if (Status errors = assess(ctx, d, outcomes, totals); !errors.is_ok()) return errors;

  const std::string number = declaration_number(ctx);
  post(ctx, d, outcomes);
  LaneInput lane_input;
  lane_input.movement = d.movement;
  lane_input.declarant = d.declarant->uscc;
  lane_input.credit_grade = d.declarant->credit_grade;
  lane_input.number = number;
  const RiskSettings& risk = d.policy->risk;
  const std::string secret = ctx.signing_key != nullptr && risk.draws()
                                 ? zone_selection_secret(*ctx.signing_key)
                                 : std::string();
  lane_input.secret = secret;
  const std::string date = format_date(ctx.local_date);
  lane_input.date = date;
  lane_input.channel = d.channel;
  lane_input.purpose = d.purpose_text;
  lane_input.currency = d.currency != nullptr ? std::string_view(d.currency->code) : "";
  const auto earlier = ctx.state.declarations_by_declarant.find(d.declarant);
  lane_input.first_time =
      earlier == ctx.state.declarations_by_declarant.end() || earlier->second.empty();
  for (size_t i = 0; i < d.items.size(); ++i) {
    const DeclaredItem& item = d.items[i];
    const int64_t value = outcomes[i].treatment.declared_value.fen;
    lane_input.items.push_back({item.tariff->hs, item.origin, item.unit,
                                d.policy->licence_required.contains(item.tariff->hs), value,
                                item.quantity.e4, outcomes[i].treatment.customs_value.fen,
                                outcomes[i].duty.fen, item.item});
    lane_input.declared_fen += value;
  }
  const LaneChoice choice = choose_lane(risk, lane_input, ctx.state.risk);
  const Lane lane = choice.lane;
  DeclarationRecord* added = ctx.state.declarations.add(ctx.seq);
  if (added == nullptr) std::abort();  // sequence numbers only rise: a bug if not
  DeclarationRecord& record = *added;
  record.date = ctx.local_date;
  record.prefix = &*ctx.state.prefixes.insert(ctx.pack.declaration_prefix).first;
  record.declarant = d.declarant;
  record.movement = d.movement;
  record.lane = lane;
  record.held = !lane_releases(lane);
  record.totals = totals;
  record.gross_e4 = d.gross_e4;
  if (!d.channel.empty()) record.channel = &*ctx.state.names.emplace(d.channel).first;
  record.lodged_at = ctx.at.unix_seconds;
  if (!record.held) record.released_at = ctx.at.unix_seconds;
  ctx.state.declarations_by_declarant[d.declarant].push_back(ctx.seq);
  ctx.state.taxes_by_day[ctx.local_date].add(totals);
  if (record.held) {
    // An inspection result may correct it: keep what was declared (without
    // the door's stamp, which is not the declaration's).
    std::string text;
    append_canonical_json_with(text, ctx.command, "received_at", nullptr);
    record.command = ctx.state.results.add(text);
    record.has_command = true;
  }
  if (!choice.reasons.empty()) {
    std::string reasons;
    for (const std::string& r : choice.reasons) reasons += (reasons.empty() ? "" : " ") + r;
    record.lane_reasons = &*ctx.state.names.insert(std::move(reasons)).first;
  }
  write_result(out, d, outcomes, number, lane);
  return Status::ok();
}

}  // namespace zg
