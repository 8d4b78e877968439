// The zone's state: a pure function of the accepted commands, in order.
//
// Owned by the Engine; single-threaded (one writer per zone).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "assess/treatment.h"
#include "audit/tree_head.h"
#include "core/decimal.h"
#include "core/stable_vector.h"
#include "core/string_map.h"
#include "engine/command_index.h"
#include "engine/gate_events.h"
#include "engine/gate_state.h"
#include "engine/result_store.h"
#include "engine/risk_state.h"
#include "ledger/book.h"

namespace zg {

struct Enterprise {
  std::string uscc;
  std::string name;
  EnterpriseFacts facts;
  bool macao_funded = false;
  bool high_tech = false;
  std::string credit_grade;  // advanced, general, dishonest
  uint64_t registered_seq = 0;
  uint64_t updated_seq = 0;  // the register_enterprise that set these facts
};

// A set_rate, in force from its sequence number on.
struct RateOverride {
  Rate cny_per_unit;
  uint64_t seq = 0;
};

// What later commands (inspection, release, gates) need of a declaration;
// kept small, since a zone holds millions. The full result is in `results`.
// Taxes assessed, as the read models add them up.
struct TaxTotals {
  int64_t count = 0;  // declarations (and stock-takes) counted
  Money customs_value, duty, consumption_tax, vat, refund;
  void add(const TaxTotals& other) {
    count += other.count;
    customs_value += other.customs_value;
    duty += other.duty;
    consumption_tax += other.consumption_tax;
    vat += other.vat;
    refund += other.refund;
  }
};

// The selectivity lanes (ASYCUDA's colours): red and yellow hold a
// declaration for an officer, green and blue release it.
enum class Lane : uint8_t { kGreen, kYellow, kRed, kBlue };
std::string_view lane_name(Lane lane);
// "green", "yellow", "red", "blue"; false for anything else.
bool parse_lane(std::string_view text, Lane& lane);

struct DeclarationRecord {
  uint64_t seq = 0;                       // 0: no declaration at this sequence number
  Date date{1970, 1, 1};                  // the local date in its number
  const std::string* prefix = nullptr;    // its number's prefix (a node of `prefixes`)
  const Enterprise* declarant = nullptr;  // a node of `enterprises`: never moves
  Movement movement = Movement::kFirstLineEntry;
  Lane lane = Lane::kGreen;              // the lane it was given when accepted
  bool held = false;                     // waiting for an officer (yellow or red lane)
  TaxTotals totals;                      // the declaration's totals (count 1)
  ResultStore::Ref result{};             // its accepted result: in `results`, or in_journal()
  int64_t gross_e4 = -1;                 // declared gross weight (kg × 10^4); -1: none declared
  const std::string* channel = nullptr;  // the channel it declared (a node of `names`)
  // Time release (DOMAIN.md §9), unix seconds; 0 until the step happens.
  int64_t lodged_at = 0;    // its "at"
  int64_t released_at = 0;  // at once for green and blue lanes, else by an officer
  int64_t arrived_at = 0;   // first presented at a gate
  int64_t crossed_at = 0;   // its gate opened
  const std::string* crossed_channel = nullptr;  // where (a node of `names`)
  // Each truck that presented it and what the gate decided (the latest few).
  GateEventLog gate_events;
  // Why the lane is above the pack's default ("criterion/watch-wine
  // random/red", a node of `names`), or nullptr. Officers see it; the
  // declarant's result does not say it (risk criteria are confidential).
  const std::string* lane_reasons = nullptr;
  // An officer's finding (inspection_result): 0 none, 1 compliant, 2
  // discrepancy — the learned score's label.
  uint8_t finding = 0;
  // What was declared, kept while it is held, for an inspection's corrections.
  bool has_command = false;
  ResultStore::Ref command{};
};

// The zone's declarations, one record each, in sequence order. Records are
// appended as declarations are accepted (their sequence numbers rise), so a
// lookup by sequence number is a search (at_or_after). (A slot for every command,
// as once, cost a year of gate decisions gigabytes and every scan as long.)
//
// Kept in a StableVector, not a std::vector: as a vector doubled, a replay
// of a million declarations copied 196 MB of records and first touched 420
// MB of fresh memory for the 224 MB it kept. A record's address is stable.
class DeclarationTable {
  using Records = StableVector<DeclarationRecord, 13>;  // 1.75 MiB a chunk

 public:
  static constexpr size_t kChunkRecords = Records::kChunkElements;
  using const_iterator = Records::const_iterator;

  // The declaration accepted at `seq`, or nullptr.
  const DeclarationRecord* find(uint64_t seq) const {
    if (!records_.empty() && records_.back().seq == seq) return &records_.back();
    const auto it = at_or_after(begin(), seq);
    return it != end() && it->seq == seq && seq != 0 ? &*it : nullptr;
  }
  DeclarationRecord* find(uint64_t seq) {
    return const_cast<DeclarationRecord*>(std::as_const(*this).find(seq));
  }
  // A new record for the declaration at `seq`, which must be above every
  // one held (the caller's sequence numbers rise); nullptr if it is not.
  DeclarationRecord* add(uint64_t seq);
  // The first declaration with a sequence number above `seq`.
  const_iterator after(uint64_t seq) const;
  // The first declaration at or after `from` with a sequence number of at
  // least `seq`. The search looks at the record after `from`, then starts
  // where the density of the sequence numbers after `from` puts it and
  // widens from there: where declarations are a steady share of the
  // commands, a probe or two, where a binary search of a million records
  // probes twenty places, each a cache miss. Where the share swings (few
  // declarations, then many), up to about twice a binary search's probes.
  const_iterator at_or_after(const_iterator from, uint64_t seq) const;
  const_iterator begin() const { return records_.begin(); }
  const_iterator end() const { return records_.end(); }
  size_t size() const { return records_.size(); }
  void reserve(size_t n) { records_.reserve(n); }

  // find() for sequence numbers that mostly rise, as a book's lots and
  // postings do: each search starts where the last one ended (at_or_after),
  // so it guesses from the records after that one. A number below the last
  // one searches from the start. Valid while the table is unchanged.
  class Cursor {
   public:
    explicit Cursor(const DeclarationTable& table) : table_(&table), at_(table.begin()) {}
    const DeclarationRecord* find(uint64_t seq);

   private:
    const DeclarationTable* table_;
    const_iterator at_;  // the first record at or above last_seq_
    uint64_t last_seq_ = 0;
  };

 private:
  Records records_;
};

struct ZoneState {
  uint64_t last_seq = 0;
  StringMap<Enterprise> enterprises;
  StringMap<Book> books;
  StringMap<RateOverride> rate_overrides;  // "USD 2024-05"
  // Declarations in sequence order: a declaration's number ends in its
  // sequence number (declaration_number()), so a lookup parses it instead of
  // hashing.
  DeclarationTable declarations;
  // Declaration-number prefixes in use: a number keeps the prefix of the pack
  // it was issued under, even after a pack with another prefix takes over.
  std::set<std::string> prefixes;
  // Channel ids that declarations name (interned: a declaration keeps a pointer).
  std::set<std::string> names;
  GateState gates;
  // Witnesses' countersignatures of tree heads, by the head's size. The
  // first cosigned head of a size fixes its root and time: a cosignature of
  // another head of that size is refused.
  struct CosignedHead {
    audit::Hash root{};
    int64_t timestamp_ms = 0;
    std::vector<audit::Cosignature> cosignatures;
  };
  std::map<uint64_t, CosignedHead> cosignatures;
  // The newest tree head shared with witnesses (share_tree_head) and the
  // command that shared it: a head is shared again only when it covers
  // more than that command, so an idle zone does not share forever.
  uint64_t shared_head_size = 0, shared_head_seq = 0;

  // Exchange partners (docs/exchange.md): their keys, newest last (a key
  // applies from the command that registered it: older messages were
  // opened with the keys of their day), and the message ids received.
  struct PartnerKey {
    gate::PublicKey sign{};
    std::array<unsigned char, 32> box{};
    uint64_t from_seq = 0;
  };
  struct Partner {
    std::string id;     // "MACAO-CUSTOMS", the name in envelopes
    std::string name;   // for people
    std::string inbox;  // where the zone's courier delivers ("http://…"), or ""
    std::vector<PartnerKey> keys;
    // Message ids received, with the SHA-256 of their kind and body: the
    // same message again is a duplicate (acknowledged, applied once);
    // another message under a used id is refused.
    std::map<std::string, std::string> received;
  };
  StringMap<Partner> partners;

  // The zone's outbox (docs/exchange.md): messages for partners, made by
  // accepted commands under the partners' sharing profiles, waiting until
  // the partner acknowledges them. Ordered by partner, then message id (its
  // sequence number: shorter ids first), which is the order they were made.
  struct OutgoingMessage {
    std::string partner, id, kind;
    std::string at;    // the command's "at"
    std::string body;  // canonical JSON, only the profile's fields
    uint64_t seq = 0;  // the command that made it
  };
  struct OutboxOrder {
    bool operator()(const std::pair<std::string, std::string>& a,
                    const std::pair<std::string, std::string>& b) const {
      if (a.first != b.first) return a.first < b.first;
      if (a.second.size() != b.second.size()) return a.second.size() < b.second.size();
      return a.second < b.second;
    }
  };
  std::map<std::pair<std::string, std::string>, OutgoingMessage, OutboxOrder> outbox;
  uint64_t messages_delivered = 0;  // acknowledged by their partner
  RiskState risk;                   // what selection remembers (docs/risk.md)
  CommandIndex applied;             // by command id: for idempotent repeats
  ResultStore results;

  // Read models, kept up to date by the handlers (so rebuilt by any replay):
  // each enterprise's declarations, oldest first, and taxes by local day
  // (declarations and stock-take shortages).
  std::unordered_map<const Enterprise*, std::vector<uint64_t>> declarations_by_declarant;
  std::map<Date, TaxTotals> taxes_by_day;

  // Sizes the maps for about `commands` more commands, so they do not
  // rehash as they grow (a hint; a wrong guess only costs speed).
  void reserve(size_t commands) {
    applied.reserve(applied.size() + commands);
    // Up to one declaration a command (the table's reserve is only its
    // chunk pointers).
    declarations.reserve(declarations.size() + commands);
  }

  // The declaration with this number ("HQ24030500007"), or nullptr.
  const DeclarationRecord* find_declaration(std::string_view number) const;
  DeclarationRecord* find_declaration(std::string_view number) {
    return const_cast<DeclarationRecord*>(std::as_const(*this).find_declaration(number));
  }
  // A declaration's number, as issued.
  static std::string number_of(const DeclarationRecord& record);
  // Whether `number` (which starts with the record's prefix and ends in its
  // sequence number, as find_declaration has checked) is the one issued.
  static bool is_number_of(const DeclarationRecord& record, std::string_view number);

  const Enterprise* enterprise(std::string_view uscc) const {
    auto it = enterprises.find(uscc);
    return it == enterprises.end() ? nullptr : &it->second;
  }
};

}  // namespace zg
