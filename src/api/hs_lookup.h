// HS lookup for people declaring (docs/web.md): GET /v1/hs?q=wine finds the
// tariff lines of the pack version in force (what a declaration may name)
// and the Harmonized System's headings and subheadings (HS 2022, from
// ../shared/data/hs/, ODC-PDDL; compiled in) that match a code prefix or
// every word of the query, so a declarant can find the code for its goods.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.h"
#include "policy/policy.h"

namespace zg::api {

struct HsMatch {
  std::string code, description;
  int level = 0;     // 2, 4, 6 (the nomenclature) or 8 (a tariff line)
  std::string unit;  // a tariff line's unit
  bool in_tariff = false;
};

// At most `limit` matches: tariff lines first (by code), then the
// nomenclature's (by code). A code (digits, with dots or spaces if need be)
// matches the codes that start with it, the headings above it and, for a
// 10-digit code, its 8-digit line; words match descriptions where each word
// starts a word ("wine" finds wine, not swine), case-insensitively.
std::vector<HsMatch> hs_lookup(const PolicyVersion* version, std::string_view query, size_t limit);

HttpResponse hs_view(const PolicyVersion* version, std::string_view query, size_t limit);

// The HS 2022 nomenclature's CSV (section,hscode,description,parent,level),
// or "" when the build had none (generated: hs_data.cc).
std::string_view hs_nomenclature_csv();

}  // namespace zg::api
