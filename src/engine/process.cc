// process: inputs consumed first in, first out; outputs produced, carrying
// the foreign (M) and domestic (D) content of everything consumed.
#include "core/identifiers.h"
#include "engine/engine.h"
#include "engine/handlers.h"

namespace zg {
namespace {

struct Take {
  std::string_view item;
  Quantity quantity;
};

struct Output {
  std::string_view item, hs, unit, description;
  Quantity quantity;
  std::optional<int64_t> share_ppm;
  const TariffLine* tariff = nullptr;
};

// Each entry of `key` as an object with its own Fields; calls read(fields, index).
template <class Read>
void for_each_entry(Fields& f, Status& errors, std::string_view key, bool required, Read read) {
  auto list = f.array(key, required, kProcessLinesMax);
  if (!list) return;
  uint32_t index = 0;
  for (JsonRef entry : *list) {
    const std::string path = f.path_of(key) + "[" + std::to_string(index) + "]";
    if (!entry.is_object()) {
      errors.add(ErrorCode::kInvalidField, path, path + " must be an object");
    } else {
      Fields entry_fields(entry, path, errors);
      read(entry_fields, index);
    }
    ++index;
  }
}

void read_takes(Fields& f, Status& errors, std::string_view key, bool required,
                std::vector<Take>& out) {
  for_each_entry(f, errors, key, required, [&](Fields& e, uint32_t) {
    Take take;
    take.item = e.string("item");
    const auto quantity = e.fixed("quantity", kQuantityScale, kQuantityE4Max, true, true);
    if (quantity) take.quantity.e4 = *quantity;
    out.push_back(take);
  });
}

// The content each output carries: by content_share when given (all or
// none), else by quantity (all outputs in one unit).
Status shares_of(const std::vector<Output>& outputs, std::vector<int64_t>& weights) {
  size_t with_share = 0;
  int64_t share_sum = 0;
  for (const Output& o : outputs) {
    if (o.share_ppm) {
      ++with_share;
      share_sum += *o.share_ppm;
    }
  }
  if (with_share == outputs.size()) {
    if (share_sum != kPpmPerUnit) {
      return Status(ErrorCode::kInvalidField, "outputs",
                    "content_share of the outputs sums to " + format_rate(Rate{share_sum}) +
                        "; it must sum to 1");
    }
    for (const Output& o : outputs) weights.push_back(*o.share_ppm);
    return Status::ok();
  }
  if (with_share != 0) {
    return Status(ErrorCode::kInvalidField, "outputs",
                  "give content_share for every output or for none");
  }
  for (const Output& o : outputs) {
    if (o.unit != outputs.front().unit) {
      return Status(ErrorCode::kInvalidField, "outputs",
                    "outputs in different units (" + std::string(outputs.front().unit) + ", " +
                        std::string(o.unit) + ") need a content_share each");
    }
    weights.push_back(o.quantity.e4);
  }
  return Status::ok();
}

}  // namespace

Status handle_process(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const Enterprise* enterprise = enterprise_field(ctx, f, "enterprise", true);
  const PolicyVersion* policy = policy_in_force(ctx, errors);
  std::vector<Take> inputs, losses;
  read_takes(f, errors, "inputs", true, inputs);
  read_takes(f, errors, "losses", false, losses);
  std::vector<Output> outputs;
  for_each_entry(f, errors, "outputs", true, [&](Fields& e, uint32_t) {
    Output o;
    o.item = e.string("item");
    o.hs = e.string("hs");
    o.unit = e.string("unit");
    o.description = e.string("description", false);
    const auto quantity = e.fixed("quantity", kQuantityScale, kQuantityE4Max, true, true);
    if (quantity) o.quantity.e4 = *quantity;
    o.share_ppm = e.fixed("content_share", kRateScale, kPpmPerUnit, false, false);
    if (!o.hs.empty()) {
      Status valid = validate_hs_code(o.hs);
      if (!valid.is_ok()) {
        e.fail(ErrorCode::kInvalidField, "hs", valid.first().message);
      } else if (policy != nullptr) {
        o.tariff = policy->tariff.find(o.hs);
        if (o.tariff == nullptr) {
          e.fail(ErrorCode::kUnknownHsCode, "hs",
                 "HS code " + std::string(o.hs) + " is not in the tariff in force on " +
                     format_date(ctx.local_date));
        } else if (!o.unit.empty() && o.unit != o.tariff->unit) {
          e.fail(ErrorCode::kUnitMismatch, "unit",
                 "HS " + o.tariff->hs + " is declared in " + o.tariff->unit + ", not " +
                     std::string(o.unit));
        }
      }
    }
    outputs.push_back(o);
  });
  if (!errors.is_ok()) return errors;
  std::vector<int64_t> weights;
  errors = shares_of(outputs, weights);
  if (!errors.is_ok()) return errors;

  // Plan every draw (inputs, then losses) and add up what they carry.
  Book& book = ctx.state.books.at(enterprise->uscc);
  DrawPlan plan(book);
  std::vector<Draw> draws;
  Money foreign, domestic;
  const auto take_all = [&](const std::vector<Take>& takes, std::string_view key) {
    for (size_t i = 0; i < takes.size(); ++i) {
      Result<Draw> draw = plan.take(takes[i].item, takes[i].quantity);
      if (!draw.is_ok()) {
        const Error& e = draw.status().first();
        errors.add(e.code,
                   std::string(key) + "[" + std::to_string(i) + "]" +
                       (e.code == ErrorCode::kUnknownItem ? ".item" : ".quantity"),
                   e.message);
        continue;
      }
      foreign += draw->foreign_content;
      domestic += draw->domestic_content;
      draws.push_back(std::move(draw).value());
    }
  };
  take_all(inputs, "inputs");
  take_all(losses, "losses");
  if (!errors.is_ok()) return errors;

  const std::vector<Money> m = allocate_largest_remainder(foreign, weights);
  const std::vector<Money> d = allocate_largest_remainder(domestic, weights);
  out.field("enterprise", enterprise->uscc);
  out.key("consumed").begin_array();
  for (const Draw& draw : draws) {
    for (const DrawPortion& portion : draw.portions) {
      const Lot& lot = book.lots()[portion.lot_index];
      out.begin_object()
          .field("item", lot.item)
          .field("lot", static_cast<int64_t>(lot.id))
          .field("quantity", format_quantity(portion.quantity))
          .field("goods_status", goods_status_name(lot.status))
          .field_money("customs_value", portion.value)
          .field_money("foreign_content", portion.foreign_content)
          .field_money("domestic_content", portion.domestic_content)
          .end_object();
    }
  }
  out.end_array();
  for (const Draw& draw : draws) book.apply(draw, ctx.seq, ctx.at);
  out.key("produced").begin_array();
  for (size_t i = 0; i < outputs.size(); ++i) {
    Lot lot;
    lot.item = std::string(outputs[i].item);
    lot.hs = outputs[i].tariff->hs;
    lot.status = GoodsStatus::kProduced;
    lot.unit = std::string(outputs[i].unit);
    lot.origin = "CN";
    lot.received = outputs[i].quantity;
    lot.foreign_content = m[i];
    lot.domestic_content = d[i];
    lot.value = m[i] + d[i];
    lot.entered_at = ctx.at.unix_seconds;
    lot.entered_date = ctx.local_date;
    lot.source_seq = ctx.seq;
    const size_t index = book.receive(std::move(lot), ctx.seq, ctx.at);
    const Lot& made = book.lots()[index];
    out.begin_object()
        .field("item", made.item)
        .field("lot", static_cast<int64_t>(made.id))
        .field("hs", made.hs)
        .field("quantity", format_quantity(made.received))
        .field("goods_status", "produced")
        .field_money("foreign_content", made.foreign_content)
        .field_money("domestic_content", made.domestic_content)
        .end_object();
  }
  out.end_array();
  return Status::ok();
}

}  // namespace zg
