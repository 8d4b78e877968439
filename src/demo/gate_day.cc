#include "demo/gate_day.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <tuple>

#include "core/decimal.h"
#include "core/json.h"
#include "demo/rng.h"
#include "gate/container.h"
#include "gate/mrz.h"

namespace zg::demo {
namespace {

constexpr int64_t kHour = 3600;
constexpr std::string_view kIdMark = "@@ID@@";  // replaced by the id once commands are in order

Date add_days(Date date, int64_t days) {
  return civil_from_days(days_from_civil(date) + days);
}

// The unix second of a local date's midnight at the pack's offset.
int64_t midnight(Date date, int offset_minutes) {
  return days_from_civil(date) * 86'400 - int64_t{offset_minutes} * 60;
}

// A command being planned: when, its JSON with kIdMark for the id, and what
// it must come to ("open", a reason code, or "cmd").
struct Planned {
  int64_t at = 0;
  std::string expect;
  std::string json;
};

class Writer {
 public:
  Writer(const char* type, int64_t at, int offset_minutes) : w_(json_) {
    w_.begin_object().field("type", type).field("id", kIdMark);
    w_.field("at", format_rfc3339(Timestamp{at, offset_minutes}));
  }
  JsonWriter& w() { return w_; }
  std::string done() {
    w_.end_object();
    return std::move(json_);
  }

 private:
  std::string json_;
  JsonWriter w_;
};

// ---- phase 1 ----------------------------------------------------------------

std::string two_digits(int64_t n) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%02d", static_cast<int>(n % 100));
  return buffer;
}

std::string yymmdd(Date d) {
  return two_digits(d.year) + two_digits(d.month) + two_digits(d.day);
}

std::string padded(std::string text, size_t width) {
  text.resize(width, '<');
  return text;
}

// A TD3 passport MRZ with every check digit right (gate/mrz.h reads it back).
std::vector<std::string> passport_mrz(Rng& rng, int index, Date birth, Date expiry) {
  static constexpr const char* kSurnames[] = {"CHAN", "LEONG", "WONG", "LEI", "HO", "SOUSA"};
  static constexpr const char* kGiven[] = {"KA<MAN", "IO<TONG", "MEI<LING", "JOAO", "ANA"};
  const std::string line1 =
      padded(std::string("P<PRT") + kSurnames[rng.index(6)] + "<<" + kGiven[rng.index(5)], 44);
  char number[16];
  std::snprintf(number, sizeof number, "P%08d", 10'000'000 + index);
  const auto check = [](const std::string& field) {
    return static_cast<char>('0' + gate::mrz_check_digit(field));
  };
  const std::string doc = std::string(number) + check(number);
  const std::string born = yymmdd(birth) + check(yymmdd(birth));
  const std::string expires = yymmdd(expiry) + check(yymmdd(expiry));
  const std::string optional = padded("", 14) + "0";
  std::string line2 = doc + "PRT" + born + (rng.percent(50) ? "F" : "M") + expires + optional;
  line2 += check(doc + born + expires + optional);
  return {line1, line2};
}

// Ids carry the simulated day, so the days of a run never share one.
std::string day_tag(Date day, const std::string& id_tag) {
  char tag[16];
  std::snprintf(tag, sizeof tag, "%04d%02d%02d", day.year, day.month, day.day);
  return tag + id_tag;
}

}  // namespace

namespace {

// ---- phase 2 ----------------------------------------------------------------

struct Lodged {
  std::string number;
  int line = 0;
  std::string direction;
  bool held = false;
  std::string channel;  // declared, or ""
  int64_t gross_e4 = 0;
  int64_t at = 0;
};

struct Car {
  std::string plate, driver;
};

struct Enrolled {
  std::string credential;
  std::string traveller;
};

struct Phase1 {
  std::vector<Lodged> declarations;
  std::vector<Car> cars;
  std::vector<Enrolled> travellers;
};

Result<Phase1> read_phase1(const std::vector<std::string>& commands,
                           const std::vector<std::string>& results) {
  if (commands.size() != results.size()) {
    return Result<Phase1>(ErrorCode::kInvalidField, "",
                          "phase 1 has " + std::to_string(commands.size()) + " commands but " +
                              std::to_string(results.size()) + " results");
  }
  Phase1 out;
  for (size_t i = 0; i < commands.size(); ++i) {
    JsonDocument command, result;
    if (!command.parse(commands[i]).is_ok() || !result.parse(results[i]).is_ok()) {
      return Result<Phase1>(ErrorCode::kInvalidField, "",
                            "phase 1 line " + std::to_string(i + 1) + " is not JSON");
    }
    const JsonRef c = command.root(), r = result.root();
    if (c.get("id").text() != r.get("id").text()) {
      return Result<Phase1>(ErrorCode::kInvalidField, "",
                            "phase 1 line " + std::to_string(i + 1) +
                                ": the result is not the command's (ids differ)");
    }
    if (r.get("status").text() != "accepted") continue;
    const std::string_view type = c.get("type").text();
    if (type == "declare") {
      const std::string_view movement = r.get("movement").text();
      Lodged d;
      d.number = std::string(r.get("declaration").text());
      d.line = movement.starts_with("first_line") ? 1 : movement.starts_with("second_line") ? 2 : 0;
      if (d.line == 0 || !c.get("gross_kg").is_string()) continue;
      d.direction = movement.ends_with("entry") ? "in" : "out";
      d.held = r.get("release").text() == "held";
      if (c.get("channel").is_string()) d.channel = std::string(c.get("channel").text());
      Result<int64_t> gross =
          parse_fixed(c.get("gross_kg").text(), kQuantityScale, kQuantityE4Max, false);
      Result<Timestamp> at = parse_rfc3339(c.get("at").text());
      if (!gross.is_ok() || !at.is_ok()) continue;
      d.gross_e4 = *gross;
      d.at = at->unix_seconds;
      out.declarations.push_back(std::move(d));
    } else if (type == "issue_vehicle_permit") {
      out.cars.push_back(Car{std::string(c.get("plate").text()),
                             std::string(c.get("drivers").begin() != c.get("drivers").end()
                                             ? (*c.get("drivers").begin()).text()
                                             : "")});
    } else if (type == "enrol_traveller") {
      out.travellers.push_back(Enrolled{std::string(r.get("credential").text()),
                                        std::string(r.get("traveller").text())});
    }
  }
  return out;
}

class DayMaker {
 public:
  DayMaker(const PolicyPack& pack, const PolicyVersion& policy, const GateDayOptions& options)
      : policy_(policy),
        offset_(pack.utc_offset_minutes),
        day_start_(midnight(options.business.day, pack.utc_offset_minutes)),
        odd_(options.odd_per_thousand),
        rng_(options.business.seed ^ 0x6A7E'DA22ULL) {}

  std::vector<Planned> take() { return std::move(planned_); }

  void trucks(std::vector<Lodged> lodged) {
    // Trucks carry 1 to 3 declarations of one line, direction and channel.
    std::map<std::tuple<int, std::string, std::string>, std::vector<Lodged>> buckets;
    for (Lodged& d : lodged) buckets[{d.line, d.direction, d.channel}].push_back(std::move(d));
    for (auto& [key, list] : buckets) {
      std::stable_sort(list.begin(), list.end(),
                       [](const Lodged& a, const Lodged& b) { return a.at < b.at; });
      for (size_t i = 0; i < list.size();) {
        const size_t n = std::min<size_t>(list.size() - i, static_cast<size_t>(rng_.between(1, 3)));
        truck(std::vector<Lodged>(list.begin() + static_cast<long>(i),
                                  list.begin() + static_cast<long>(i + n)));
        i += n;
      }
    }
  }

  void cars(const std::vector<Car>& cars) {
    const Channel* first = channel("vehicle", 1, "in");
    const Channel* second = channel("vehicle", 2, "out");
    if (first == nullptr) return;
    for (const Car& car : cars) {
      const int64_t in = day_start_ + rng_.between(7 * kHour, 11 * kHour);
      const int64_t out = day_start_ + rng_.between(16 * kHour, 21 * kHour);
      if (odd()) {
        if (second != nullptr && rng_.percent(50)) {
          plan(vehicle(*second, "out", car.plate, car.driver, in - 600),
               "single_plate_second_line");
        } else {
          plan(vehicle(*first, "in", car.plate, "H99999999", in - 300), "driver_not_registered");
        }
      }
      plan(vehicle(*first, "in", car.plate, car.driver, in), "open");
      plan(vehicle(*first, "out", car.plate, car.driver, out), "open");
    }
  }

  // Returns the indexes, in order, of the travellers who cannot cross again
  // (revoked, watch-listed).
  std::vector<size_t> travellers(const std::vector<Enrolled>& travellers) {
    std::vector<size_t> lost;
    const Channel* hall = channel("traveller", 1, "in");
    if (hall == nullptr) return lost;
    for (size_t index = 0; index < travellers.size(); ++index) {
      const Enrolled& t = travellers[index];
      const int64_t in = day_start_ + rng_.between(6 * kHour, 14 * kHour);
      const int64_t out = in + rng_.between(1 * kHour, 9 * kHour);
      if (!odd()) {
        plan(crossing(*hall, "in", t.credential, good_score(), true, false, in), "open");
        plan(crossing(*hall, "out", t.credential, good_score(), true, false, out), "open");
        continue;
      }
      switch (rng_.index(7)) {
        case 0:  // a poor capture, then a good one
          plan(crossing(*hall, "in", t.credential, "0." + std::to_string(rng_.between(500, 899)),
                        true, false, in - 30),
               "score_below_threshold");
          break;
        case 1:
          plan(crossing(*hall, "in", t.credential, good_score(), false, false, in - 30),
               "no_liveness");
          break;
        case 2:  // declares goods, goes to the officer, comes back
          plan(crossing(*hall, "in", t.credential, good_score(), true, true, in - 600),
               "goods_to_declare");
          break;
        case 3: {  // a damaged or forged credential
          std::string forged = t.credential;
          forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
          plan(crossing(*hall, "in", forged, good_score(), true, false, in - 60), "bad_signature");
          break;
        }
        case 4:  // tries to enter again before leaving
          plan(crossing(*hall, "in", t.credential, good_score(), true, false, in), "open");
          plan(crossing(*hall, "in", t.credential, good_score(), true, false, in + 300),
               "already_inside");
          plan(crossing(*hall, "out", t.credential, good_score(), true, false, out), "open");
          continue;
        case 5: {  // revoked at dawn
          Writer c("revoke_credential", day_start_ + 5 * kHour, offset_);
          c.w().field("traveller", t.traveller).field("reason", "document reported lost");
          plan(c.done(), "cmd");
          plan(crossing(*hall, "in", t.credential, good_score(), true, false, in), "revoked");
          lost.push_back(index);
          continue;
        }
        default: {  // watch-listed at dawn
          Writer c("watch_list", day_start_ + 5 * kHour, offset_);
          c.w().field("action", "add").field("traveller", t.traveller);
          c.w().field("reason", "alert from the partner administration");
          plan(c.done(), "cmd");
          plan(crossing(*hall, "in", t.credential, good_score(), true, false, in), "watch_listed");
          lost.push_back(index);
          continue;
        }
      }
      plan(crossing(*hall, "in", t.credential, good_score(), true, false, in), "open");
      plan(crossing(*hall, "out", t.credential, good_score(), true, false, out), "open");
    }
    return lost;
  }

 private:
  bool odd() { return static_cast<int>(rng_.below(1000)) < odd_; }
  std::string good_score() { return "0." + std::to_string(rng_.between(920, 999)); }

  void plan(std::string json, std::string expect) {
    int64_t at = 0;
    JsonDocument doc;
    if (doc.parse(json).is_ok()) {
      if (Result<Timestamp> t = parse_rfc3339(doc.root().get("at").text()); t.is_ok()) {
        at = t->unix_seconds;
      }
    }
    planned_.push_back(Planned{at, std::move(expect), std::move(json)});
  }

  // A channel of the kind, on the line, serving the direction; the first
  // such in the pack (the pack lists its main channels first).
  const Channel* channel(std::string_view kind, int line, std::string_view direction,
                         std::string_view movement = "") const {
    for (const Channel& c : policy_.channels) {
      if (c.line == line && c.serves_kind(kind) && c.serves_direction(direction) &&
          (movement.empty() || c.serves_movement(movement))) {
        return &c;
      }
    }
    return nullptr;
  }

  std::string container() {
    std::string first_ten = "HQC" + std::string("U");
    first_ten += std::to_string(100'000 + rng_.below(900'000));
    return first_ten + static_cast<char>('0' + gate::container_check_digit(first_ten));
  }

  std::string arrival(const Channel& channel, std::string_view direction,
                      const std::vector<Lodged>& load, int64_t weighed_e4, std::string box,
                      int64_t at) {
    Writer c("gate_arrival", at, offset_);
    JsonWriter& w = c.w();
    w.field("channel", channel.id).field("direction", direction);
    w.key("conveyance")
        .begin_object()
        .field("plate", "YUE-C-" + std::to_string(10'000 + rng_.below(90'000)));
    w.key("containers").begin_array().string(box).end_array();
    w.key("gross_kg").string(format_fixed_trimmed(weighed_e4, 4, 1));
    w.end_object();
    w.key("declarations").begin_array();
    for (const Lodged& d : load) w.string(d.number);
    w.end_array();
    return c.done();
  }

  void truck(const std::vector<Lodged> load) {
    const Lodged& head = load.front();
    const Channel* home = !head.channel.empty() ? policy_.find_channel(head.channel)
                                                : channel("cargo", head.line, head.direction);
    if (home == nullptr) return;
    int64_t declared = 0, lodged = 0;
    bool held = false;
    for (const Lodged& d : load) {
      declared += d.gross_e4;
      lodged = std::max(lodged, d.at);
      held = held || d.held;
    }
    const int64_t weighed = declared * rng_.between(985, 1015) / 1000;
    const std::string box = container();
    int64_t at = lodged + rng_.between(600, 5400);
    if (odd()) {
      switch (rng_.index(3)) {
        case 0:
          if (const Channel* other = channel("cargo", 3 - head.line, head.direction)) {
            plan(arrival(*other, head.direction, load, weighed, box, at), "wrong_line");
            at += 1200;
          }
          break;
        case 1:
          plan(arrival(*home, head.direction, load, declared * 112 / 100, box, at),
               "weight_out_of_tolerance");
          at += 1800;  // unloaded what was not declared, weighed again
          break;
        default: {
          std::string misread = box;
          misread.back() = misread.back() == '9' ? '0' : static_cast<char>(misread.back() + 1);
          plan(arrival(*home, head.direction, load, weighed, misread, at), "invalid_container");
          at += 300;
          break;
        }
      }
    }
    if (held) {
      plan(arrival(*home, head.direction, load, weighed, box, at), "not_released");
      int64_t released = at;
      for (const Lodged& d : load) {
        if (!d.held) continue;
        released = std::max(released, at + rng_.between(900, 3600));
        Writer c("release", released, offset_);
        c.w().field("declaration", d.number).field("note", "licence checked at the gate");
        plan(c.done(), "cmd");
      }
      at = released + 300;
    }
    plan(arrival(*home, head.direction, load, weighed, box, at), "open");
    if (odd())
      plan(arrival(*home, head.direction, load, weighed, box, at + 300), "already_crossed");
  }

  std::string vehicle(const Channel& channel, std::string_view direction, const std::string& plate,
                      const std::string& driver, int64_t at) {
    Writer c("vehicle_crossing", at, offset_);
    c.w().field("channel", channel.id).field("direction", direction);
    c.w().field("plate", plate).field("driver", driver);
    return c.done();
  }

  std::string crossing(const Channel& channel, std::string_view direction,
                       const std::string& credential, const std::string& score, bool liveness,
                       bool goods, int64_t at) {
    Writer c("traveller_crossing", at, offset_);
    c.w().field("channel", channel.id).field("direction", direction);
    c.w().field("credential", credential).field("biometric_score", score);
    c.w().field_bool("liveness", liveness).field_bool("goods_to_declare", goods);
    return c.done();
  }

  const PolicyVersion& policy_;
  int offset_;
  int64_t day_start_;
  int odd_;
  Rng rng_;
  std::vector<Planned> planned_;
};

}  // namespace

// What the gates remember from one day to the next: the permits issued (to
// renew them), the cars and travellers phase 1 has made known, and who can
// no longer cross.
struct GateZone::Known {
  struct Permit {
    std::string plate, owner;
    std::vector<std::string> drivers;
    Date valid_until{1970, 1, 1};
  };
  std::vector<Permit> permits;
  int next_permit = 0, next_traveller = 0;
  std::vector<Car> cars;  // one per plate, whatever its renewals
  std::set<std::string, std::less<>> plates;
  std::vector<Enrolled> travellers;  // still crossing
  int lost_travellers = 0;           // revoked or watch-listed: replaced by new enrolments
};

GateZone::GateZone(const PolicyPack& pack, const GateDayOptions& options)
    : pack_(pack),
      options_(options),
      business_(pack, options.business),
      known_(std::make_unique<Known>()),
      day_(options.business.day),
      rng_(options.business.seed ^ 0x6A7E'DA11ULL) {}

GateZone::~GateZone() = default;

std::vector<std::string> GateZone::preparation() {
  if (prepared_days_++ > 0) day_ = add_days(day_, 1);
  DemoDay business = business_.next_day();
  enterprises_ = std::move(business.enterprises);
  undervalued_ = std::move(business.undervalued);
  std::vector<std::string> out = std::move(business.commands);
  const PolicyVersion* policy = pack_.in_force(day_);
  if (policy == nullptr) return out;
  const int offset = pack_.utc_offset_minutes;
  const Date eve = add_days(day_, -1);
  const std::string tag = day_tag(day_, options_.business.id_tag);
  int made = 0;
  const auto issue = [&](Known::Permit& p, Date on, int64_t second, Date from) {
    std::string json;
    JsonWriter w(json);
    char id[96];
    std::snprintf(id, sizeof id, "prep-%s-permit-%05d", tag.c_str(), ++made);
    w.begin_object().field("type", "issue_vehicle_permit").field("id", id);
    w.field("at", format_rfc3339(Timestamp{midnight(on, offset) + second, offset}));
    w.field("plate", p.plate).field("owner", p.owner);
    w.key("drivers").begin_array();
    for (const std::string& driver : p.drivers) w.string(driver);
    w.end_array();
    // Valid for a year less a day: within the pack's twelve months.
    p.valid_until = add_days(from, 364);
    w.field("valid_from", format_date(from)).field("valid_until", format_date(p.valid_until));
    w.field("insurance_until", format_date(p.valid_until)).end_object();
    out.push_back(std::move(json));
  };

  if (prepared_days_ == 1) {
    // The fleet: permits issued month by month before the first day, up to
    // 95 % of each month's quota (renewals a year on then fit in it too),
    // for as many months back as the pack was in force, at most ten (a
    // permit lasts a year less a day: all are still valid on the first day).
    std::vector<std::pair<Date, int>> months;  // first day, permits issued
    int wanted = std::max(options_.cars, 0);
    Date month{day_.year, day_.month, 1};
    for (int back = 0; back < 10 && wanted > 0; ++back) {
      month = month.month == 1 ? Date{month.year - 1, 12, 1} : Date{month.year, month.month - 1, 1};
      const PolicyVersion* then = pack_.in_force(month);
      if (then == nullptr) break;
      const int n = std::min(wanted, then->gates.monthly_permit_quota * 95 / 100);
      if (n > 0) months.emplace_back(month, n);
      wanted -= n;
    }
    std::reverse(months.begin(), months.end());
    for (const auto& [first, n] : months) {
      for (int k = 0; k < n; ++k) {
        const int i = known_->next_permit++;
        char plate[32], owner[32], driver[32];
        // Another series' cars (options.serial_series) have other plates.
        const int b = options_.serial_series;
        std::snprintf(plate, sizeof plate, "M%c-%02d-%02d", b == 0 ? 'X' : 'A' + b - 1,
                      10 + i / 100, i % 100);
        std::snprintf(owner, sizeof owner, "1%06d(%d)", 100'000 + b * 30'000 + i, i % 10);
        std::snprintf(driver, sizeof driver, "H%08d", 20'000'000 + b * 100'000 + i);
        Known::Permit p{plate, owner, {driver}, {}};
        if (rng_.percent(30)) {
          p.drivers.push_back("H" + std::to_string(30'000'000 + b * 100'000 + i));
        }
        const Date on = add_days(first, k * 28 / n);  // spread over the month's first 28 days
        issue(p, on, 7 * kHour + (k % 2000) * 20, on);
        known_->permits.push_back(std::move(p));
      }
    }
  } else {
    // A permit that ended yesterday is renewed, from today.
    for (Known::Permit& p : known_->permits) {
      if (p.valid_until < day_) issue(p, eve, 7 * kHour + made * 20, day_);
    }
  }

  // Enrolments, the day before: the first day, the day's travellers; after
  // that, as many new ones as were lost (revoked, watch-listed). Mostly
  // Macao residents' Home-Return Permits, some passports.
  const std::vector<std::string>& categories = policy->gates.traveller_categories;
  if (categories.empty()) return out;
  const auto listed = [&](std::string_view c) {
    return std::find(categories.begin(), categories.end(), c) != categories.end();
  };
  const std::string resident = listed("macao_resident") ? "macao_resident" : categories.front();
  const int travellers =
      prepared_days_ == 1 ? std::max(options_.travellers, 0) : known_->lost_travellers;
  known_->lost_travellers = 0;
  for (int k = 0; k < travellers; ++k) {
    // Another series' travellers (options.serial_series) hold other documents.
    const int i = options_.serial_series * 3'000'000 + known_->next_traveller++;
    std::string json;
    JsonWriter w(json);
    char id[96];
    std::snprintf(id, sizeof id, "prep-%s-enrol-%06d", tag.c_str(), k + 1);
    const int64_t at = midnight(eve, offset) + 6 * kHour + int64_t{k} * 54'000 / travellers;
    w.begin_object().field("type", "enrol_traveller").field("id", id);
    w.field("at", format_rfc3339(Timestamp{at, offset}));
    const Date birth{static_cast<int>(rng_.between(1950, 2005)),
                     static_cast<int>(rng_.between(1, 12)), static_cast<int>(rng_.between(1, 28))};
    w.key("document").begin_object();
    if (rng_.percent(85)) {
      w.field("kind", "home_return_permit");
      w.field("number", "M" + std::to_string(10'000'000 + i));
      w.field("birth_date", format_date(birth));
    } else {
      w.key("mrz").begin_array();
      for (const std::string& line : passport_mrz(rng_, i, birth, add_days(day_, 5 * 365))) {
        w.string(line);
      }
      w.end_array();
    }
    w.end_object();
    w.key("categories").begin_array().string(resident);
    if (listed("zone_worker") && rng_.percent(30)) w.string("zone_worker");
    w.end_array();
    w.field("biometric_ref", "hall-a/tmpl/" + std::to_string(i + 1));
    w.field("valid_until", format_date(add_days(day_, 365))).end_object();
    out.push_back(std::move(json));
  }
  return out;
}

Result<std::vector<std::string>> GateZone::gate_day(const std::vector<std::string>& preparation,
                                                    const std::vector<std::string>& results) {
  const PolicyVersion* policy = pack_.in_force(day_);
  if (policy == nullptr) {
    return Result<std::vector<std::string>>(
        ErrorCode::kNoPolicyInForce, "",
        "no version of the pack is in force on " + format_date(day_));
  }
  Result<Phase1> read = read_phase1(preparation, results);
  if (!read.is_ok()) return read.status();
  Phase1 phase1 = *read;
  for (Car& car : phase1.cars) {
    if (known_->plates.insert(car.plate).second) known_->cars.push_back(std::move(car));
  }
  for (Enrolled& t : phase1.travellers) known_->travellers.push_back(std::move(t));
  GateDayOptions today = options_;
  today.business.day = day_;
  // Each day its own draws, from the run's seed.
  today.business.seed ^= static_cast<uint64_t>(days_from_civil(day_)) * 0x9E37'79B9'7F4A'7C15ULL;
  DayMaker maker(pack_, *policy, today);
  maker.trucks(std::move(phase1.declarations));
  maker.cars(known_->cars);
  const std::vector<size_t> lost = maker.travellers(known_->travellers);
  for (auto it = lost.rbegin(); it != lost.rend(); ++it) {
    known_->travellers.erase(known_->travellers.begin() + static_cast<long>(*it));
  }
  known_->lost_travellers += static_cast<int>(lost.size());
  std::vector<Planned> planned = maker.take();
  std::stable_sort(planned.begin(), planned.end(),
                   [](const Planned& a, const Planned& b) { return a.at < b.at; });
  std::vector<std::string> out;
  out.reserve(planned.size());
  const std::string tag = day_tag(day_, options_.business.id_tag);
  for (size_t i = 0; i < planned.size(); ++i) {
    char id[128];
    std::snprintf(id, sizeof id, "gd-%s-%06zu-%s", tag.c_str(), i + 1, planned[i].expect.c_str());
    std::string json = std::move(planned[i].json);
    json.replace(json.find(kIdMark), kIdMark.size(), id);
    out.push_back(std::move(json));
  }
  return out;
}

std::vector<std::string> make_gate_preparation(const PolicyPack& pack,
                                               const GateDayOptions& options) {
  return GateZone(pack, options).preparation();
}

Result<std::vector<std::string>> make_gate_day(const PolicyPack& pack,
                                               const GateDayOptions& options,
                                               const std::vector<std::string>& preparation,
                                               const std::vector<std::string>& results) {
  return GateZone(pack, options).gate_day(preparation, results);
}

GateDayCheck check_gate_day(const std::vector<std::string>& results, size_t commands) {
  GateDayCheck check;
  if (results.size() != commands || commands == 0) {
    check.mismatches.push_back(std::to_string(results.size()) + " results for " +
                               std::to_string(commands) + " commands");
  }
  for (const std::string& line : results) {
    JsonDocument doc;
    if (!doc.parse(line).is_ok()) {
      check.mismatches.push_back("not JSON: " + line.substr(0, 80));
      continue;
    }
    const JsonRef r = doc.root();
    const std::string id(r.get("id").text());
    // "gd-20240902-000124-not_released": what it must come to follows the third dash.
    const size_t dash = id.find('-', id.find('-', 3) + 1);
    if (!id.starts_with("gd-") || id.find('-', 3) == std::string::npos ||
        dash == std::string::npos) {
      check.mismatches.push_back("not a gate-day id: " + id);
      continue;
    }
    const std::string expect = id.substr(dash + 1);
    if (r.get("status").text() != "accepted") {
      check.mismatches.push_back(id + ": rejected");
      continue;
    }
    if (expect == "cmd") {
      ++check.other_commands;
      continue;
    }
    ++check.decisions;
    const bool open = r.get("decision").text() == "open";
    bool has_reason = false;
    for (JsonRef reason : r.get("reasons"))
      has_reason = has_reason || reason.get("code").text() == expect;
    if (expect == "open" ? !open || r.get("reasons").size() != 0 : open || !has_reason) {
      std::string got = id + ": got " + std::string(r.get("decision").text());
      for (JsonRef reason : r.get("reasons")) got += " " + std::string(reason.get("code").text());
      check.mismatches.push_back(std::move(got));
      continue;
    }
    if (open) {
      ++check.open;
    } else {
      ++check.stopped;
      ++check.stopped_by_reason[expect];
    }
  }
  return check;
}

}  // namespace zg::demo
