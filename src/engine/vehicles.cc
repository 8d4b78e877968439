// Macao single-plate vehicles: permits (issue_vehicle_permit) and their
// crossings (vehicle_crossing). A permit lets a Macao car circulate inside
// the zone only; the pack sets the monthly quota of new permits.

#include <algorithm>

#include "engine/handlers.h"
#include "gate/plate.h"

namespace zg {
namespace {

constexpr size_t kVehicleTextMax = 64;

// The same day `months` later, or the month's last day when it has no such day.
Date months_later(Date from, int months) {
  const int index = from.year * 12 + (from.month - 1) + months;
  Date to{index / 12, index % 12 + 1, 1};
  const Date next_month{to.month == 12 ? to.year + 1 : to.year, to.month == 12 ? 1 : to.month + 1,
                        1};
  const int last_day = civil_from_days(days_from_civil(next_month) - 1).day;
  to.day = std::min(from.day, last_day);
  return to;
}

}  // namespace

Status handle_issue_vehicle_permit(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const PolicyVersion* policy = policy_in_force(ctx, errors);
  gate::VehiclePermit permit;
  permit.plate = f.string("plate");
  permit.owner = f.string("owner");
  for (const char* key : {"plate", "owner"}) {
    if (f.string(key, false).size() > kVehicleTextMax) {
      f.fail(ErrorCode::kInvalidField, key, std::string(key) + " is over 64 bytes");
    }
  }
  const int max_drivers = policy != nullptr ? policy->gates.permit_max_drivers : 2;
  for (std::string_view driver :
       string_list_field(f, "drivers", true, static_cast<uint32_t>(max_drivers), kVehicleTextMax)) {
    if (std::find(permit.drivers.begin(), permit.drivers.end(), driver) != permit.drivers.end()) {
      f.fail(ErrorCode::kInvalidField, "drivers",
             "driver " + std::string(driver) + " is listed twice");
    }
    permit.drivers.emplace_back(driver);
  }
  const std::string plate_key = gate::canonical_plate(permit.plate);
  if (!permit.plate.empty() && plate_key.empty()) {
    f.fail(ErrorCode::kInvalidField, "plate", "plate has no letters or digits");
  }
  const std::optional<Date> from = f.date("valid_from");
  const std::optional<Date> until = f.date("valid_until");
  const std::optional<Date> insured = f.date("insurance_until");
  if (from && until && policy != nullptr) {
    const int months = policy->gates.permit_max_months;
    if (*until < ctx.local_date) {
      f.fail(ErrorCode::kInvalidField, "valid_until",
             "the permit would already have ended, on " + format_date(*until));
    } else if (*until < *from) {
      f.fail(ErrorCode::kInvalidField, "valid_until", "valid_until is before valid_from");
    } else if (!(*until < months_later(*from, months))) {
      f.fail(ErrorCode::kInvalidField, "valid_until",
             "a permit is valid for at most " + std::to_string(months) + " months: from " +
                 format_date(*from) + " it must end before " +
                 format_date(months_later(*from, months)));
    }
  }
  if (from && insured && *insured < *from) {
    f.fail(ErrorCode::kInvalidField, "insurance_until",
           "the insurance ends on " + format_date(*insured) + ", before the permit starts on " +
               format_date(*from));
  } else if (insured && *insured < ctx.local_date) {
    f.fail(ErrorCode::kInvalidField, "insurance_until",
           "the insurance ended on " + format_date(*insured));
  }
  if (!errors.is_ok()) return errors;
  permit.valid_from = *from;
  permit.valid_until = *until;
  permit.insurance_until = *insured;

  GateState& gates = ctx.state.gates;
  if (auto it = gates.permits.find(plate_key);
      it != gates.permits.end() && !(it->second.valid_until < permit.valid_from)) {
    return Status(ErrorCode::kInvalidState, "plate",
                  permit.plate + " already holds permit " + it->second.number + " until " +
                      format_date(it->second.valid_until));
  }
  const Month month = month_of(ctx.local_date);
  const auto used = gates.permits_by_month.find(month);
  if ((used == gates.permits_by_month.end() ? 0 : used->second) >=
      policy->gates.monthly_permit_quota) {
    return Status(ErrorCode::kQuotaExhausted, "",
                  "the " + std::to_string(policy->gates.monthly_permit_quota) +
                      " new single-plate permits of " + format_month(month) +
                      " have all been issued");
  }
  const int issued = ++gates.permits_by_month[month];  // changes state only on acceptance
  permit.seq = ctx.seq;
  permit.number = sequence_id(ctx.pack.declaration_prefix, 'V', ctx.seq);
  out.field("permit", permit.number);
  out.field("plate", permit.plate);
  out.field("valid_from", format_date(permit.valid_from));
  out.field("valid_until", format_date(permit.valid_until));
  out.field("quota_used", static_cast<int64_t>(issued));
  out.field("quota", static_cast<int64_t>(policy->gates.monthly_permit_quota));
  gates.permits.insert_or_assign(plate_key, std::move(permit));
  return Status::ok();
}

Status handle_vehicle_crossing(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields f(ctx.command, "", errors);
  const PolicyVersion* policy = policy_in_force(ctx, errors);
  const Channel* channel = policy != nullptr ? channel_field(*policy, f) : nullptr;
  gate::Direction direction = gate::Direction::kIn;
  direction_field(f, direction);
  const std::string_view plate = f.string("plate");
  const std::string_view driver = f.string("driver");
  if (plate.size() > kVehicleTextMax)
    f.fail(ErrorCode::kInvalidField, "plate", "plate is over 64 bytes");
  if (driver.size() > kVehicleTextMax)
    f.fail(ErrorCode::kInvalidField, "driver", "driver is over 64 bytes");
  if (!errors.is_ok()) return errors;

  const auto it = ctx.state.gates.permits.find(gate::canonical_plate(plate));
  const gate::VehiclePermit* permit = it == ctx.state.gates.permits.end() ? nullptr : &it->second;
  gate::Decision decision = gate::decide_vehicle(*channel, permit, driver, ctx.local_date);
  if (!channel->serves_direction(gate::direction_name(direction))) {
    decision.reasons.push_back(gate::Reason{"channel_not_designated", "",
                                            "channel " + channel->id +
                                                " does not serve the direction " +
                                                std::string(gate::direction_name(direction))});
  }
  count_crossing(ctx, *channel, decision.open());
  out.field("channel", channel->id);
  out.field("direction", gate::direction_name(direction));
  out.field("plate", plate);
  if (permit != nullptr) out.field("permit", permit->number);
  write_decision(out, decision, "open", "refer");
  // "Cooperative inspection, one release": at the first line one decision
  // stands for both administrations.
  if (channel->line == 1) out.field_bool("joint", true);
  return Status::ok();
}

}  // namespace zg
