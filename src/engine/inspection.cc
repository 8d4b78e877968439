// inspection_result: what an officer found on a held declaration (red or
// yellow lane). Compliant, or a discrepancy; corrections of the items'
// fields (value, quantity, HS code, origin, unit, description, licence)
// re-assess the taxes as of the declaration's own time and rates, the
// result shows the new items and the difference, the day's tax totals and
// the goods' lots follow. Either finding releases it.

#include <algorithm>
#include <charconv>
#include <map>

#include "engine/handlers.h"

namespace zg {
namespace {

constexpr uint32_t kCorrectionsMax = 1000;

// The item fields an inspection may correct (the contract: "same item
// fields"). The item code is the goods' name in the book: not corrected.
constexpr std::string_view kCorrectable[] = {"value", "quantity",    "hs",     "origin",
                                             "unit",  "description", "licence"};

// A line's corrected fields, by name.
using Corrections = std::map<std::string, std::string, std::less<>>;

// An item object with `fields` replacing (or added to) its members.
void append_corrected_item(std::string& out, JsonRef item, const Corrections& fields) {
  out.push_back('{');
  bool first = true;
  const auto member = [&](std::string_view key) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, key);
    out.push_back(':');
  };
  for (JsonRef m : item) {
    member(m.key());
    if (const auto c = fields.find(m.key()); c != fields.end()) {
      append_json_string(out, c->second);
    } else {
      append_canonical_json(out, m);
    }
  }
  for (const auto& [key, value] : fields) {
    if (item.get(key).exists()) continue;
    member(key);
    append_json_string(out, value);
  }
  out.push_back('}');
}

// The declaration as declared, with the corrections in place.
std::string corrected_command(JsonRef original, const std::map<uint32_t, Corrections>& values) {
  std::string out = "{";
  bool first = true;
  for (JsonRef member : original) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, member.key());
    out.push_back(':');
    if (member.key() != "items" || !member.is_array()) {
      append_canonical_json(out, member);
      continue;
    }
    out.push_back('[');
    uint32_t line = 0;
    for (JsonRef item : member) {
      if (line > 0) out.push_back(',');
      const auto corrected = values.find(++line);
      if (corrected == values.end() || !item.is_object()) {
        append_canonical_json(out, item);
        continue;
      }
      append_corrected_item(out, item, corrected->second);
    }
    out.push_back(']');
  }
  return out + "}";
}

}  // namespace

Status handle_inspection_result(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const std::string_view number = f.string("declaration");
  const std::string_view finding = f.string("finding");
  if (!finding.empty() && finding != "compliant" && finding != "discrepancy") {
    f.fail(ErrorCode::kInvalidField, "finding", "finding is compliant or discrepancy");
  }
  std::map<uint32_t, Corrections> values;  // by line (1-based)
  std::map<uint32_t, std::string> paths;   // by line: "corrections[i]", for errors
  if (auto list = f.array("corrections", false, kCorrectionsMax)) {
    uint32_t index = 0;
    for (JsonRef c : *list) {
      const std::string path = "corrections[" + std::to_string(index++) + "]";
      if (!c.is_object()) {
        errors.add(ErrorCode::kInvalidField, path,
                   "a correction is an object {line, and the fields corrected}");
        continue;
      }
      Fields cf(c, path, errors);
      const JsonRef line = c.get("line");
      uint32_t n = 0;
      const std::string_view text = line.exists() ? line.text() : std::string_view();
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (!line.exists() || line.kind() != JsonKind::kNumber || ec != std::errc() ||
          end != text.data() + text.size() || n == 0) {
        cf.fail(ErrorCode::kInvalidField, "line", "line is the item's line number, from 1");
      }
      Corrections fields;
      for (JsonRef member : c) {
        const std::string_view key = member.key();
        if (key == "line") continue;
        if (std::find(std::begin(kCorrectable), std::end(kCorrectable), key) ==
            std::end(kCorrectable)) {
          cf.fail(ErrorCode::kInvalidField, key,
                  std::string(key.substr(0, 32)) +
                      " cannot be corrected (value, quantity, hs, origin, unit, description, "
                      "licence can)");
        } else if (!member.is_string() || member.text().empty()) {
          cf.fail(ErrorCode::kInvalidField, key,
                  std::string(key) + " must be a non-empty string, as in the declaration");
        } else {
          fields.emplace(std::string(key), std::string(member.text()));
        }
      }
      if (fields.empty() && c.size() == 1) {
        cf.fail(ErrorCode::kInvalidField, "", "a correction names at least one field to correct");
      }
      if (n > 0 && !fields.empty() && !values.emplace(n, std::move(fields)).second) {
        cf.fail(ErrorCode::kInvalidField, "line",
                "line " + std::to_string(n) + " is corrected twice");
      }
      if (n > 0) paths.emplace(n, path);
    }
  }
  if (!errors.is_ok()) return errors;
  if (finding == "compliant" && !values.empty()) {
    return Status(ErrorCode::kInvalidField, "corrections", "a compliant finding corrects nothing");
  }
  DeclarationRecord* record = ctx.state.find_declaration(number);
  if (record == nullptr) {
    return Status(ErrorCode::kUnknownDeclaration, "declaration",
                  "no declaration " + std::string(number.substr(0, 64)) + " in this zone");
  }
  if (!record->held || !record->has_command) {
    return Status(ErrorCode::kInvalidState, "declaration",
                  std::string(number) + " is not held for an inspection (it was released)");
  }
  if (ctx.at.unix_seconds < record->lodged_at) {
    return Status(ErrorCode::kInvalidField, "at",
                  "the inspection is dated before " + std::string(number) + " was lodged");
  }

  if (!values.empty()) {
    JsonDocument declared;
    if (Status s = declared.parse(ctx.state.results.get(record->command)); !s.is_ok()) return s;
    const uint32_t lines = declared.root().get("items").size();
    for (const auto& [line, value] : values) {
      if (line > lines) {
        return Status(ErrorCode::kInvalidField, paths[line] + ".line",
                      "line " + std::to_string(line) + ": " + std::string(number) + " has " +
                          std::to_string(lines) + " item lines");
      }
    }
    // The goods must still be as declared in the book: a value correction
    // is a lot's new value.
    Book& book = ctx.state.books.at(record->declarant->uscc);
    std::vector<size_t> lots;
    for (size_t i = 0; i < book.lots().size(); ++i) {
      const Lot& lot = book.lots()[i];
      if (lot.source_seq != record->seq) continue;
      if (lot.balance != lot.received) {
        return Status(ErrorCode::kInvalidState, "corrections",
                      "the goods of " + std::string(number) +
                          " have moved on in the account book since; declare the difference");
      }
      lots.push_back(i);
    }
    // Re-assessing uses the rates and the declarant's facts in the state:
    // a correction is refused once either has changed since it was declared.
    if (record->declarant->updated_seq > record->seq) {
      return Status(ErrorCode::kInvalidState, "corrections",
                    record->declarant->uscc + " was registered again since " + std::string(number) +
                        "; declare the difference");
    }
    const std::string_view currency = declared.root().get("currency").text();
    if (const auto rate = ctx.state.rate_overrides.find(rate_key(currency, month_of(record->date)));
        rate != ctx.state.rate_overrides.end() && rate->second.seq > record->seq) {
      return Status(ErrorCode::kInvalidState, "corrections",
                    "the customs rate of " + std::string(currency.substr(0, 3)) + " for " +
                        format_month(month_of(record->date)) + " was set since " +
                        std::string(number) + "; declare the difference");
    }
    JsonDocument corrected;
    if (Status s = corrected.parse(corrected_command(declared.root(), values)); !s.is_ok()) {
      return s;
    }
    // Re-assessed as of its own time and sequence number (the same version,
    // rates and overrides); errors name the correction's field.
    const JsonRef at = corrected.root().get("at");
    Result<Timestamp> when = parse_rfc3339(at.text());
    if (!when.is_ok()) return when.status();
    CommandContext then{ctx.state, ctx.pack,     corrected.root(), ctx.id,          at.text(),
                        *when,     record->date, record->seq,      ctx.signing_key, ctx.credentials,
                        {}};
    std::string fields;
    JsonWriter reassessed(fields);
    TaxTotals totals;
    std::vector<ReassessedItem> items;
    std::string policy;
    if (Status s = reassess_declaration(then, number, reassessed, totals, items, policy);
        !s.is_ok()) {
      // The corrected declaration's "items[k].value" is the correction of
      // line k + 1: "corrections[i].value", as the client wrote it.
      Status named;
      for (const Error& e : s.errors()) {
        std::string field = "corrections";
        uint32_t k = 0;
        const auto [end, ec] = std::from_chars(e.field.data() + std::min<size_t>(6, e.field.size()),
                                               e.field.data() + e.field.size(), k);
        if (e.field.starts_with("items[") && ec == std::errc() && *end == ']' &&
            paths.count(k + 1) != 0) {
          field = paths[k + 1] + std::string(end + 1, e.field.data() + e.field.size());
        } else if (!e.field.empty()) {
          field += "." + e.field;
        }
        named.add(e.code, std::move(field), e.message);
      }
      return named;
    }
    // The pack the zone runs may have another version in force on that day
    // than the declaration was assessed under: not the same assessment.
    JsonDocument original;
    if (Status s = original.parse(ctx.state.results.get(record->result)); !s.is_ok()) return s;
    if (const std::string_view was = original.root().get("policy").text(); was != policy) {
      return Status(ErrorCode::kInvalidState, "corrections",
                    std::string(number) + " was assessed under " + std::string(was) + ", and " +
                        policy + " is in force for its day now; declare the difference");
    }
    // Goods the corrections would put under another status (bonded goods
    // found to be taxable ones, say) are other goods: not corrected here.
    for (const auto& [line, corrected_fields] : values) {
      const size_t k = line - 1;
      if (k < lots.size() && k < items.size() &&
          items[k].status_after != book.lots()[lots[k]].status) {
        return Status(ErrorCode::kInvalidState, "corrections",
                      "line " + std::to_string(line) + ": corrected, the goods would be " +
                          std::string(goods_status_name(items[k].status_after)) + ", not " +
                          std::string(goods_status_name(book.lots()[lots[k]].status)) +
                          " as entered; declare the difference");
      }
    }
    // Accepted: the difference goes to the day's totals and the lots.
    const TaxTotals before = record->totals;
    TaxTotals& day = ctx.state.taxes_by_day[record->date];
    day.customs_value += totals.customs_value - before.customs_value;
    day.duty += totals.duty - before.duty;
    day.consumption_tax += totals.consumption_tax - before.consumption_tax;
    day.vat += totals.vat - before.vat;
    day.refund += totals.refund - before.refund;
    record->totals = totals;
    // An entry makes one lot per item, in item order: the corrected lines'
    // lots take what the inspection found — each change posted.
    for (const auto& [line, corrected_fields] : values) {
      const size_t k = line - 1;
      if (k >= lots.size() || k >= items.size()) continue;
      const ReassessedItem& found = items[k];
      book.reclassify(lots[k], found.hs, found.origin, found.unit, ctx.seq, ctx.at);
      book.correct_quantity(lots[k], found.quantity, ctx.seq, ctx.at);
      if (book.lots()[lots[k]].value != found.declared_value) {
        book.revalue(lots[k], found.declared_value, ctx.seq, ctx.at);
      }
    }
    out.raw(fields);  // the re-assessment's fields (declaration, items ...), in this object
    out.field("finding", finding);
    out.key("difference").begin_object();
    out.field_money("duty", totals.duty - before.duty);
    out.field_money("consumption_tax", totals.consumption_tax - before.consumption_tax);
    out.field_money("vat", totals.vat - before.vat);
    out.field_money("refund", totals.refund - before.refund);
    out.end_object();
  } else {
    out.field("declaration", number).field("finding", finding).field("release", "released");
  }
  // The declarant's record: criteria may watch those with discrepancies
  // found (docs/risk.md), and the findings are the learned score's labels.
  RiskState::Findings& findings = ctx.state.risk.findings[record->declarant->uscc];
  ++findings.inspections;
  if (finding == "discrepancy") ++findings.discrepancies;
  record->finding = finding == "discrepancy" ? 2 : 1;
  record->held = false;
  record->has_command = false;
  record->released_at = ctx.at.unix_seconds;
  return Status::ok();
}

}  // namespace zg
