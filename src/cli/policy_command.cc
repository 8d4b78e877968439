#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "policy/pack_loader.h"

namespace zg::cli {

int policy_command(const Args& args) {
  if (args.size() != 2 || args[0] != "check") {
    std::fputs("usage: zonegate policy check DIR\n", stderr);
    return 2;
  }
  Result<PolicyPack> pack = load_policy_pack(std::string(args[1]));
  if (!pack.is_ok()) {
    for (const Error& e : pack.status().errors()) {
      std::printf("%s: %s\n", e.field.c_str(), e.message.c_str());
    }
    std::fprintf(stderr, "%zu error(s)\n", pack.status().errors().size());
    return 1;
  }
  std::printf("pack %s (%s), utc offset %+d min, declaration prefix %s\n", pack->zone_id.c_str(),
              pack->zone_name.c_str(), pack->utc_offset_minutes, pack->declaration_prefix.c_str());
  for (const auto& v : pack->versions) {
    std::printf(
        "  version %s from %s: %zu tariff lines, %zu exchange rates, lists: prohibited %zu, "
        "licence_required %zu, first_line_exempt %zu, first_line_taxable %zu, refund_negative "
        "%zu; first line %s; value added %s >= %s; waiver CNY %s; %zu channels\n",
        v->id.c_str(), format_date(v->effective_from).c_str(), v->tariff.size(),
        v->exchange_rates.size(), v->prohibited.size(), v->licence_required.size(),
        v->first_line_exempt.size(), v->first_line_taxable.size(), v->refund_negative.size(),
        v->first_line_model == FirstLineModel::kPositiveList ? "positive list" : "negative list",
        std::string(value_added_formula_text(v->value_added_formula)).c_str(),
        format_rate(v->value_added_threshold).c_str(),
        format_money(v->tax_waiver_threshold).c_str(), v->channels.size());
  }
  std::puts("ok");
  return 0;
}

}  // namespace zg::cli
