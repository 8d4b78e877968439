// A policy pack: everything about customs law that is data, not code.
//
// A pack is a zone (its name, clock offset, declaration prefix) and a list of
// effective-dated versions. Each version holds the tariff schedule, default
// exchange rates, the HS lists, thresholds and treatment choices, and the
// zone's channels. A declaration is assessed under the version in force on
// its local date. Loaded once at start-up (pack_loader.h); read-only after.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/decimal.h"
#include "core/string_map.h"
#include "core/time.h"

namespace zg {

namespace risk {
struct Model;
}

enum class DutyKind : uint8_t { kAdValorem, kSpecific, kCompound };
enum class ExciseKind : uint8_t { kNone, kAdValorem, kSpecific, kCompound };

// One line of the tariff schedule (the shape of cn-tariff-sample.csv).
struct TariffLine {
  std::string hs;
  std::string description;
  std::string unit;
  DutyKind duty_kind = DutyKind::kAdValorem;
  Rate duty_rate;      // ad valorem part
  Rate duty_specific;  // CNY per unit
  Rate vat_rate;
  ExciseKind ct_kind = ExciseKind::kNone;
  Rate ct_rate;      // consumption tax, ad valorem part
  Rate ct_specific;  // consumption tax, CNY per unit
  Rate export_refund_rate;
};

class TariffSchedule {
 public:
  void add(TariffLine line);
  // The line for a declared code: exact, or for a 10-digit code its 8-digit line.
  const TariffLine* find(std::string_view hs) const;
  size_t size() const { return lines_.size(); }
  // Every line, by code (in no order).
  const StringMap<TariffLine>& lines() const { return lines_; }

 private:
  StringMap<TariffLine> lines_;
};

// A list of HS codes by prefix with exceptions: each entry includes or
// excludes every code that starts with its prefix, and the longest matching
// prefix decides ("84 include" with "8471 exclude": 84798999 is on the list,
// 84713000 is not).
class HsList {
 public:
  struct Entry {
    std::string prefix;
    bool include = true;
    std::string note;
  };
  void add(Entry entry);
  // The deciding entry for `hs`, or nullptr when no prefix matches.
  const Entry* match(std::string_view hs) const;
  // True when the deciding entry includes `hs`.
  bool contains(std::string_view hs) const {
    const Entry* e = match(hs);
    return e != nullptr && e->include;
  }
  size_t size() const { return entries_.size(); }
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

 private:
  std::string name_;
  StringMap<Entry> entries_;
};

// The monthly customs exchange rates (CNY per unit of the currency).
class ExchangeRates {
 public:
  void set(std::string_view currency, Month month, Rate cny_per_unit);
  std::optional<Rate> find(std::string_view currency, Month month) const;
  size_t size() const { return rates_.size(); }
  // Every rate, in no particular order.
  void for_each(const std::function<void(std::string_view currency, Month, Rate)>& visit) const;

 private:
  static uint64_t key(std::string_view currency, Month month);
  std::unordered_map<uint64_t, Rate> rates_;
};

// How goods entering at the first line are treated.
enum class FirstLineModel : uint8_t {
  kPositiveList,  // Hengqin: listed goods enter exempt (approved importers), the rest bonded
  kNegativeList,  // Hainan: goods not on the taxable list enter zero-tariff, listed goods pay
};

// The value-added formula of the 30 % rule (DOMAIN.md §3).
enum class ValueAddedFormula : uint8_t {
  kOverMaterials,  // (S-M-D)/(M+D), the default
  kOverForeign,    // (S-M)/M
  kOverSale,       // (S-M)/S
};
std::string_view value_added_formula_text(ValueAddedFormula formula);

enum class TransferVat : uint8_t { kExempt, kTaxable };

// What exempt goods leaving for the mainland are taxed on.
enum class ExemptExitBasis : uint8_t {
  kDepreciatedEntryValue,  // Hengqin's equipment: entry value less supervised months
  kDeclaredValue,          // Hainan's zero-tariff goods: full import taxes as declared
};

// A data-sharing profile (docs/exchange.md): the fields of one kind of
// message one partner may receive. A field is a path: "declaration" keeps
// the whole value, "items.hs" keeps only "hs" of each of the items.
struct SharingProfile {
  std::string partner;  // "MACAO-CUSTOMS"
  std::string kind;     // "declaration_summary", "joint_inspection"
  std::vector<std::string> fields;
};

// Risk selection (docs/risk.md): a criterion sends the declarations that
// meet all its conditions to its lane. hs and origins hold together on one
// item; a condition not given holds.
struct RiskCriterion {
  std::string id;               // "watch-french-wine": the reason an officer sees
  std::string lane;             // green, blue, yellow, red
  std::vector<std::string> hs;  // HS code prefixes
  std::vector<std::string> origins, declarants, movements;
  // The declaration's declared value (CNY fen), from (inclusive) and below
  // (exclusive); -1: open.
  int64_t value_from = -1, value_below = -1;
  bool first_time = false;    // the declarant's first declaration in the zone
  int64_t discrepancies = 0;  // the declarant had at least this many found (0: any)
  // Whether a hit waits for the lane's capacity (docs/risk.md); a
  // criterion the law requires (capped = false) always selects.
  bool capped = true;
};
// Shares of declarations for the red and yellow lanes, in parts per million.
struct LaneShares {
  int64_t red_ppm = 0, yellow_ppm = 0;
};
using RandomRates = LaneShares;

// Unit values far from those declared before for the same goods: the
// declaration's unit value (declared CNY per unit of quantity) against the
// median of the last `history` ones of the same HS code, origin and unit.
struct UnitValueCheck {
  std::string lane;        // "": no check
  int64_t factor_ppm = 0;  // flagged above median × factor or below median ÷ factor
  int64_t history = 50;    // values kept per HS code, origin and unit
  int64_t minimum = 10;    // values needed before a unit value is judged
  // Whose history an item meets: the goods' (HS code, origin, unit) or, with
  // by_article, the same article's (its code as declared, besides): goods
  // of one heading can differ tenfold in price (a bare board and a camera's
  // board are both 8534), so the goods' median flags the dear and the cheap.
  bool by_article = false;
};

// The learned score in the engine: declarations scoring at least
// `threshold_ppm` (a probability of fraud, in millionths) go to `lane`.
struct ScoreSetting {
  std::shared_ptr<const risk::Model> model;  // nullptr: no score
  std::string file;                          // the model's file, for people
  std::string lane;
  int64_t threshold_ppm = 0;
};

// Everything [risk] sets (docs/risk.md).
struct RiskSettings {
  std::string default_lane = "green";
  // A declaration carrying goods on the licence list gets at least this
  // lane (the licence is checked by an officer); "" leaves it to default_lane.
  std::string licensed_goods_lane;
  // Random selection: the draws' seed, the rates by credit grade
  // ("advanced", "general", "dishonest") and the floor under every grade.
  std::string seed;
  std::map<std::string, RandomRates, std::less<>> random;
  RandomRates minimum_random;
  // What officers can take, as a share of all declarations per lane (0: no
  // limit): criteria select only while the lane has capacity left, up to
  // `capacity_burst` selections saved up.
  LaneShares capacity;
  int64_t capacity_burst = 10;
  std::vector<RiskCriterion> criteria;
  UnitValueCheck unit_value;
  ScoreSetting score;
  // The random rates of a grade, raised to the floor.
  RandomRates random_for(std::string_view grade) const;
  bool draws() const;  // whether any declaration can be drawn at random
};

struct Channel {
  std::string id;
  std::string name;
  int line = 1;                         // 1: first line, 2: second line
  std::vector<std::string> directions;  // "in", "out"
  std::vector<std::string> kinds;       // "cargo", "vehicle", "traveller"
  // The movements whose goods may cross here ("second_line_exit", ...); empty
  // means every movement of the channel's line.
  std::vector<std::string> movements;

  bool serves_kind(std::string_view kind) const;
  bool serves_direction(std::string_view direction) const;
  bool serves_movement(std::string_view movement) const;
};

// What the gates decide by (DOMAIN.md §7; contract "Gates, vehicles and travellers").
struct GateSettings {
  // A conveyance's weighed gross weight may differ from the declared one by this share.
  Rate weight_tolerance{50'000};
  // A traveller's biometric match score must reach this (0..1).
  Rate biometric_threshold{900'000};
  int traveller_min_age = 14;           // years, on the day of enrolment
  int traveller_max_valid_days = 1830;  // a credential's validity from enrolment (about 5 years)
  // The categories a traveller may be enrolled under.
  std::vector<std::string> traveller_categories;
  // Macao single-plate vehicles.
  int monthly_permit_quota = 500;  // new permits a month (by the month of "at")
  int permit_max_drivers = 2;
  int permit_max_months = 12;  // valid_until before valid_from + this many months
};

// One supervision period rule: goods whose HS chapter is listed are
// supervised for `years` after entering exempt.
struct SupervisionPeriod {
  std::vector<std::string> chapters;
  int years = 3;
};

// How far a command's "at" may lie from when the HTTP door received it.
struct AtWindow {
  int64_t past_seconds = 0;    // "at" at most this long before receipt
  int64_t future_seconds = 0;  // ... and at most this long after it
};

struct PolicyVersion {
  Date effective_from;
  std::string directory;  // where it was loaded from, for messages
  std::string id;         // "hengqin@2024-03-01": names this version in rule ids

  TariffSchedule tariff;
  ExchangeRates exchange_rates;
  HsList prohibited;
  HsList licence_required;
  HsList first_line_exempt;   // positive list (Hengqin)
  HsList first_line_taxable;  // negative list (Hainan)
  HsList refund_negative;

  FirstLineModel first_line_model = FirstLineModel::kPositiveList;
  bool exempt_requires_approved_importer = true;
  std::vector<std::string> exempt_purposes = {"own_use"};

  Money tax_waiver_threshold = Money::yuan(50);  // per declaration and tax type
  bool waived_duty_in_vat_base = false;
  Rate value_added_threshold{300'000};
  ValueAddedFormula value_added_formula = ValueAddedFormula::kOverMaterials;
  bool no_foreign_input_duty_free = true;
  bool value_added_requires_encouraged_industry = false;
  bool value_added_applies_to_sales_to_individuals = true;

  ExemptExitBasis exempt_exit_basis = ExemptExitBasis::kDepreciatedEntryValue;
  int supervision_years_default = 3;
  std::vector<SupervisionPeriod> supervision_periods;

  TransferVat transfer_vat = TransferVat::kExempt;
  bool refund_on_second_line_entry = true;

  RiskSettings risk;

  GateSettings gates;
  // How far an envelope's "at" may lie from its receipt (docs/exchange.md).
  int64_t exchange_window_seconds = 300;
  // What each partner may receive: the zone shares a message of a kind only
  // with the partners that have a profile for it, and only its listed fields.
  std::vector<SharingProfile> sharing_profiles;

  std::vector<Channel> channels;

  // The HTTP door's window between "at" and "received_at", by role name
  // ("enterprise", "officer", ...); a role not named is not bounded.
  std::map<std::string, AtWindow, std::less<>> at_windows;

  int supervision_years(std::string_view hs) const;
  const Channel* find_channel(std::string_view channel_id) const;
};

struct PolicyPack {
  std::string zone_id;
  std::string zone_name;
  int utc_offset_minutes = 480;
  std::string declaration_prefix;
  std::vector<std::unique_ptr<PolicyVersion>> versions;  // by effective_from, ascending

  // The version in force on a local date, or nullptr before the first.
  const PolicyVersion* in_force(Date local) const;
};

}  // namespace zg
