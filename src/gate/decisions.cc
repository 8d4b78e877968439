#include "gate/decisions.h"

#include <algorithm>

namespace zg::gate {

std::string_view direction_name(Direction direction) {
  return direction == Direction::kIn ? "in" : "out";
}

bool parse_direction(std::string_view text, Direction& direction) {
  if (text == "in") {
    direction = Direction::kIn;
  } else if (text == "out") {
    direction = Direction::kOut;
  } else {
    return false;
  }
  return true;
}

namespace {

std::string line_text(int line) {
  return line == 0 ? "no line" : "line " + std::to_string(line);
}

void add(Decision& decision, std::string_view code, std::string declaration, std::string message) {
  decision.reasons.push_back(Reason{code, std::move(declaration), std::move(message)});
}

// Whether `weighed` lies within `tolerance` of `declared` (both kg × 10^4):
// |weighed - declared| <= declared × tolerance, exactly (128-bit products).
bool within_tolerance(int64_t weighed, int64_t declared, Rate tolerance) {
  const __int128 difference = weighed > declared ? weighed - declared : declared - weighed;
  return difference * kPpmPerUnit <= static_cast<__int128>(declared) * tolerance.ppm;
}

void check_declaration(const CargoArrival& arrival, const PresentedDeclaration& d,
                       Decision& decision) {
  const Channel& channel = *arrival.channel;
  if (!d.known) {
    add(decision, "unknown_declaration", d.number, "no declaration " + d.number + " in this zone");
    return;
  }
  if (d.line != channel.line) {
    add(decision, "wrong_line", d.number,
        d.number + " is a " + std::string(d.movement) + ", which crosses " + line_text(d.line) +
            "; channel " + channel.id + " is on line " + std::to_string(channel.line));
  }
  if (d.line != 0 && d.direction != arrival.direction) {
    add(decision, "wrong_direction", d.number,
        d.number + " goes " + std::string(direction_name(d.direction)) + "; the truck is going " +
            std::string(direction_name(arrival.direction)));
  }
  if (d.line == channel.line && !channel.serves_movement(d.movement)) {
    add(decision, "channel_not_designated", d.number,
        "channel " + channel.id + " is not designated for " + std::string(d.movement));
  }
  if (!d.declared_channel.empty() && d.declared_channel != channel.id) {
    add(decision, "channel_not_designated", d.number,
        d.number + " was declared to cross at " + std::string(d.declared_channel) + ", not " +
            channel.id);
  }
  if (d.crossed) {
    add(decision, "already_crossed", d.number, d.number + " has already crossed");
  } else if (!d.released) {
    add(decision, "not_released", d.number, d.number + " is held: customs has not released it");
  } else if (d.released_at > arrival.at) {
    // Decided on the arrival's own time: a truck dated before the release
    // (a device clock behind, or a record sent late) did not find it released.
    add(decision, "not_released", d.number,
        d.number + " was released only after this arrival's time");
  }
}

}  // namespace

Decision decide_cargo(const CargoArrival& arrival, const GateSettings& settings) {
  Decision decision;
  const Channel& channel = *arrival.channel;
  if (!channel.serves_kind("cargo")) {
    add(decision, "channel_not_designated", "", "channel " + channel.id + " does not serve cargo");
  }
  if (!channel.serves_direction(direction_name(arrival.direction))) {
    add(decision, "channel_not_designated", "",
        "channel " + channel.id + " does not serve the direction " +
            std::string(direction_name(arrival.direction)));
  }
  int64_t declared_gross = 0;
  bool every_weight_known = true;
  for (size_t i = 0; i < arrival.declarations.size(); ++i) {
    const PresentedDeclaration& d = arrival.declarations[i];
    const bool repeated = std::any_of(
        arrival.declarations.begin(), arrival.declarations.begin() + static_cast<long>(i),
        [&](const PresentedDeclaration& e) { return e.number == d.number; });
    if (repeated) {
      add(decision, "presented_twice", d.number, d.number + " is listed twice on this truck");
      continue;
    }
    check_declaration(arrival, d, decision);
    if (!d.known) {
      every_weight_known = false;
    } else if (d.gross_e4 < 0) {
      every_weight_known = false;
      add(decision, "weight_not_declared", d.number,
          d.number + " declares no gross weight, so the truck's weight cannot be checked");
    } else {
      declared_gross += d.gross_e4;
    }
  }
  if (every_weight_known &&
      !within_tolerance(arrival.weighed_gross_e4, declared_gross, settings.weight_tolerance)) {
    add(decision, "weight_out_of_tolerance", "",
        "the truck weighs " + format_fixed_trimmed(arrival.weighed_gross_e4, 4, 1) +
            " kg; its declarations say " + format_fixed_trimmed(declared_gross, 4, 1) +
            " kg, and the tolerance is " + format_rate(settings.weight_tolerance));
  }
  return decision;
}

Decision decide_vehicle(const Channel& channel, const VehiclePermit* permit,
                        std::string_view driver, Date date) {
  Decision decision;
  if (!channel.serves_kind("vehicle")) {
    add(decision, "channel_not_designated", "",
        "channel " + channel.id + " does not serve passenger vehicles");
  }
  if (channel.line == 2) {
    if (permit != nullptr) {
      add(decision, "single_plate_second_line", "",
          permit->plate + " holds single-plate permit " + permit->number +
              ": it may circulate only inside the zone");
    }
    return decision;
  }
  if (permit == nullptr) {
    add(decision, "no_permit", "", "no single-plate permit for this plate");
    return decision;
  }
  if (date < permit->valid_from || date > permit->valid_until) {
    add(decision, "permit_expired", "",
        "permit " + permit->number + " is valid from " + format_date(permit->valid_from) + " to " +
            format_date(permit->valid_until) + ", not on " + format_date(date));
  }
  if (date > permit->insurance_until) {
    add(decision, "insurance_expired", "",
        "the insurance of " + permit->plate + " ended on " + format_date(permit->insurance_until));
  }
  if (std::find(permit->drivers.begin(), permit->drivers.end(), driver) == permit->drivers.end()) {
    add(decision, "driver_not_registered", "",
        "the driver is not one of the drivers on permit " + permit->number);
  }
  return decision;
}

Decision decide_traveller(const TravellerPresentation& presented, const TravellerStanding& standing,
                          const GateSettings& settings) {
  Decision decision;
  const Channel& channel = *presented.channel;
  if (!channel.serves_kind("traveller")) {
    add(decision, "channel_not_designated", "",
        "channel " + channel.id + " does not serve travellers");
  }
  if (!standing.signature_ok) {
    add(decision, "bad_signature", "",
        "the credential does not verify: " + standing.signature_problem);
    return decision;
  }
  if (!standing.known) {
    // A valid signature on an unknown subject means the zone's key signed a
    // traveller it no longer has: never a reason to open.
    add(decision, "bad_signature", "",
        "the credential names a traveller this zone has not enrolled");
    return decision;
  }
  if (presented.date > standing.expires) {
    add(decision, "expired", "", "the credential expired on " + format_date(standing.expires));
  }
  if (standing.revoked) add(decision, "revoked", "", "the credential has been revoked");
  if (standing.watch_listed) add(decision, "watch_listed", "", "the traveller is on a watch list");
  if (presented.biometric_score < settings.biometric_threshold) {
    add(decision, "score_below_threshold", "",
        "biometric match " + format_rate(presented.biometric_score) + " is under the threshold " +
            format_rate(settings.biometric_threshold));
  }
  if (!presented.liveness) add(decision, "no_liveness", "", "the device saw no liveness");
  if (presented.direction == Direction::kIn && standing.inside) {
    add(decision, "already_inside", "", "a second entry without an exit since the last one");
  }
  if (presented.goods_to_declare) {
    add(decision, "goods_to_declare", "", "the traveller has goods to declare");
  }
  return decision;
}

}  // namespace zg::gate
