#include "api/views.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "api/problem.h"
#include "core/json.h"
#include "engine/book_json.h"

namespace zg::api {
namespace {

HttpResponse json_response(std::string body) {
  HttpResponse response;
  response.body = std::move(body);
  return response;
}

HttpResponse no_enterprise(std::string_view uscc) {
  return problem(404, "unknown_enterprise",
                 "enterprise " + std::string(uscc) + " is not registered in this zone");
}

bool matches(const DeclarationRecord& d, const DeclarationFilter& f) {
  if (d.seq == 0) return false;
  if (d.date < f.from || f.to < d.date) return false;
  if (f.movement && d.movement != *f.movement) return false;
  if (f.lane && d.lane != *f.lane) return false;
  if (f.held && d.held != *f.held) return false;
  return true;
}

// A sequence-number cursor ("" from the start); nullopt when it is not one
// (a client looping over pages must not be sent back to the first).
std::optional<uint64_t> seq_cursor(std::string_view after) {
  uint64_t seq = 0;
  const auto [end, ec] = std::from_chars(after.data(), after.data() + after.size(), seq);
  if (!after.empty() && (ec != std::errc() || end != after.data() + after.size())) {
    return std::nullopt;
  }
  return seq;
}

HttpResponse bad_cursor(std::string_view after) {
  return problem(400, "invalid_parameter",
                 "after \"" + std::string(after.substr(0, 40)) +
                     "\" is not a cursor this list gave (use its \"next\")");
}

// Ends a list: `next` is the cursor of the following page, or null.
void end_list(JsonWriter& w, const std::string& next) {
  w.end_array().field_or_null("next", next).end_object();
}

void write_enterprise(JsonWriter& w, const Enterprise& e, const RiskState& risk) {
  const auto found = risk.findings.find(e.uscc);
  const RiskState::Findings findings =
      found == risk.findings.end() ? RiskState::Findings{} : found->second;
  w.begin_object()
      .field("uscc", e.uscc)
      .field("name", e.name)
      .field_bool("legal_person", e.facts.legal_person)
      .field_bool("registered_in_zone", e.facts.registered_in_zone)
      .field_bool("macao_funded", e.macao_funded)
      .field_bool("high_tech", e.high_tech)
      .field_bool("duty_free_importer", e.facts.duty_free_importer)
      .field_bool("encouraged_industry", e.facts.encouraged_industry)
      .field("credit_grade", e.credit_grade)
      .field("registered_seq", static_cast<int64_t>(e.registered_seq))
      // Its inspections' findings (inspection_result): criteria may watch
      // declarants with discrepancies found (docs/risk.md).
      .field("inspections", static_cast<int64_t>(findings.inspections))
      .field("discrepancies", static_cast<int64_t>(findings.discrepancies))
      .end_object();
}

// One member of a book's JSON ("lots" or "postings"), parsed.
struct BookPart {
  JsonDocument document;
  JsonRef part;
};
bool book_part(const Engine& engine, std::string_view uscc, std::string_view member,
               BookPart& out) {
  Result<std::string> book = engine.book_json(uscc);
  if (!book.is_ok() || !out.document.parse(*book).is_ok()) return false;
  out.part = out.document.root().get(member);
  return out.part.is_array();
}

// Each space-separated word of `words` as a string of an array.
void write_words(JsonWriter& w, std::string_view words) {
  w.begin_array();
  while (!words.empty()) {
    const size_t space = std::min(words.find(' '), words.size());
    w.string(words.substr(0, space));
    words.remove_prefix(std::min(space + 1, words.size()));
  }
  w.end_array();
}

// The trucks that presented a declaration, oldest first, in the words of
// gate_arrival's result; how many earlier ones are no longer kept. The
// gate's command (its id, its place in the journal) is the zone's: a gate
// may name its commands after a plate or a driver, and a truck carries
// other declarants' goods, so a declarant sees when, where and what.
void write_gate_events(JsonWriter& w, const GateEventLog& log, bool zone_role) {
  w.key("gate_events").begin_array();
  for (const DeclarationGateEvent& event : log.latest) {
    w.begin_object().field("at", format_rfc3339(event.at));
    if (zone_role) w.field("seq", static_cast<int64_t>(event.seq)).field("command", event.command);
    w.field("channel", *event.channel)
        .field("direction", gate::direction_name(event.direction))
        .field("decision", event.open ? "open" : "hold");
    w.key("reasons");
    write_words(w, event.reasons != nullptr ? std::string_view(*event.reasons) : "");
    w.end_object();
  }
  w.end_array().field("gate_events_earlier", static_cast<int64_t>(log.earlier));
}

}  // namespace

HttpResponse declarations_view(const Engine& engine, const DeclarationFilter& filter,
                               const Page& page) {
  const ZoneState& state = engine.state();
  const std::optional<uint64_t> cursor = seq_cursor(page.after);
  if (!cursor) return bad_cursor(page.after);
  const uint64_t after = *cursor;
  std::vector<const DeclarationRecord*> found;
  bool more = false;
  // False once the page is full and one more matches (so there is a next page).
  const auto consider = [&](const DeclarationRecord& d) {
    if (d.seq <= after || !matches(d, filter)) return true;
    if (found.size() == page.limit) {
      more = true;
      return false;
    }
    found.push_back(&d);
    return true;
  };
  if (!filter.declarant.empty()) {
    const Enterprise* enterprise = state.enterprise(filter.declarant);
    auto it = enterprise == nullptr ? state.declarations_by_declarant.end()
                                    : state.declarations_by_declarant.find(enterprise);
    if (it != state.declarations_by_declarant.end()) {
      const std::vector<uint64_t>& seqs = it->second;
      for (auto s = std::upper_bound(seqs.begin(), seqs.end(), after); s != seqs.end(); ++s) {
        if (!consider(*state.declarations.find(*s))) break;
      }
    }
  } else {
    for (auto d = state.declarations.after(after); d != state.declarations.end(); ++d) {
      if (!consider(*d)) break;
    }
  }
  std::string body;
  JsonWriter w(body);
  w.begin_object().key("items").begin_array();
  for (const DeclarationRecord* d : found) {
    w.begin_object();
    write_declaration_summary(w, *d);
    w.end_object();
  }
  end_list(w, more ? std::to_string(found.back()->seq) : "");
  return json_response(std::move(body));
}

HttpResponse declaration_view(const Engine& engine, std::string_view number,
                              const Principal& principal) {
  const DeclarationRecord* d = engine.state().find_declaration(number);
  if (d == nullptr) {
    return problem(404, "unknown_declaration",
                   "declaration " + std::string(number) + " does not exist in this zone");
  }
  if (principal.role == Role::kEnterprise && d->declarant->uscc != principal.uscc) {
    return problem(403, "wrong_tenant",
                   "declaration " + std::string(number) + " is not this token's enterprise's");
  }
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  write_declaration_summary(w, *d);
  // Why the lane: for the zone's officers, auditors and admins only.
  if (principal.role != Role::kEnterprise && principal.role != Role::kGate &&
      d->lane_reasons != nullptr) {
    w.key("lane_reasons");
    write_words(w, *d->lane_reasons);
  }
  write_gate_events(w, d->gate_events, principal.role != Role::kEnterprise);
  Result<std::string> result = engine.stored_result(d->result, d->seq);
  if (!result.is_ok()) {
    return problem(503, "unavailable",
                   "declaration " + std::string(number) +
                       ": its result cannot be read now: " + result.status().first().message);
  }
  w.key("result").raw(*result).end_object();
  return json_response(std::move(body));
}

HttpResponse enterprises_view(const Engine& engine, const Page& page) {
  std::vector<const Enterprise*> all;
  all.reserve(engine.state().enterprises.size());
  for (const auto& [uscc, e] : engine.state().enterprises) {
    if (uscc > page.after) all.push_back(&e);
  }
  std::sort(all.begin(), all.end(),
            [](const Enterprise* a, const Enterprise* b) { return a->uscc < b->uscc; });
  std::string body;
  JsonWriter w(body);
  w.begin_object().key("items").begin_array();
  const size_t n = std::min(all.size(), page.limit);
  for (size_t i = 0; i < n; ++i) write_enterprise(w, *all[i], engine.state().risk);
  end_list(w, all.size() > n ? all[n - 1]->uscc : "");
  return json_response(std::move(body));
}

HttpResponse enterprise_view(const Engine& engine, std::string_view uscc) {
  const Enterprise* e = engine.state().enterprise(uscc);
  if (e == nullptr) return no_enterprise(uscc);
  std::string body;
  JsonWriter w(body);
  write_enterprise(w, *e, engine.state().risk);
  return json_response(std::move(body));
}

HttpResponse book_view(const Engine& engine, std::string_view uscc) {
  Result<std::string> book = engine.book_json(uscc);
  if (!book.is_ok()) return no_enterprise(uscc);
  return json_response(std::move(book).value());
}

HttpResponse lots_view(const Engine& engine, std::string_view uscc) {
  BookPart lots;
  if (!book_part(engine, uscc, "lots", lots)) return no_enterprise(uscc);
  std::string body;
  JsonWriter w(body);
  std::string items;
  append_canonical_json(items, lots.part);
  w.begin_object().key("items").raw(items).end_object();
  return json_response(std::move(body));
}

HttpResponse postings_view(const Engine& engine, std::string_view uscc, const Page& page) {
  BookPart postings;
  if (!book_part(engine, uscc, "postings", postings)) return no_enterprise(uscc);
  // The cursor is the count of postings already read (a book only grows).
  const std::optional<uint64_t> cursor = seq_cursor(page.after);
  if (!cursor) return bad_cursor(page.after);
  const uint64_t skip = *cursor;
  std::string body;
  JsonWriter w(body);
  w.begin_object().key("items").begin_array();
  uint64_t index = 0;
  size_t written = 0;
  std::string posting;
  for (JsonRef p : postings.part) {
    if (index++ < skip) continue;
    if (written == page.limit) break;
    posting.clear();
    append_canonical_json(posting, p);
    w.raw(posting);
    ++written;
  }
  const uint64_t read = skip + written;
  end_list(w, read < postings.part.size() ? std::to_string(read) : "");
  return json_response(std::move(body));
}

HttpResponse taxes_view(const Engine& engine, Date from, Date to) {
  std::string body;
  JsonWriter w(body);
  w.begin_object().key("days").begin_array();
  TaxTotals total;
  for (const auto& [date, day] : engine.state().taxes_by_day) {
    if (date < from || to < date) continue;
    total.add(day);
    w.begin_object().field("date", format_date(date)).field("count", day.count);
    write_tax_totals(w, day);
    w.end_object();
  }
  w.end_array().key("total").begin_object().field("date", "total").field("count", total.count);
  write_tax_totals(w, total);
  w.end_object().end_object();
  return json_response(std::move(body));
}

HttpResponse gate_figures_view(const Engine& engine, const FigureRange& range) {
  return json_response(gate_figures_json(engine.state(), engine.pack().utc_offset_minutes, range));
}

HttpResponse rates_view(const Engine& engine, std::string_view currency,
                        std::optional<Month> month) {
  struct Row {
    std::string currency;
    Month month;
    Rate rate;
    std::string source, rule;
  };
  std::vector<Row> rows;
  const ZoneState& state = engine.state();
  const auto wanted = [&](std::string_view c, Month m) {
    return (currency.empty() || c == currency) && (!month || m == *month);
  };
  for (const auto& version : engine.pack().versions) {
    version->exchange_rates.for_each([&](std::string_view c, Month m, Rate rate) {
      if (!wanted(c, m)) return;
      // The version in force in that month decides it (a later version
      // may restate a month an earlier one had).
      const PolicyVersion* in_force = engine.pack().in_force(Date{m.year, m.month, 1});
      if (in_force != nullptr && in_force != version.get()) return;
      const std::string key = std::string(c) + " " + format_month(m);
      Row row{std::string(c), m, rate, "pack", "fx/" + std::string(c) + "/" + format_month(m)};
      if (auto o = state.rate_overrides.find(key); o != state.rate_overrides.end()) {
        row.rate = o->second.cny_per_unit;
        row.source = "set_rate";
        row.rule += "@set_rate/" + std::to_string(o->second.seq);
      }
      rows.push_back(std::move(row));
    });
  }
  // Overrides for months the pack has no rate for.
  for (const auto& [key, o] : state.rate_overrides) {
    const std::string c = key.substr(0, 3);
    Result<Month> m = parse_month(key.substr(4));
    if (!m.is_ok() || !wanted(c, *m)) continue;
    const bool listed = std::any_of(rows.begin(), rows.end(),
                                    [&](const Row& r) { return r.currency == c && r.month == *m; });
    if (!listed) {
      rows.push_back(
          Row{c, *m, o.cny_per_unit, "set_rate",
              "fx/" + c + "/" + format_month(*m) + "@set_rate/" + std::to_string(o.seq)});
    }
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.month != b.month ? a.month < b.month : a.currency < b.currency;
  });
  std::string body;
  JsonWriter w(body);
  w.begin_object().key("items").begin_array();
  for (const Row& r : rows) {
    w.begin_object()
        .field("currency", r.currency)
        .field("month", format_month(r.month))
        .field("cny_per_unit", format_rate(r.rate))
        .field("source", r.source)
        .field("rule", r.rule)
        .end_object();
  }
  w.end_array().end_object();
  return json_response(std::move(body));
}

HttpResponse policy_view(const PolicyPack& pack, std::string_view pack_hash, Date today) {
  const PolicyVersion* in_force = pack.in_force(today);
  std::string body;
  JsonWriter w(body);
  w.begin_object()
      .field("zone_id", pack.zone_id)
      .field("zone_name", pack.zone_name)
      .field("pack_hash", pack_hash)
      .field_or_null("in_force", in_force == nullptr ? "" : in_force->id);
  w.key("versions").begin_array();
  for (const auto& v : pack.versions) {
    w.begin_object()
        .field("id", v->id)
        .field("effective_from", format_date(v->effective_from))
        .field_bool("in_force", v.get() == in_force)
        .end_object();
  }
  w.end_array().end_object();
  return json_response(std::move(body));
}

}  // namespace zg::api
