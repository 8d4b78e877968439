// register_enterprise and set_rate.
#include "core/currency.h"
#include "core/identifiers.h"
#include "engine/handlers.h"

namespace zg {

Status handle_register_enterprise(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields fields(ctx.command, "", errors);
  Enterprise e;
  const std::string_view uscc = fields.string("uscc");
  if (!uscc.empty()) {
    Status valid = validate_uscc(uscc);
    if (!valid.is_ok()) fields.fail(ErrorCode::kInvalidUscc, "uscc", valid.first().message);
  }
  e.uscc = std::string(uscc);
  e.name = std::string(fields.string("name"));
  e.facts.legal_person = fields.boolean("legal_person", true);
  e.facts.registered_in_zone = fields.boolean("registered_in_zone", true);
  e.macao_funded = fields.boolean("macao_funded", false);
  e.facts.duty_free_importer = fields.boolean("duty_free_importer", false);
  e.facts.encouraged_industry = fields.boolean("encouraged_industry", false);
  e.high_tech = fields.boolean("high_tech", false);
  e.facts.refund_eligible = fields.boolean("refund_eligible", false, true);
  const std::string_view grade = fields.string("credit_grade", false);
  e.credit_grade = grade.empty() ? "general" : std::string(grade);
  if (e.credit_grade != "advanced" && e.credit_grade != "general" &&
      e.credit_grade != "dishonest") {
    fields.fail(ErrorCode::kInvalidField, "credit_grade",
                "credit_grade \"" + e.credit_grade + "\" is not advanced, general or dishonest");
  }
  if (!errors.is_ok()) return errors;

  // Re-registering updates the record; the account book stays.
  auto [it, inserted] = ctx.state.enterprises.try_emplace(e.uscc);
  e.registered_seq = inserted ? ctx.seq : it->second.registered_seq;
  e.updated_seq = ctx.seq;
  it->second = std::move(e);
  ctx.state.books.try_emplace(it->first, it->first);
  out.field("enterprise", it->first);
  out.field("registered", inserted ? "new" : "updated");
  return Status::ok();
}

Status handle_set_rate(CommandContext& ctx, JsonWriter& out) {
  Status errors;
  Fields fields(ctx.command, "", errors);
  const std::string_view currency = fields.string("currency");
  if (!currency.empty() && find_currency(currency) == nullptr) {
    fields.fail(ErrorCode::kUnknownCurrency, "currency",
                "\"" + std::string(currency) + "\" is not an ISO 4217 currency code");
  }
  if (currency == "CNY") {
    fields.fail(ErrorCode::kInvalidField, "currency",
                "CNY is the zone's own currency; it has no rate");
  }
  const std::string_view month_text = fields.string("month");
  Month month{};
  if (!month_text.empty()) {
    Result<Month> parsed = parse_month(month_text);
    if (parsed.is_ok()) {
      month = *parsed;
    } else {
      fields.fail(ErrorCode::kInvalidField, "month", parsed.status().first().message);
    }
  }
  const auto rate = fields.fixed("cny_per_unit", kRateScale, kRatePpmMax, true, true);
  if (!errors.is_ok()) return errors;
  ctx.state.rate_overrides[rate_key(currency, month)] = RateOverride{Rate{*rate}, ctx.seq};
  out.field("currency", currency).field("month", month_text);
  out.field("cny_per_unit", format_fixed_trimmed(*rate, kRateScale, 4));
  return Status::ok();
}

}  // namespace zg
