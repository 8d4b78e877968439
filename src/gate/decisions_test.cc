// Table tests for the gate decisions (decisions.h; contract "Gates, vehicles
// and travellers"). Each row states what the gate presents and the reasons
// expected, in the order the decision lists them; a row expects `open`
// exactly when it expects no reason. Weights are kg × 10^4, rates ppm.
#include "gate/decisions.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zg::gate {
namespace {

constexpr Direction kIn = Direction::kIn;
constexpr Direction kOut = Direction::kOut;

// --- Channels ----------------------------------------------------------------

Channel channel(std::string_view id, int line, std::vector<std::string> directions,
                std::vector<std::string> kinds, std::vector<std::string> movements = {}) {
  Channel c;
  c.id = std::string(id);
  c.name = std::string(id);
  c.line = line;
  c.directions = std::move(directions);
  c.kinds = std::move(kinds);
  c.movements = std::move(movements);
  return c;
}

const Channel kPortCargo = channel("HENGQIN-PORT-CARGO", 1, {"in", "out"}, {"cargo"});
const Channel kPortCargoInOnly = channel("HENGQIN-PORT-CARGO-IN", 1, {"in"}, {"cargo"});
const Channel kBridgeCargo = channel("HENGQIN-BRIDGE-CARGO", 2, {"in", "out"}, {"cargo"});
// A second-line cargo channel designated for goods leaving for the mainland only.
const Channel kBridgeCargoExitsOnly =
    channel("HENGQIN-BRIDGE-CARGO-EXIT", 2, {"in", "out"}, {"cargo"}, {"second_line_exit"});
const Channel kPortVehicle = channel("HENGQIN-PORT-VEHICLE", 1, {"in", "out"}, {"vehicle"});
const Channel kBridgeVehicle = channel("HENGQIN-BRIDGE-VEHICLE", 2, {"in", "out"}, {"vehicle"});
const Channel kHallA = channel("HENGQIN-PORT-HALL-A", 1, {"in", "out"}, {"traveller"});
const Channel kFerry = channel("HENGQIN-FERRY", 2, {"in", "out"}, {"traveller"});
// Serves nothing at all: no kind, no direction.
const Channel kClosed = channel("HENGQIN-CLOSED", 1, {}, {});

// --- Cargo -------------------------------------------------------------------

constexpr std::string_view kHq1 = "HQ24050900001";
constexpr std::string_view kHq2 = "HQ24050900002";
constexpr std::string_view kHq3 = "HQ24050900003";
constexpr std::string_view kHq4 = "HQ24050900004";

constexpr int64_t k300Kg = 3'000'000;  // 300.0 kg
constexpr Rate kFivePercent{50'000};   // the contract's default tolerance
constexpr Rate kZeroTolerance{0};

// A known, released, uncrossed declaration that names no channel.
PresentedDeclaration known(std::string_view number, int line, Direction direction,
                           std::string_view movement, int64_t gross_e4) {
  PresentedDeclaration d;
  d.number = std::string(number);
  d.known = true;
  d.line = line;
  d.direction = direction;
  d.movement = movement;
  d.released = true;
  d.gross_e4 = gross_e4;
  return d;
}
PresentedDeclaration first_line_entry(std::string_view number, int64_t gross_e4 = k300Kg) {
  return known(number, 1, kIn, "first_line_entry", gross_e4);
}
PresentedDeclaration first_line_exit(std::string_view number, int64_t gross_e4 = k300Kg) {
  return known(number, 1, kOut, "first_line_exit", gross_e4);
}
PresentedDeclaration second_line_exit(std::string_view number, int64_t gross_e4 = k300Kg) {
  return known(number, 2, kOut, "second_line_exit", gross_e4);
}
PresentedDeclaration second_line_entry(std::string_view number, int64_t gross_e4 = k300Kg) {
  return known(number, 2, kIn, "second_line_entry", gross_e4);
}
// A transfer inside the zone crosses no line (line 0).
PresentedDeclaration transfer(std::string_view number, Direction direction) {
  return known(number, 0, direction, "transfer", k300Kg);
}
PresentedDeclaration unknown(std::string_view number) {
  PresentedDeclaration d;
  d.number = std::string(number);
  return d;
}
PresentedDeclaration held(PresentedDeclaration d) {
  d.released = false;
  return d;
}
PresentedDeclaration crossed(PresentedDeclaration d) {
  d.crossed = true;
  return d;
}
PresentedDeclaration declared_at(PresentedDeclaration d, std::string_view channel_id) {
  d.declared_channel = channel_id;
  return d;
}

struct WantReason {
  std::string_view code;
  std::string_view declaration;  // "" for reasons about the channel or the truck
};

struct CargoCase {
  std::string_view name;
  Channel channel = kPortCargo;
  Direction direction = kIn;
  int64_t weighed_gross_e4 = k300Kg;
  std::vector<PresentedDeclaration> declarations = {};
  Rate tolerance = kFivePercent;
  std::vector<WantReason> want = {};
  bool open = false;
};

TEST(CargoGate, DecisionTable) {
  const std::vector<CargoCase> cases = {
      // --- Open at each line and direction.
      {.name = "first-line entry at the port, going in",
       .declarations = {first_line_entry(kHq1)},
       .open = true},
      {.name = "first-line exit at the port, going out",
       .direction = kOut,
       .declarations = {first_line_exit(kHq1)},
       .open = true},
      {.name = "second-line exit at the bridge, going out",
       .channel = kBridgeCargo,
       .direction = kOut,
       .declarations = {second_line_exit(kHq1)},
       .open = true},
      {.name = "second-line entry at the bridge, going in",
       .channel = kBridgeCargo,
       .declarations = {second_line_entry(kHq1)},
       .open = true},

      // --- The channel's kinds and directions.
      {.name = "a vehicle channel does not serve cargo",
       .channel = kPortVehicle,
       .declarations = {first_line_entry(kHq1)},
       .want = {{"channel_not_designated", ""}}},
      {.name = "an in-only channel refuses a truck going out",
       .channel = kPortCargoInOnly,
       .direction = kOut,
       .declarations = {first_line_exit(kHq1)},
       .want = {{"channel_not_designated", ""}}},
      {.name = "an in-only channel opens for a truck going in",
       .channel = kPortCargoInOnly,
       .declarations = {first_line_entry(kHq1)},
       .open = true},
      {.name = "a channel serving nothing: kind, then direction",
       .channel = kClosed,
       .declarations = {first_line_entry(kHq1)},
       .want = {{"channel_not_designated", ""}, {"channel_not_designated", ""}}},

      // --- unknown_declaration. The weight cannot be checked, so it is not.
      {.name = "unknown declaration",
       .declarations = {unknown(kHq1)},
       .want = {{"unknown_declaration", kHq1}}},
      {.name = "unknown declaration beside a known one skips the weight check",
       .weighed_gross_e4 = 9 * k300Kg,
       .declarations = {first_line_entry(kHq1), unknown(kHq2)},
       .want = {{"unknown_declaration", kHq2}}},

      // --- wrong_line (line 0: a transfer crosses no line).
      {.name = "first-line declaration at a second-line channel",
       .channel = kBridgeCargo,
       .declarations = {first_line_entry(kHq1)},
       .want = {{"wrong_line", kHq1}}},
      {.name = "second-line declaration at a first-line channel",
       .direction = kOut,
       .declarations = {second_line_exit(kHq1)},
       .want = {{"wrong_line", kHq1}}},
      {.name = "transfer at a first-line channel",
       .declarations = {transfer(kHq1, kIn)},
       .want = {{"wrong_line", kHq1}}},
      {.name = "transfer at a second-line channel",
       .channel = kBridgeCargo,
       .direction = kOut,
       .declarations = {transfer(kHq1, kOut)},
       .want = {{"wrong_line", kHq1}}},
      {.name = "a transfer has no direction to be wrong about",
       .direction = kOut,
       .declarations = {transfer(kHq1, kIn)},
       .want = {{"wrong_line", kHq1}}},

      // --- wrong_direction.
      {.name = "entry declaration on a truck going out",
       .direction = kOut,
       .declarations = {first_line_entry(kHq1)},
       .want = {{"wrong_direction", kHq1}}},
      {.name = "second-line exit on a truck going in",
       .channel = kBridgeCargo,
       .declarations = {second_line_exit(kHq1)},
       .want = {{"wrong_direction", kHq1}}},
      {.name = "wrong line and wrong direction together",
       .channel = kBridgeCargo,
       .direction = kOut,
       .declarations = {first_line_entry(kHq1)},
       .want = {{"wrong_line", kHq1}, {"wrong_direction", kHq1}}},

      // --- channel_not_designated for a declaration.
      {.name = "channel's movements exclude the declaration's movement",
       .channel = kBridgeCargoExitsOnly,
       .declarations = {second_line_entry(kHq1)},
       .want = {{"channel_not_designated", kHq1}}},
      {.name = "channel's movements include the declaration's movement",
       .channel = kBridgeCargoExitsOnly,
       .direction = kOut,
       .declarations = {second_line_exit(kHq1)},
       .open = true},
      {.name = "wrong line is not also reported as an excluded movement",
       .channel = kBridgeCargoExitsOnly,
       .declarations = {first_line_entry(kHq1)},
       .want = {{"wrong_line", kHq1}}},
      {.name = "declaration named another channel",
       .channel = kBridgeCargo,
       .direction = kOut,
       .declarations = {declared_at(second_line_exit(kHq1), "HENGQIN-TUNNEL-CARGO")},
       .want = {{"channel_not_designated", kHq1}}},
      {.name = "declaration named this channel",
       .channel = kBridgeCargo,
       .direction = kOut,
       .declarations = {declared_at(second_line_exit(kHq1), "HENGQIN-BRIDGE-CARGO")},
       .open = true},
      {.name = "excluded movement and another channel named: both reported",
       .channel = kBridgeCargoExitsOnly,
       .declarations = {declared_at(second_line_entry(kHq1), "HENGQIN-TUNNEL-CARGO")},
       .want = {{"channel_not_designated", kHq1}, {"channel_not_designated", kHq1}}},

      // --- not_released, already_crossed.
      {.name = "not released",
       .declarations = {held(first_line_entry(kHq1))},
       .want = {{"not_released", kHq1}}},
      {.name = "already crossed",
       .declarations = {crossed(first_line_entry(kHq1))},
       .want = {{"already_crossed", kHq1}}},
      {.name = "already crossed replaces not released",
       .declarations = {crossed(held(first_line_entry(kHq1)))},
       .want = {{"already_crossed", kHq1}}},

      // --- presented_twice: the repeat is neither checked again nor weighed twice.
      {.name = "presented twice",
       .weighed_gross_e4 = k300Kg,
       .declarations = {first_line_entry(kHq1), first_line_entry(kHq1)},
       .want = {{"presented_twice", kHq1}}},
      {.name = "presented twice, the repeat differing, is reported once",
       .declarations = {first_line_entry(kHq1), held(first_line_entry(kHq1))},
       .want = {{"presented_twice", kHq1}}},

      // --- weight_not_declared: no sum to compare, so no tolerance check.
      {.name = "weight not declared",
       .weighed_gross_e4 = 9 * k300Kg,
       .declarations = {first_line_entry(kHq1, -1)},
       .want = {{"weight_not_declared", kHq1}}},
      {.name = "weight not declared on the second of two",
       .weighed_gross_e4 = 9 * k300Kg,
       .declarations = {first_line_entry(kHq1), first_line_entry(kHq2, -1)},
       .want = {{"weight_not_declared", kHq2}}},

      // --- weight_out_of_tolerance: 300.0 kg declared, 5 % is 15.0 kg either way.
      {.name = "weighed exactly as declared",
       .weighed_gross_e4 = 3'000'000,
       .declarations = {first_line_entry(kHq1)},
       .open = true},
      {.name = "weighed 315.0 kg: at the upper bound",
       .weighed_gross_e4 = 3'150'000,
       .declarations = {first_line_entry(kHq1)},
       .open = true},
      {.name = "weighed 285.0 kg: at the lower bound",
       .weighed_gross_e4 = 2'850'000,
       .declarations = {first_line_entry(kHq1)},
       .open = true},
      {.name = "weighed 315.0001 kg: over",
       .weighed_gross_e4 = 3'150'001,
       .declarations = {first_line_entry(kHq1)},
       .want = {{"weight_out_of_tolerance", ""}}},
      {.name = "weighed 284.9999 kg: under",
       .weighed_gross_e4 = 2'849'999,
       .declarations = {first_line_entry(kHq1)},
       .want = {{"weight_out_of_tolerance", ""}}},
      {.name = "zero tolerance, exact weight",
       .weighed_gross_e4 = 3'000'000,
       .declarations = {first_line_entry(kHq1)},
       .tolerance = kZeroTolerance,
       .open = true},
      {.name = "zero tolerance, 0.0001 kg over",
       .weighed_gross_e4 = 3'000'001,
       .declarations = {first_line_entry(kHq1)},
       .tolerance = kZeroTolerance,
       .want = {{"weight_out_of_tolerance", ""}}},
      {.name = "zero tolerance, 0.0001 kg under",
       .weighed_gross_e4 = 2'999'999,
       .declarations = {first_line_entry(kHq1)},
       .tolerance = kZeroTolerance,
       .want = {{"weight_out_of_tolerance", ""}}},

      // --- Several declarations: 100.0 + 150.0 + 50.0 = 300.0 kg.
      {.name = "three declarations summed, at the upper bound",
       .weighed_gross_e4 = 3'150'000,
       .declarations = {first_line_entry(kHq1, 1'000'000), first_line_entry(kHq2, 1'500'000),
                        first_line_entry(kHq3, 500'000)},
       .open = true},
      {.name = "three declarations summed, at the lower bound",
       .weighed_gross_e4 = 2'850'000,
       .declarations = {first_line_entry(kHq1, 1'000'000), first_line_entry(kHq2, 1'500'000),
                        first_line_entry(kHq3, 500'000)},
       .open = true},
      {.name = "three declarations summed, just over",
       .weighed_gross_e4 = 3'150'001,
       .declarations = {first_line_entry(kHq1, 1'000'000), first_line_entry(kHq2, 1'500'000),
                        first_line_entry(kHq3, 500'000)},
       .want = {{"weight_out_of_tolerance", ""}}},
      {.name = "each declaration matches the truck alone, but not their sum",
       .weighed_gross_e4 = k300Kg,
       .declarations = {first_line_entry(kHq1), first_line_entry(kHq2)},
       .want = {{"weight_out_of_tolerance", ""}}},

      // --- Several reasons at once: every one listed, in order.
      {.name = "everything wrong at once",
       .channel = kClosed,
       .direction = kOut,
       .weighed_gross_e4 = 9 * k300Kg,
       .declarations = {unknown(kHq1), held(first_line_entry(kHq2)),
                        crossed(second_line_exit(kHq3)), first_line_entry(kHq2),
                        declared_at(first_line_exit(kHq4, -1), "HENGQIN-PORT-CARGO")},
       .want = {{"channel_not_designated", ""},
                {"channel_not_designated", ""},
                {"unknown_declaration", kHq1},
                {"wrong_direction", kHq2},
                {"not_released", kHq2},
                {"wrong_line", kHq3},
                {"already_crossed", kHq3},
                {"presented_twice", kHq2},
                {"channel_not_designated", kHq4},
                {"weight_not_declared", kHq4}}},
      {.name = "held, going the wrong way and overweight",
       .direction = kOut,
       .weighed_gross_e4 = 4'000'000,
       .declarations = {held(first_line_entry(kHq1))},
       .want = {{"wrong_direction", kHq1},
                {"not_released", kHq1},
                {"weight_out_of_tolerance", ""}}},
      {.name = "two declarations' problems, then the weight",
       .weighed_gross_e4 = 2 * k300Kg,
       .declarations = {crossed(first_line_entry(kHq1)), held(first_line_entry(kHq2)),
                        first_line_entry(kHq3)},
       .want = {{"already_crossed", kHq1},
                {"not_released", kHq2},
                {"weight_out_of_tolerance", ""}}},
  };

  for (const CargoCase& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_EQ(c.open, c.want.empty()) << "the row contradicts itself";
    CargoArrival arrival;
    arrival.channel = &c.channel;
    arrival.direction = c.direction;
    arrival.weighed_gross_e4 = c.weighed_gross_e4;
    arrival.declarations = c.declarations;
    GateSettings settings;
    settings.weight_tolerance = c.tolerance;

    const Decision decision = decide_cargo(arrival, settings);

    std::vector<std::pair<std::string_view, std::string_view>> got;
    for (const Reason& reason : decision.reasons) {
      got.emplace_back(reason.code, reason.declaration);
      EXPECT_FALSE(reason.message.empty()) << reason.code;
    }
    std::vector<std::pair<std::string_view, std::string_view>> want;
    for (const WantReason& reason : c.want) want.emplace_back(reason.code, reason.declaration);
    EXPECT_EQ(got, want);
    EXPECT_EQ(decision.open(), c.open);
    EXPECT_EQ(decision.open(), decision.reasons.empty());
  }
}

TEST(CargoGate, OpenIffNoReasons) {
  Decision decision;
  EXPECT_TRUE(decision.open());
  decision.reasons.push_back(Reason{"not_released", std::string(kHq1), "held"});
  EXPECT_FALSE(decision.open());
}

TEST(CargoGate, WeightMessageNamesBothWeightsAndTheTolerance) {
  CargoArrival arrival;
  arrival.channel = &kPortCargo;
  arrival.weighed_gross_e4 = 3'150'001;
  arrival.declarations = {first_line_entry(kHq1)};
  const Decision decision = decide_cargo(arrival, GateSettings{});
  ASSERT_EQ(decision.reasons.size(), 1u);
  const std::string& message = decision.reasons[0].message;
  EXPECT_NE(message.find("315.0001"), std::string::npos) << message;
  EXPECT_NE(message.find("300.0"), std::string::npos) << message;
  EXPECT_NE(message.find("0.05"), std::string::npos) << message;
}

// --- Macao single-plate vehicles ---------------------------------------------

constexpr std::string_view kDriver = "H12345678";
constexpr std::string_view kSecondDriver = "M7654321";
constexpr Date kValidFrom{2024, 5, 2};
constexpr Date kValidUntil{2025, 5, 1};
constexpr Date kInsuranceUntil{2024, 12, 31};  // ends before the permit does

VehiclePermit permit(Date valid_from = kValidFrom, Date valid_until = kValidUntil,
                     Date insurance_until = kInsuranceUntil) {
  VehiclePermit p;
  p.number = "HQV00000012";
  p.plate = "MX-12-34";
  p.owner = "1234567(8)";
  p.drivers = {std::string(kDriver), std::string(kSecondDriver)};
  p.valid_from = valid_from;
  p.valid_until = valid_until;
  p.insurance_until = insurance_until;
  p.seq = 12;
  return p;
}

struct VehicleCase {
  std::string_view name;
  Channel channel = kPortVehicle;
  std::optional<VehiclePermit> permit = std::nullopt;  // nullopt: the plate holds none
  std::string_view driver = kDriver;
  Date date{2024, 8, 1};
  std::vector<std::string_view> want = {};
  bool open = false;
};

TEST(VehicleGate, DecisionTable) {
  const std::vector<VehicleCase> cases = {
      // --- First line.
      {.name = "permit in force, insured, driver on it", .permit = permit(), .open = true},
      {.name = "the second driver on the permit",
       .permit = permit(),
       .driver = kSecondDriver,
       .open = true},
      {.name = "no permit", .want = {"no_permit"}},
      {.name = "no permit at a channel not serving vehicles",
       .channel = kPortCargo,
       .want = {"channel_not_designated", "no_permit"}},
      {.name = "permit at a channel not serving vehicles",
       .channel = kPortCargo,
       .permit = permit(),
       .want = {"channel_not_designated"}},

      // --- valid_from and valid_until are inclusive.
      {.name = "on valid_from", .permit = permit(), .date = kValidFrom, .open = true},
      {.name = "the day before valid_from",
       .permit = permit(),
       .date = {2024, 5, 1},
       .want = {"permit_expired"}},
      {.name = "on valid_until",
       .permit = permit(kValidFrom, kValidUntil, kValidUntil),
       .date = kValidUntil,
       .open = true},
      {.name = "the day after valid_until",
       .permit = permit(kValidFrom, kValidUntil, Date{2025, 12, 31}),
       .date = {2025, 5, 2},
       .want = {"permit_expired"}},
      {.name = "a one-day permit, on its day",
       .permit = permit(kValidFrom, kValidFrom, kValidFrom),
       .date = kValidFrom,
       .open = true},

      // --- insurance_until is inclusive.
      {.name = "on insurance_until", .permit = permit(), .date = kInsuranceUntil, .open = true},
      {.name = "the day after insurance_until",
       .permit = permit(),
       .date = {2025, 1, 1},
       .want = {"insurance_expired"}},

      // --- driver_not_registered.
      {.name = "driver not on the permit",
       .permit = permit(),
       .driver = "H99999999",
       .want = {"driver_not_registered"}},
      {.name = "no driver given",
       .permit = permit(),
       .driver = "",
       .want = {"driver_not_registered"}},

      // --- Several at once, in order.
      {.name = "expired, uninsured, unknown driver",
       .permit = permit(),
       .driver = "H99999999",
       .date = {2025, 5, 2},
       .want = {"permit_expired", "insurance_expired", "driver_not_registered"}},
      {.name = "not yet valid and unknown driver",
       .permit = permit(),
       .driver = "H99999999",
       .date = {2024, 5, 1},
       .want = {"permit_expired", "driver_not_registered"}},
      {.name = "everything wrong at a cargo channel",
       .channel = kPortCargo,
       .permit = permit(),
       .driver = "H99999999",
       .date = {2025, 5, 2},
       .want = {"channel_not_designated", "permit_expired", "insurance_expired",
                "driver_not_registered"}},

      // --- Second line: a single-plate car may not cross; other cars are none of ours.
      {.name = "second line, permit holder",
       .channel = kBridgeVehicle,
       .permit = permit(),
       .want = {"single_plate_second_line"}},
      {.name = "second line, lapsed permit and unknown driver: only the second-line reason",
       .channel = kBridgeVehicle,
       .permit = permit(),
       .driver = "H99999999",
       .date = {2025, 5, 2},
       .want = {"single_plate_second_line"}},
      {.name = "second line, no permit", .channel = kBridgeVehicle, .open = true},
      {.name = "second line, no permit, channel not serving vehicles",
       .channel = kBridgeCargo,
       .want = {"channel_not_designated"}},
      {.name = "second line, permit, channel not serving vehicles",
       .channel = kBridgeCargo,
       .permit = permit(),
       .want = {"channel_not_designated", "single_plate_second_line"}},
  };

  for (const VehicleCase& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_EQ(c.open, c.want.empty()) << "the row contradicts itself";
    const VehiclePermit* presented_permit = c.permit.has_value() ? &*c.permit : nullptr;

    const Decision decision = decide_vehicle(c.channel, presented_permit, c.driver, c.date);

    std::vector<std::string_view> got;
    for (const Reason& reason : decision.reasons) {
      got.push_back(reason.code);
      EXPECT_FALSE(reason.message.empty()) << reason.code;
      EXPECT_EQ(reason.declaration, "") << reason.code;
    }
    EXPECT_EQ(got, c.want);
    EXPECT_EQ(decision.open(), c.open);
    EXPECT_EQ(decision.open(), decision.reasons.empty());
  }
}

// --- Travellers --------------------------------------------------------------

constexpr Date kCrossing{2024, 5, 3};
constexpr Date kExpires{2026, 5, 1};
constexpr Rate kThreshold{900'000};  // 0.90, the contract's default
constexpr Rate kGoodScore{987'000};

// A verified credential of an enrolled traveller, in force until kExpires,
// with nothing against it; the functions below each change one thing.
TravellerStanding good_standing() {
  TravellerStanding s;
  s.known = true;
  s.signature_ok = true;
  s.expires = kExpires;
  return s;
}
TravellerStanding expiring(Date expires, TravellerStanding s = good_standing()) {
  s.expires = expires;
  return s;
}
TravellerStanding revoked(TravellerStanding s = good_standing()) {
  s.revoked = true;
  return s;
}
TravellerStanding watch_listed(TravellerStanding s = good_standing()) {
  s.watch_listed = true;
  return s;
}
TravellerStanding inside(TravellerStanding s = good_standing()) {
  s.inside = true;
  return s;
}
TravellerStanding not_enrolled(TravellerStanding s = good_standing()) {
  s.known = false;
  return s;
}
TravellerStanding unverified(std::string_view problem, TravellerStanding s = good_standing()) {
  s.signature_ok = false;
  s.signature_problem = std::string(problem);
  return s;
}

const TravellerStanding kGoodStanding = good_standing();
// Everything a credential could claim is wrong too; only the signature decides.
const TravellerStanding kBadSignatureAndAllElse =
    unverified("the signature does not match",
               not_enrolled(inside(watch_listed(revoked(expiring(Date{2020, 1, 1}))))));

struct TravellerCase {
  std::string_view name;
  Channel channel = kHallA;
  Direction direction = kIn;
  Rate score = kGoodScore;
  bool liveness = true;
  bool goods_to_declare = false;
  Date date = kCrossing;
  TravellerStanding standing = kGoodStanding;
  Rate threshold = kThreshold;
  std::vector<std::string_view> want = {};
  bool open = false;
};

TEST(TravellerGate, DecisionTable) {
  const std::vector<TravellerCase> cases = {
      {.name = "everything in order, entering", .open = true},
      {.name = "everything in order, leaving", .direction = kOut, .open = true},
      {.name = "second-line traveller channel", .channel = kFerry, .open = true},

      // --- A bad signature stops everything.
      {.name = "bad signature",
       .standing = unverified("the signature does not match"),
       .want = {"bad_signature"}},
      {.name = "bad signature, with everything else wrong too",
       .score = Rate{0},
       .liveness = false,
       .goods_to_declare = true,
       .standing = kBadSignatureAndAllElse,
       .want = {"bad_signature"}},
      {.name = "bad signature without a stated problem",
       .standing = unverified(""),
       .want = {"bad_signature"}},
      // The channel is the gate's own fact, not the credential's claim, so it is
      // still reported before the signature stops the rest.
      {.name = "bad signature at a channel not serving travellers",
       .channel = kPortVehicle,
       .standing = kBadSignatureAndAllElse,
       .want = {"channel_not_designated", "bad_signature"}},
      {.name = "good signature on a subject the zone does not know",
       .standing = not_enrolled(),
       .want = {"bad_signature"}},
      {.name = "unknown subject, with everything else wrong too",
       .score = Rate{0},
       .liveness = false,
       .goods_to_declare = true,
       .standing = not_enrolled(inside(watch_listed(revoked(expiring(Date{2020, 1, 1}))))),
       .want = {"bad_signature"}},

      // --- expired: the expiry day is inclusive.
      {.name = "on the expiry day", .date = kExpires, .open = true},
      {.name = "the day after expiry", .date = {2026, 5, 2}, .want = {"expired"}},
      {.name = "expired at the turn of a year",
       .date = {2025, 1, 1},
       .standing = expiring(Date{2024, 12, 31}),
       .want = {"expired"}},

      // --- revoked, watch_listed.
      {.name = "revoked", .standing = revoked(), .want = {"revoked"}},
      {.name = "watch listed", .standing = watch_listed(), .want = {"watch_listed"}},

      // --- score_below_threshold: the threshold itself passes.
      {.name = "score 0.899999", .score = Rate{899'999}, .want = {"score_below_threshold"}},
      {.name = "score 0.900000", .score = Rate{900'000}, .open = true},
      {.name = "score 0", .score = Rate{0}, .want = {"score_below_threshold"}},
      {.name = "score 1", .score = Rate{1'000'000}, .open = true},
      {.name = "a zero threshold passes a zero score",
       .score = Rate{0},
       .threshold = Rate{0},
       .open = true},
      {.name = "a threshold of 1 refers 0.999999",
       .score = Rate{999'999},
       .threshold = Rate{1'000'000},
       .want = {"score_below_threshold"}},

      // --- no_liveness, goods_to_declare.
      {.name = "no liveness", .liveness = false, .want = {"no_liveness"}},
      {.name = "goods to declare", .goods_to_declare = true, .want = {"goods_to_declare"}},

      // --- already_inside: only an entry while inside.
      {.name = "entering while inside", .standing = inside(), .want = {"already_inside"}},
      {.name = "leaving while inside", .direction = kOut, .standing = inside(), .open = true},

      // --- The channel.
      {.name = "a vehicle channel does not serve travellers",
       .channel = kPortVehicle,
       .want = {"channel_not_designated"}},
      {.name = "a channel serving nothing", .channel = kClosed, .want = {"channel_not_designated"}},

      // --- Several at once, in a fixed order.
      {.name = "everything but the signature wrong",
       .channel = kPortVehicle,
       .score = Rate{899'999},
       .liveness = false,
       .goods_to_declare = true,
       .date = {2026, 5, 2},
       .standing = inside(watch_listed(revoked())),
       .want = {"channel_not_designated", "expired", "revoked", "watch_listed",
                "score_below_threshold", "no_liveness", "already_inside", "goods_to_declare"}},
      {.name = "goods and revoked: revoked first",
       .goods_to_declare = true,
       .standing = revoked(),
       .want = {"revoked", "goods_to_declare"}},
      {.name = "low score and no liveness, leaving while inside",
       .direction = kOut,
       .score = Rate{500'000},
       .liveness = false,
       .standing = inside(),
       .want = {"score_below_threshold", "no_liveness"}},
  };

  for (const TravellerCase& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_EQ(c.open, c.want.empty()) << "the row contradicts itself";
    TravellerPresentation presented;
    presented.channel = &c.channel;
    presented.direction = c.direction;
    presented.biometric_score = c.score;
    presented.liveness = c.liveness;
    presented.goods_to_declare = c.goods_to_declare;
    presented.date = c.date;
    GateSettings settings;
    settings.biometric_threshold = c.threshold;

    const Decision decision = decide_traveller(presented, c.standing, settings);

    std::vector<std::string_view> got;
    for (const Reason& reason : decision.reasons) {
      got.push_back(reason.code);
      EXPECT_FALSE(reason.message.empty()) << reason.code;
      EXPECT_EQ(reason.declaration, "") << reason.code;
    }
    EXPECT_EQ(got, c.want);
    EXPECT_EQ(decision.open(), c.open);
    EXPECT_EQ(decision.open(), decision.reasons.empty());
  }
}

TEST(TravellerGate, BadSignatureMessageCarriesTheProblem) {
  TravellerPresentation presented;
  presented.channel = &kHallA;
  presented.biometric_score = kGoodScore;
  presented.liveness = true;
  presented.date = kCrossing;
  const Decision decision = decide_traveller(presented, kBadSignatureAndAllElse, GateSettings{});
  ASSERT_EQ(decision.reasons.size(), 1u);
  EXPECT_EQ(decision.reasons[0].code, "bad_signature");
  EXPECT_NE(decision.reasons[0].message.find("the signature does not match"), std::string::npos)
      << decision.reasons[0].message;
}

}  // namespace
}  // namespace zg::gate
