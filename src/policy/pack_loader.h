// Loading a policy pack from its directory (format: docs/policy-pack.md).
//
// The only part of Zonegate below the engine that reads files; it runs once,
// at start-up. Every problem found is reported, each as an Error whose field
// is "file:line" (or "file" when no line applies) and whose message says
// what is wrong, so `zonegate policy check` can print them all at once.
#pragma once

#include <string>

#include "core/status.h"
#include "policy/policy.h"

namespace zg {

Result<PolicyPack> load_policy_pack(const std::string& directory);

// The tariff and exchange-rate CSV readers, exposed for tests and benches.
// `file` names the source in error messages.
Status load_tariff_csv(std::string_view text, const std::string& file, TariffSchedule& out);
Status load_fx_csv(std::string_view text, const std::string& file, ExchangeRates& out);
Status load_hs_list_csv(std::string_view text, const std::string& file, HsList& out);

}  // namespace zg
