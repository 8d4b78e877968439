#include <algorithm>
#include <charconv>

#include "core/identifiers.h"
#include "engine/handlers.h"

namespace zg {

const PolicyVersion* policy_in_force(const CommandContext& ctx, Status& errors) {
  const PolicyVersion* policy = ctx.pack.in_force(ctx.local_date);
  if (policy == nullptr) {
    errors.add(ErrorCode::kNoPolicyInForce, "at",
               "no version of the " + ctx.pack.zone_id + " policy pack is in force on " +
                   format_date(ctx.local_date));
  }
  return policy;
}

const Enterprise* enterprise_field(const CommandContext& ctx, Fields& fields, std::string_view key,
                                   bool in_zone) {
  const std::string_view uscc = fields.string(key);
  if (uscc.empty()) return nullptr;
  Status valid = validate_uscc(uscc);
  if (!valid.is_ok()) {
    fields.fail(ErrorCode::kInvalidUscc, key, valid.first().message);
    return nullptr;
  }
  const Enterprise* enterprise = ctx.state.enterprise(uscc);
  if (enterprise == nullptr) {
    fields.fail(ErrorCode::kUnknownEnterprise, key,
                "enterprise " + std::string(uscc) + " is not registered");
    return nullptr;
  }
  if (in_zone && !enterprise->facts.registered_in_zone) {
    fields.fail(ErrorCode::kNotInZone, key,
                "enterprise " + std::string(uscc) + " is not registered in the zone");
    return nullptr;
  }
  return enterprise;
}

std::string rate_key(std::string_view currency, Month month) {
  std::string key(currency);
  key += ' ';
  key += format_month(month);
  return key;
}

std::optional<FxRate> exchange_rate(const CommandContext& ctx, const PolicyVersion& policy,
                                    std::string_view currency, Month month) {
  const std::string month_text = format_month(month);
  auto it = ctx.state.rate_overrides.find(rate_key(currency, month));
  if (it != ctx.state.rate_overrides.end()) {
    return FxRate{it->second.cny_per_unit, "fx/" + std::string(currency) + "/" + month_text +
                                               "@set_rate/" + std::to_string(it->second.seq)};
  }
  if (std::optional<Rate> rate = policy.exchange_rates.find(currency, month)) {
    // The pack's own rate: the result's "policy" names the version.
    return FxRate{*rate, "fx/" + std::string(currency) + "/" + month_text};
  }
  return std::nullopt;
}

std::string declaration_number(std::string_view prefix, Date date, uint64_t seq) {
  // By hand, not snprintf: every declaration's result and every line of a
  // book names one, and the format parser cost more than the digits.
  char digits[20];
  const char* end = std::to_chars(digits, digits + sizeof digits, seq).ptr;
  const auto length = static_cast<size_t>(end - digits);
  std::string number;
  number.reserve(prefix.size() + 6 + std::max<size_t>(length, 5));
  number.append(prefix);
  for (const int two : {date.year % 100, date.month, date.day}) {
    number.push_back(static_cast<char>('0' + two / 10));
    number.push_back(static_cast<char>('0' + two % 10));
  }
  if (length < 5) number.append(5 - length, '0');  // "%05llu"
  number.append(digits, length);
  return number;
}

std::string sequence_id(std::string_view prefix, char kind, uint64_t seq) {
  std::string digits = std::to_string(seq);
  if (digits.size() < 8) digits.insert(0, 8 - digits.size(), '0');
  return std::string(prefix) + kind + digits;
}

std::string tariff_rule(const TariffLine& line) {
  // The version is the result's "policy" field; no need to repeat it here.
  return "tariff/" + line.hs;
}

}  // namespace zg
