#include "core/status.h"

#include <cstdlib>

namespace zg {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {  // No default: -Wswitch flags a new code missing here.
    case ErrorCode::kMalformedJson: return "malformed_json";
    case ErrorCode::kMissingField: return "missing_field";
    case ErrorCode::kInvalidField: return "invalid_field";
    case ErrorCode::kInvalidAmount: return "invalid_amount";
    case ErrorCode::kUnknownType: return "unknown_type";
    case ErrorCode::kUnknownMovement: return "unknown_movement";
    case ErrorCode::kUnknownPurpose: return "unknown_purpose";
    case ErrorCode::kInvalidUscc: return "invalid_uscc";
    case ErrorCode::kUnknownEnterprise: return "unknown_enterprise";
    case ErrorCode::kNotInZone: return "not_in_zone";
    case ErrorCode::kUnknownHsCode: return "unknown_hs_code";
    case ErrorCode::kUnitMismatch: return "unit_mismatch";
    case ErrorCode::kUnknownCurrency: return "unknown_currency";
    case ErrorCode::kNoRateForMonth: return "no_rate_for_month";
    case ErrorCode::kProhibitedGoods: return "prohibited_goods";
    case ErrorCode::kLicenceRequired: return "licence_required";
    case ErrorCode::kUnknownItem: return "unknown_item";
    case ErrorCode::kInsufficientStock: return "insufficient_stock";
    case ErrorCode::kIdConflict: return "id_conflict";
    case ErrorCode::kAtOutOfWindow: return "at_out_of_window";
    case ErrorCode::kForbidden: return "forbidden";
    case ErrorCode::kUnknownDeclaration: return "unknown_declaration";
    case ErrorCode::kInvalidState: return "invalid_state";
    case ErrorCode::kNoPolicyInForce: return "no_policy_in_force";
    case ErrorCode::kMixedGoodsStatus: return "mixed_goods_status";
    case ErrorCode::kNotEligible: return "not_eligible";
    case ErrorCode::kPolicyInvalid: return "policy_invalid";
    case ErrorCode::kIoError: return "io_error";
    case ErrorCode::kCorruption: return "corruption";
    case ErrorCode::kUnsupportedFormat: return "unsupported_format";
    case ErrorCode::kUsage: return "usage";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kUnknownChannel: return "unknown_channel";
    case ErrorCode::kQuotaExhausted: return "quota_exhausted";
    case ErrorCode::kUnknownTraveller: return "unknown_traveller";
    case ErrorCode::kInvalidDocument: return "invalid_document";
    case ErrorCode::kFenced: return "fenced";
  }
  std::abort();  // Unreachable: every enumerator returns above.
}

Status Status::under(std::string_view prefix) const {
  Status out;
  for (const Error& e : errors_) {
    std::string field(prefix);
    if (!e.field.empty()) {
      if (e.field.front() != '[') field += '.';
      field += e.field;
    }
    out.add(e.code, std::move(field), e.message);
  }
  return out;
}

}  // namespace zg
