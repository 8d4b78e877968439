#include "engine/snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <set>

#include "core/sha256.h"
#include "engine/snapshot_file.h"
#include "gate/plate.h"

namespace zg {
namespace {

constexpr std::string_view kMagic = "zonegate-snapshot 14\n";

// Fixed-width little-endian integers and length-prefixed strings. Whatever
// has collected is handed to `spill` each time it reaches `spill_bytes`
// (which may swap it for another buffer), and the buffer starts again
// empty: a snapshot of a large zone is hundreds of MiB, and never needs to
// be in memory whole.
class Encoder {
 public:
  // Takes what has collected: it may swap it for another (empty) buffer.
  using Spill = std::function<void(std::string&)>;

  Encoder(std::string& out, Spill spill, size_t spill_bytes)
      : out_(out), spill_(std::move(spill)), spill_bytes_(spill_bytes) {}
  void u64(uint64_t v) {
    char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    out_.append(bytes, 8);
    spill_if_full();
  }
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void str(std::string_view s) {
    u64(s.size());
    out_.append(s);
    spill_if_full();
  }
  void date(Date d) {
    i64(d.year);
    i64(d.month);
    i64(d.day);
  }

 private:
  void spill_if_full() {
    if (out_.size() >= spill_bytes_) {
      spill_(out_);
      out_.clear();
    }
  }
  std::string& out_;
  Spill spill_;
  size_t spill_bytes_;
};

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }
  uint64_t u64() {
    if (!need(8)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) {
      v |= static_cast<uint64_t>(static_cast<unsigned char>(in_[pos_ + static_cast<size_t>(i)]))
           << (8 * i);
    }
    pos_ += 8;
    return v;
  }
  int64_t i64() { return static_cast<int64_t>(u64()); }
  int small() { return static_cast<int>(i64()); }
  uint8_t u8() {
    if (!need(1)) return 0;
    return static_cast<uint8_t>(in_[pos_++]);
  }
  std::string_view str() {
    const uint64_t size = u64();
    if (!need(size)) return {};
    const std::string_view s = in_.substr(pos_, static_cast<size_t>(size));
    pos_ += static_cast<size_t>(size);
    return s;
  }
  Date date() {
    Date d{};
    d.year = small();
    d.month = small();
    d.day = small();
    return d;
  }
  // A count of records that must each take at least `min_bytes`: refuses
  // counts the rest of the file cannot hold (a damaged length).
  uint64_t count(size_t min_bytes) {
    const uint64_t n = u64();
    if (n > (in_.size() - pos_) / std::max<size_t>(min_bytes, 1)) ok_ = false;
    return ok_ ? n : 0;
  }

 private:
  bool need(uint64_t bytes) {
    if (!ok_ || bytes > in_.size() - pos_) ok_ = false;
    return ok_;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

void encode_totals(Encoder& e, const TaxTotals& t) {
  e.i64(t.count);
  for (Money m : {t.customs_value, t.duty, t.consumption_tax, t.vat, t.refund}) e.i64(m.fen);
}

TaxTotals decode_totals(Decoder& d) {
  TaxTotals t;
  t.count = d.i64();
  for (Money* m : {&t.customs_value, &t.duty, &t.consumption_tax, &t.vat, &t.refund})
    m->fen = d.i64();
  return t;
}

void encode_strings(Encoder& e, const std::vector<std::string>& list) {
  e.u64(list.size());
  for (const std::string& item : list) e.str(item);
}

bool decode_strings(Decoder& d, std::vector<std::string>& list) {
  for (uint64_t n = d.count(8); n > 0 && d.ok(); --n) list.emplace_back(d.str());
  return d.ok();
}

void encode_gate_events(Encoder& e, const GateEventLog& log) {
  e.u64(log.earlier);
  e.u64(log.latest.size());
  for (const DeclarationGateEvent& event : log.latest) {
    e.i64(event.at.unix_seconds);
    e.i64(event.at.offset_minutes);
    e.u64(event.seq);
    e.str(event.command);
    e.str(*event.channel);
    e.u8(static_cast<uint8_t>(event.direction));
    e.u8(event.open ? 1 : 0);
    e.str(event.reasons != nullptr ? *event.reasons : "");
  }
}

// Channel and reasons are interned in `names`, as the handler interns them.
bool decode_gate_events(Decoder& d, uint64_t last_seq, std::set<std::string>& names,
                        GateEventLog& log) {
  log.earlier = d.u64();
  const uint64_t count = d.count(50);  // an event is at least 50 bytes
  if (count > kGateEventsKept) return false;
  for (uint64_t n = count; n > 0 && d.ok(); --n) {
    DeclarationGateEvent event;
    event.at.unix_seconds = d.i64();
    event.at.offset_minutes = d.small();
    event.seq = d.u64();
    event.command = std::string(d.str());
    const std::string_view channel = d.str();
    const uint8_t direction = d.u8();
    const uint8_t open = d.u8();
    const std::string_view reasons = d.str();
    if (!d.ok() || channel.empty() || direction > static_cast<uint8_t>(gate::Direction::kOut) ||
        open > 1 || event.seq == 0 || event.seq > last_seq || (open == 1) != reasons.empty()) {
      return false;
    }
    event.channel = &*names.emplace(channel).first;
    event.direction = static_cast<gate::Direction>(direction);
    event.open = open == 1;
    if (!reasons.empty()) event.reasons = &*names.emplace(reasons).first;
    log.latest.push_back(std::move(event));
  }
  return d.ok();
}

void encode_risk(Encoder& e, const RiskState& r) {
  for (int64_t used : r.used_ppm) e.i64(used);
  for (uint64_t n : r.lanes) e.u64(n);
  e.u64(r.hits.size());
  for (const auto& [reason, h] : r.hits) {
    e.str(reason);
    e.u64(h.hits);
    e.u64(h.over_capacity);
  }
  e.u64(r.unit_values.size());
  for (const auto& [goods, history] : r.unit_values) {
    e.str(goods);
    e.u64(history.next);
    e.u64(history.recent.size());
    for (int64_t v : history.recent) e.i64(v);
  }
  e.u64(r.findings.size());
  for (const auto& [uscc, f] : r.findings) {
    e.str(uscc);
    e.u64(f.inspections);
    e.u64(f.discrepancies);
  }
}

Status decode_risk(Decoder& d, RiskState& r) {
  const auto damaged = [](const std::string& what) {
    return Status(ErrorCode::kCorruption, "", "the snapshot is damaged: " + what);
  };
  for (int64_t& used : r.used_ppm) {
    used = d.i64();
    if (used < 0) return damaged("a lane's capacity");
  }
  for (uint64_t& n : r.lanes) n = d.u64();
  for (uint64_t n = d.count(24); n > 0 && d.ok(); --n) {
    std::string reason(d.str());
    RiskState::Hits h;
    h.hits = d.u64();
    h.over_capacity = d.u64();
    if (h.over_capacity > h.hits) return damaged("a risk reason's counts");
    if (!r.hits.emplace(std::move(reason), h).second) return damaged("a risk reason twice");
  }
  for (uint64_t n = d.count(24); n > 0 && d.ok(); --n) {
    std::string goods(d.str());
    RiskState::UnitValues history;
    const uint64_t next = d.u64();
    const uint64_t values = d.count(8);
    if (values > 1000) return damaged("a unit-value history");  // the pack's longest
    for (uint64_t k = values; k > 0 && d.ok(); --k) history.recent.push_back(d.i64());
    if (next >= std::max<size_t>(history.recent.size(), 1)) return damaged("a unit-value history");
    history.next = static_cast<uint32_t>(next);
    if (!r.unit_values.emplace(std::move(goods), std::move(history)).second) {
      return damaged("a unit-value history twice");
    }
  }
  for (uint64_t n = d.count(24); n > 0 && d.ok(); --n) {
    std::string uscc(d.str());
    RiskState::Findings f;
    f.inspections = d.u64();
    f.discrepancies = d.u64();
    if (f.discrepancies > f.inspections || !r.findings.emplace(std::move(uscc), f).second) {
      return damaged("a declarant's findings");
    }
  }
  return Status::ok();
}

void encode_gates(Encoder& e, const GateState& g) {
  e.u64(g.permits.size());
  for (const auto& [plate, p] : g.permits) {
    e.str(p.plate);
    e.str(p.number);
    e.str(p.owner);
    encode_strings(e, p.drivers);
    for (Date date : {p.valid_from, p.valid_until, p.insurance_until}) e.date(date);
    e.u64(p.seq);
  }
  e.u64(g.permits_by_month.size());
  for (const auto& [month, count] : g.permits_by_month) {
    e.i64(month.year);
    e.i64(month.month);
    e.i64(count);
  }
  e.u64(g.travellers.size());
  for (const auto& [id, t] : g.travellers) {
    e.str(t.id);
    e.str(t.document_key);
    e.date(t.birth_date);
    encode_strings(e, t.categories);
    e.str(t.biometric_ref);
    e.date(t.valid_until);
    e.u64(t.credential_seq);
    e.u64(t.revoked_through_seq);
    e.u8(t.watch_listed ? 1 : 0);
    e.str(t.watch_reason);
    e.u8(t.inside ? 1 : 0);
  }
  e.u64(g.crossings.size());
  for (const auto& [key, hour] : g.crossings) {
    e.str(key.first);
    e.i64(key.second);
    e.i64(hour.open);
    e.i64(hour.stopped);
  }
  e.i64(g.traveller_open);
  e.i64(g.traveller_referred);
}

bool decode_gates(Decoder& d, GateState& g) {
  for (uint64_t n = d.count(32); n > 0 && d.ok(); --n) {
    gate::VehiclePermit p;
    p.plate = std::string(d.str());
    p.number = std::string(d.str());
    p.owner = std::string(d.str());
    if (!decode_strings(d, p.drivers)) return false;
    for (Date* date : {&p.valid_from, &p.valid_until, &p.insurance_until}) *date = d.date();
    p.seq = d.u64();
    // Keyed as the engine keys it (it looks permits up by the canonical plate).
    std::string key = gate::canonical_plate(p.plate);
    if (!g.permits.emplace(std::move(key), std::move(p)).second) return false;
  }
  for (uint64_t n = d.count(24); n > 0 && d.ok(); --n) {
    Month month{};
    month.year = d.small();
    month.month = d.small();
    g.permits_by_month[month] = d.small();
  }
  for (uint64_t n = d.count(64); n > 0 && d.ok(); --n) {
    Traveller t;
    t.id = std::string(d.str());
    t.document_key = std::string(d.str());
    t.birth_date = d.date();
    if (!decode_strings(d, t.categories)) return false;
    t.biometric_ref = std::string(d.str());
    t.valid_until = d.date();
    t.credential_seq = d.u64();
    t.revoked_through_seq = d.u64();
    t.watch_listed = d.u8() != 0;
    t.watch_reason = std::string(d.str());
    t.inside = d.u8() != 0;
    if (!g.traveller_by_document.emplace(t.document_key, t.id).second) return false;
    std::string id = t.id;
    if (!g.travellers.emplace(std::move(id), std::move(t)).second) return false;
  }
  for (uint64_t n = d.count(32); n > 0 && d.ok(); --n) {
    std::string channel(d.str());
    const int64_t hour = d.i64();
    ChannelHour& counts = g.crossings[{std::move(channel), hour}];
    counts.open = d.i64();
    counts.stopped = d.i64();
  }
  g.traveller_open = d.i64();
  g.traveller_referred = d.i64();
  return d.ok();
}

}  // namespace

// Friend of Engine: the only code that reads and restores its whole state.
class SnapshotCodec {
 public:
  // Appends the state to `out` and hands it to `spill` in pieces of about
  // `piece_bytes` (what is left in `out` at the end is the last piece).
  static void encode(const Engine& engine, const std::string& pack_hash,
                     const std::string& journal_leaf, std::string& out, Encoder::Spill spill,
                     size_t piece_bytes);
  static Status decode(std::string_view body, Engine& engine, SnapshotInfo& info);
};

void SnapshotCodec::encode(const Engine& engine, const std::string& pack_hash,
                           const std::string& journal_leaf, std::string& out, Encoder::Spill spill,
                           size_t piece_bytes) {
  const ZoneState& s = engine.state_;
  Encoder e(out, std::move(spill), piece_bytes);
  e.u64(s.last_seq);
  e.str(pack_hash);
  e.str(journal_leaf);
  e.u64(s.enterprises.size());
  for (const auto& [uscc, ent] : s.enterprises) {
    e.str(ent.uscc);
    e.str(ent.name);
    for (bool b : {ent.facts.legal_person, ent.facts.registered_in_zone,
                   ent.facts.duty_free_importer, ent.facts.encouraged_industry,
                   ent.facts.refund_eligible, ent.macao_funded, ent.high_tech}) {
      e.u8(b ? 1 : 0);
    }
    e.str(ent.credit_grade);
    e.u64(ent.registered_seq);
    e.u64(ent.updated_seq);
  }
  e.u64(s.books.size());
  for (const auto& [owner, book] : s.books) {
    e.str(owner);
    e.u64(book.lots().size());
    for (const Lot& lot : book.lots()) {
      e.u64(lot.id);
      e.str(lot.item);
      e.str(lot.hs);
      e.u8(static_cast<uint8_t>(lot.status));
      e.str(lot.unit);
      e.str(lot.origin);
      for (Quantity q : {lot.received, lot.removed, lot.adjusted, lot.balance}) e.i64(q.e4);
      for (Money m : {lot.value, lot.foreign_content, lot.domestic_content}) e.i64(m.fen);
      e.i64(lot.entered_at);
      e.date(lot.entered_date);
      e.u64(lot.source_seq);
      e.u8(lot.flagged ? 1 : 0);
    }
    e.u64(book.postings().size());
    for (const Posting& p : book.postings()) {
      e.u64(p.seq);
      e.i64(p.at.unix_seconds);
      e.i64(p.at.offset_minutes);
      e.u8(static_cast<uint8_t>(p.kind));
      e.u64(p.lot);
      e.i64(p.quantity.e4);
      e.i64(p.value.fen);
    }
  }
  e.u64(s.rate_overrides.size());
  for (const auto& [key, rate] : s.rate_overrides) {
    e.str(key);
    e.i64(rate.cny_per_unit.ppm);
    e.u64(rate.seq);
  }
  e.u64(s.declarations.size());
  for (const DeclarationRecord& d : s.declarations) {
    e.u64(d.seq);
    e.date(d.date);
    e.str(*d.prefix);
    e.str(d.declarant->uscc);
    e.u8(static_cast<uint8_t>(d.movement));
    e.u8(static_cast<uint8_t>(d.lane));
    e.u8(d.held ? 1 : 0);
    encode_totals(e, d.totals);
    e.i64(d.gross_e4);
    e.str(d.channel != nullptr ? *d.channel : "");
    for (int64_t t : {d.lodged_at, d.released_at, d.arrived_at, d.crossed_at}) e.i64(t);
    e.str(d.crossed_channel != nullptr ? *d.crossed_channel : "");
    e.str(d.lane_reasons != nullptr ? *d.lane_reasons : "");
    e.u8(d.finding);
    // A held declaration's command and result, which its inspection reads
    // (kept in memory for it, whichever way the engine keeps results).
    e.u64(d.has_command ? 1 : 0);
    e.str(d.has_command ? s.results.get(d.command) : std::string_view());
    e.str(d.has_command ? s.results.get(d.result) : std::string_view());
    encode_gate_events(e, d.gate_events);
  }
  // Each command's result is in the journal row at its seq, which the
  // snapshot's journal holds (a snapshot is taken of committed state).
  e.u64(s.applied.size());
  for (const CommandIndex::Entry& applied : s.applied.entries()) {
    e.str(s.applied.id(applied));
    e.str(std::string_view(reinterpret_cast<const char*>(applied.digest.data()),
                           applied.digest.size()));
    e.u64(applied.seq);
  }
  e.u64(s.taxes_by_day.size());
  for (const auto& [date, totals] : s.taxes_by_day) {
    e.date(date);
    encode_totals(e, totals);
  }
  encode_gates(e, s.gates);
  e.u64(s.cosignatures.size());
  for (const auto& [size, cosigned] : s.cosignatures) {
    e.u64(size);
    e.str(std::string_view(reinterpret_cast<const char*>(cosigned.root.data()), 32));
    e.i64(cosigned.timestamp_ms);
    e.u64(cosigned.cosignatures.size());
    for (const audit::Cosignature& c : cosigned.cosignatures) {
      e.str(std::string_view(reinterpret_cast<const char*>(c.witness.data()), c.witness.size()));
      e.str(
          std::string_view(reinterpret_cast<const char*>(c.signature.data()), c.signature.size()));
    }
  }
  e.u64(s.partners.size());
  for (const auto& [id, partner] : s.partners) {
    e.str(partner.id);
    e.str(partner.name);
    e.u64(partner.keys.size());
    for (const ZoneState::PartnerKey& k : partner.keys) {
      e.str(std::string_view(reinterpret_cast<const char*>(k.sign.data()), 32));
      e.str(std::string_view(reinterpret_cast<const char*>(k.box.data()), 32));
      e.u64(k.from_seq);
    }
    e.str(partner.inbox);
    e.u64(partner.received.size());
    for (const auto& [message, digest] : partner.received) {
      e.str(message);
      e.str(digest);
    }
  }
  e.u64(s.outbox.size());
  for (const auto& [key, m] : s.outbox) {
    for (const std::string* text : {&m.partner, &m.id, &m.kind, &m.at, &m.body}) e.str(*text);
    e.u64(m.seq);
  }
  e.u64(s.messages_delivered);
  e.u64(s.shared_head_size);
  e.u64(s.shared_head_seq);
  encode_risk(e, s.risk);
}

Status SnapshotCodec::decode(std::string_view body, Engine& engine, SnapshotInfo& info) {
  ZoneState& s = engine.state_;
  Decoder d(body);
  const auto damaged = [](const std::string& what) {
    return Status(ErrorCode::kCorruption, "", "the snapshot is damaged: " + what);
  };
  s.last_seq = d.u64();
  info.seq = s.last_seq;
  info.pack_hash = std::string(d.str());
  info.journal_leaf = std::string(d.str());
  for (uint64_t n = d.count(16); n > 0 && d.ok(); --n) {
    Enterprise ent;
    ent.uscc = std::string(d.str());
    ent.name = std::string(d.str());
    bool* flags[] = {&ent.facts.legal_person,
                     &ent.facts.registered_in_zone,
                     &ent.facts.duty_free_importer,
                     &ent.facts.encouraged_industry,
                     &ent.facts.refund_eligible,
                     &ent.macao_funded,
                     &ent.high_tech};
    for (bool* flag : flags) *flag = d.u8() != 0;
    ent.credit_grade = std::string(d.str());
    ent.registered_seq = d.u64();
    ent.updated_seq = d.u64();
    const std::string key = ent.uscc;
    s.enterprises.emplace(key, std::move(ent));
  }
  for (uint64_t n = d.count(8); n > 0 && d.ok(); --n) {
    const std::string owner(d.str());
    std::deque<Lot> lots;
    for (uint64_t k = d.count(64); k > 0 && d.ok(); --k) {
      Lot lot;
      lot.id = d.u64();
      lot.item = std::string(d.str());
      lot.hs = std::string(d.str());
      const uint8_t status = d.u8();
      if (status > static_cast<uint8_t>(GoodsStatus::kProduced)) return damaged("a goods status");
      lot.status = static_cast<GoodsStatus>(status);
      lot.unit = std::string(d.str());
      lot.origin = std::string(d.str());
      for (Quantity* q : {&lot.received, &lot.removed, &lot.adjusted, &lot.balance})
        q->e4 = d.i64();
      for (Money* m : {&lot.value, &lot.foreign_content, &lot.domestic_content}) m->fen = d.i64();
      lot.entered_at = d.i64();
      lot.entered_date = d.date();
      lot.source_seq = d.u64();
      lot.flagged = d.u8() != 0;
      if (lot.id != lots.size() + 1) return damaged("lot ids out of order");
      lots.push_back(std::move(lot));
    }
    std::deque<Posting> postings;
    for (uint64_t k = d.count(40); k > 0 && d.ok(); --k) {
      Posting p;
      p.seq = d.u64();
      p.at.unix_seconds = d.i64();
      p.at.offset_minutes = d.small();
      const uint8_t kind = d.u8();
      if (kind > static_cast<uint8_t>(PostingKind::kReclassification)) {
        return damaged("a posting kind");
      }
      p.kind = static_cast<PostingKind>(kind);
      p.lot = d.u64();
      p.quantity.e4 = d.i64();
      p.value.fen = d.i64();
      if (p.lot == 0 || p.lot > lots.size() || p.seq > s.last_seq) return damaged("a posting");
      postings.push_back(p);
    }
    if (s.enterprise(owner) == nullptr) return damaged("a book without its enterprise");
    auto [it, inserted] = s.books.try_emplace(owner, owner);
    if (!inserted) return damaged("a book twice");
    it->second.restore(std::move(lots), std::move(postings));
  }
  for (uint64_t n = d.count(24); n > 0 && d.ok(); --n) {
    const std::string key(d.str());
    RateOverride rate;
    rate.cny_per_unit.ppm = d.i64();
    rate.seq = d.u64();
    s.rate_overrides.emplace(key, rate);
  }
  const uint64_t declarations = d.count(64);
  s.declarations.reserve(static_cast<size_t>(declarations));
  for (uint64_t index = 0; index < declarations && d.ok(); ++index) {
    const uint64_t seq = d.u64();
    // In rising order, none past the journal's end.
    DeclarationRecord* added = seq > s.last_seq ? nullptr : s.declarations.add(seq);
    if (added == nullptr) return damaged("a declaration's sequence number");
    DeclarationRecord& r = *added;
    r.date = d.date();
    r.prefix = &*s.prefixes.insert(std::string(d.str())).first;
    r.declarant = s.enterprise(d.str());
    if (r.declarant == nullptr) return damaged("a declaration");
    const uint8_t movement = d.u8();
    if (movement > static_cast<uint8_t>(Movement::kSaleToIndividual)) return damaged("a movement");
    r.movement = static_cast<Movement>(movement);
    const uint8_t lane = d.u8();
    if (lane > static_cast<uint8_t>(Lane::kBlue)) return damaged("a lane");
    r.lane = static_cast<Lane>(lane);
    r.held = d.u8() != 0;
    r.totals = decode_totals(d);
    r.gross_e4 = d.i64();
    if (const std::string_view channel = d.str(); !channel.empty()) {
      r.channel = &*s.names.emplace(channel).first;
    }
    for (int64_t* t : {&r.lodged_at, &r.released_at, &r.arrived_at, &r.crossed_at}) *t = d.i64();
    if (const std::string_view channel = d.str(); !channel.empty()) {
      r.crossed_channel = &*s.names.emplace(channel).first;
    }
    if (const std::string_view reasons = d.str(); !reasons.empty()) {
      r.lane_reasons = &*s.names.emplace(reasons).first;
    }
    r.finding = d.u8();
    if (r.finding > 2) return damaged("a finding");
    r.has_command = d.u64() != 0;
    const std::string_view command = d.str();
    const std::string_view result = d.str();
    if (r.has_command) {
      if (command.empty() || result.empty()) return damaged("a held declaration");
      r.command = s.results.add(command);
      r.result = s.results.add(result);
    } else {
      r.result = ResultStore::kInJournal;
    }
    if (!decode_gate_events(d, s.last_seq, s.names, r.gate_events)) {
      return damaged("a declaration's gate events");
    }
    s.declarations_by_declarant[r.declarant].push_back(r.seq);
  }
  const uint64_t applied = d.count(24);
  s.applied.reserve(static_cast<size_t>(applied));
  uint64_t previous_seq = 0;
  DeclarationTable::Cursor declared_at(s.declarations);  // the seqs rise
  for (uint64_t n = applied; n > 0 && d.ok(); --n) {
    const std::string_view id = d.str();
    const std::string_view digest = d.str();
    const uint64_t seq = d.u64();
    if (digest.size() != 32) return damaged("a command digest");
    // Every accepted command took the next seq: they are 1..last_seq.
    if (seq != previous_seq + 1) return damaged("a command's sequence number");
    previous_seq = seq;
    std::array<unsigned char, 32> fingerprint{};
    std::memcpy(fingerprint.data(), digest.data(), 32);
    // A held declaration's result is in memory too; any other is read back
    // from the journal when its command is repeated.
    const DeclarationRecord* declared = declared_at.find(seq);
    const ResultStore::Ref result =
        declared != nullptr && declared->has_command ? declared->result : ResultStore::kInJournal;
    if (!s.applied.add(id, fingerprint, seq, result)) return damaged("a command id twice");
  }
  if (d.ok() && previous_seq != s.last_seq) return damaged("the number of commands");
  for (uint64_t n = d.count(48); n > 0 && d.ok(); --n) {
    const Date date = d.date();
    s.taxes_by_day[date] = decode_totals(d);
  }
  if (!decode_gates(d, s.gates)) return damaged("the gates' records");
  for (uint64_t n = d.count(16); n > 0 && d.ok(); --n) {
    ZoneState::CosignedHead& cosigned = s.cosignatures[d.u64()];
    const std::string_view root = d.str();
    if (root.size() != 32) return damaged("a cosigned head");
    std::memcpy(cosigned.root.data(), root.data(), 32);
    cosigned.timestamp_ms = d.i64();
    for (uint64_t k = d.count(96); k > 0 && d.ok(); --k) {
      const std::string_view witness = d.str(), signature = d.str();
      if (witness.size() != 32 || signature.size() != 64) return damaged("a cosignature");
      audit::Cosignature c;
      std::memcpy(c.witness.data(), witness.data(), 32);
      std::memcpy(c.signature.data(), signature.data(), 64);
      cosigned.cosignatures.push_back(c);
    }
  }
  for (uint64_t n = d.count(24); n > 0 && d.ok(); --n) {
    ZoneState::Partner partner;
    partner.id = std::string(d.str());
    partner.name = std::string(d.str());
    for (uint64_t k = d.count(80); k > 0 && d.ok(); --k) {
      ZoneState::PartnerKey key;
      const std::string_view sign = d.str(), box = d.str();
      if (sign.size() != 32 || box.size() != 32) return damaged("a partner's key");
      std::memcpy(key.sign.data(), sign.data(), 32);
      std::memcpy(key.box.data(), box.data(), 32);
      key.from_seq = d.u64();
      partner.keys.push_back(key);
    }
    if (partner.keys.empty()) return damaged("a partner without keys");
    partner.inbox = std::string(d.str());
    for (uint64_t k = d.count(16); k > 0 && d.ok(); --k) {
      std::string message(d.str());
      std::string digest(d.str());
      if (digest.size() != 32) return damaged("a received message's digest");
      partner.received.emplace(std::move(message), std::move(digest));
    }
    std::string id = partner.id;
    if (!s.partners.emplace(std::move(id), std::move(partner)).second) {
      return damaged("a partner twice");
    }
  }
  for (uint64_t n = d.count(48); n > 0 && d.ok(); --n) {
    ZoneState::OutgoingMessage m;
    for (std::string* text : {&m.partner, &m.id, &m.kind, &m.at, &m.body}) *text = d.str();
    m.seq = d.u64();
    if (!s.partners.contains(m.partner)) return damaged("a message for no partner");
    auto key = std::pair{m.partner, m.id};
    if (!s.outbox.emplace(std::move(key), std::move(m)).second) return damaged("a message twice");
  }
  s.messages_delivered = d.u64();
  s.shared_head_size = d.u64();
  s.shared_head_seq = d.u64();
  if (Status risk = decode_risk(d, s.risk); !risk.is_ok()) return risk;
  if (!d.ok() || !d.done()) return damaged("its contents end early or run on");
  if (s.books.size() != s.enterprises.size()) return damaged("an enterprise without its book");
  return Status::ok();
}

Status write_snapshot(const Engine& engine, const std::string& pack_hash,
                      const std::string& journal_leaf, const std::string& path, size_t piece_bytes,
                      SnapshotWriter writer, const std::string& reuse) {
  // Encoded a piece at a time; each is hashed here, then written (by the
  // file's own thread, unless told otherwise) while the next is encoded.
  // The file is the magic line, the state, and the SHA-256 of both.
  const std::string partial = path + ".partial";
  // Thrown by the spill once writing has failed (a full disk): the rest of
  // a large state is not encoded for nothing.
  struct WritingFailed {};
  std::string failure;
  try {
    SnapshotFile file(partial, writer == SnapshotWriter::kOwnThread, reuse);
    if (!file.failure().empty()) {  // not even made: no need to encode a large state first
      return Status(ErrorCode::kIoError, "", "cannot write " + partial + ": " + file.failure());
    }
    try {
      std::string bytes(kMagic);
      SnapshotCodec::encode(
          engine, pack_hash, journal_leaf, bytes,
          [&](std::string& piece) {
            if (file.failed()) throw WritingFailed{};
            file.append(piece);
          },
          piece_bytes);
      file.append(bytes);
    } catch (const WritingFailed&) {
      // finish() reports what failed
    }
    failure = file.finish();
  } catch (...) {  // out of memory, say: no part file is left behind
    ::unlink(partial.c_str());
    throw;
  }
  if (!failure.empty() || std::rename(partial.c_str(), path.c_str()) != 0) {
    ::unlink(partial.c_str());
    return Status(ErrorCode::kIoError, "",
                  "cannot write " + (failure.empty() ? path : partial + ": " + failure));
  }
  // The directory is synced too, so the renames last: after a crash the
  // snapshot is under its name, and an older file written over is no
  // longer under its own.
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)::fsync(fd);  // best effort: the file itself is synced and whole
    ::close(fd);
  }
  return Status::ok();
}

namespace {

// A snapshot file open for reading: checked with plain reads, then mapped.
class SnapshotReader {
 public:
  // (O_NONBLOCK: a FIFO named like a snapshot must not hang start-up.)
  explicit SnapshotReader(const std::string& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)),
        open_error_(fd_ < 0 ? errno : 0) {}
  ~SnapshotReader() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  SnapshotReader(const SnapshotReader&) = delete;
  SnapshotReader& operator=(const SnapshotReader&) = delete;

  // The file's size; an error when it could not be opened or is not a
  // regular file.
  Result<size_t> size() const {
    if (fd_ < 0) return Result<size_t>(ErrorCode::kIoError, "", std::strerror(open_error_));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      return Result<size_t>(ErrorCode::kIoError, "", std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) return Result<size_t>(ErrorCode::kIoError, "", "not a file");
    return static_cast<size_t>(st.st_size);
  }

  // Reads `n` bytes at `offset` into `out`: "" or why not.
  std::string read(size_t offset, size_t n, std::string& out) const {
    out.resize(n);
    size_t done = 0;
    while (done < n) {
      const ssize_t got =
          ::pread(fd_, out.data() + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return got < 0 ? std::strerror(errno) : "the file ended early";
      done += static_cast<size_t>(got);
    }
    return "";
  }

  // The first `n` bytes, mapped read-only (and read in now): the state is
  // decoded from the page cache in place, rather than from a buffer the
  // snapshot's size, which would be that much fresh memory, the dearest
  // part of recovery on a VM whose host takes free memory back
  // (bench/first_touch.cc). Empty when the mapping failed (errno says why).
  //
  // A page that must be read from disk again while decoding (evicted since
  // the hash was checked) and cannot be, or a file truncated meanwhile,
  // ends the process with SIGBUS: a window left open, far narrower than
  // mapping unchecked. (A snapshot is replaced by rename; the only one ever
  // written over is one a newer snapshot drops, which another process reads
  // only if that newer one is damaged: DataDir::snapshot.)
  std::string_view map(size_t n) {
    void* at = ::mmap(nullptr, n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd_, 0);
    if (at == MAP_FAILED) return {};
    data_ = static_cast<const char*>(at);
    size_ = n;
    return {data_, n};
  }

 private:
  int fd_;
  int open_error_;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

Result<SnapshotInfo> read_snapshot(const std::string& path, Engine& engine) {
  SnapshotReader file(path);
  const Result<size_t> size = file.size();
  if (!size.is_ok()) {
    return Result<SnapshotInfo>(ErrorCode::kIoError, "",
                                "cannot read " + path + ": " + size.status().first().message);
  }
  std::string buffer;
  if (*size >= kMagic.size() + 32) {
    if (const std::string error = file.read(0, kMagic.size(), buffer); !error.empty()) {
      return Result<SnapshotInfo>(ErrorCode::kIoError, "", "cannot read " + path + ": " + error);
    }
  }
  // Another format of ours (a snapshot an older zonegate wrote): the
  // journal is replayed instead, so it is skipped and says why.
  constexpr std::string_view kMagicWord = "zonegate-snapshot ";
  if (*size >= kMagic.size() + 32 && buffer != kMagic && buffer.starts_with(kMagicWord) &&
      buffer.back() == '\n') {
    return Result<SnapshotInfo>(
        ErrorCode::kUnsupportedFormat, "",
        path + " is a snapshot of format " +
            buffer.substr(kMagicWord.size(), buffer.size() - kMagicWord.size() - 1) +
            "; this zonegate reads format " +
            std::string(kMagic.substr(kMagicWord.size(), kMagic.size() - kMagicWord.size() - 1)));
  }
  if (*size < kMagic.size() + 32 || buffer != kMagic) {
    return Result<SnapshotInfo>(ErrorCode::kCorruption, "", path + " is not a Zonegate snapshot");
  }
  // The hash is checked with plain reads, in pieces: a disk's read error is
  // then an error that start-up reports (and it falls back to an older
  // snapshot or the journal), where through a mapping it would end the
  // process with SIGBUS, at every restart. The reads leave the file in the
  // page cache for the mapping below.
  const size_t content = *size - 32;
  Sha256 hash;
  for (size_t at = 0; at < content; at += kSnapshotPieceBytes) {
    const std::string error = file.read(at, std::min(kSnapshotPieceBytes, content - at), buffer);
    if (!error.empty()) {
      return Result<SnapshotInfo>(ErrorCode::kIoError, "", "cannot read " + path + ": " + error);
    }
    hash.update(buffer);
  }
  const Digest digest = hash.finish();
  std::string seal;
  if (const std::string error = file.read(content, 32, seal); !error.empty()) {
    return Result<SnapshotInfo>(ErrorCode::kIoError, "", "cannot read " + path + ": " + error);
  }
  if (std::memcmp(digest.data(), seal.data(), 32) != 0) {
    return Result<SnapshotInfo>(ErrorCode::kCorruption, "",
                                path + " is damaged: its hash does not match its contents");
  }
  buffer = std::string();  // its memory back before the state's is taken
  const std::string_view bytes = file.map(content);
  if (bytes.empty()) {
    const int error = errno;
    return Result<SnapshotInfo>(ErrorCode::kIoError, "",
                                "cannot map " + path + ": " + std::strerror(error));
  }
  SnapshotInfo info;
  Status status = SnapshotCodec::decode(bytes.substr(kMagic.size()), engine, info);
  if (!status.is_ok()) {
    return Result<SnapshotInfo>(ErrorCode::kCorruption, "", path + ": " + status.first().message);
  }
  return info;
}

}  // namespace zg
