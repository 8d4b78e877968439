// The read views of the HTTP API: JSON of the zone's read models. Each
// runs on the zone's thread (Zone::read), so it sees a consistent state.
// Who may see what is decided before (routes.cc), except where only the
// state knows the owner (a declaration by its number).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/http.h"
#include "api/tokens.h"
#include "engine/engine.h"
#include "engine/gate_figures.h"

namespace zg::api {

// A page of a list: after the cursor `after` ("" from the start), at most `limit`.
struct Page {
  std::string after;
  size_t limit = 100;
};

struct DeclarationFilter {
  std::string declarant;  // "" for all
  std::optional<Movement> movement;
  Date from{0, 1, 1};
  Date to{9999, 12, 31};
  std::optional<Lane> lane;
  std::optional<bool> held;
};

HttpResponse declarations_view(const Engine& engine, const DeclarationFilter& filter,
                               const Page& page);
// 404 when unknown, 403 when it is another enterprise's (enterprise tokens).
HttpResponse declaration_view(const Engine& engine, std::string_view number,
                              const Principal& principal);
HttpResponse enterprises_view(const Engine& engine, const Page& page);
HttpResponse enterprise_view(const Engine& engine, std::string_view uscc);
HttpResponse book_view(const Engine& engine, std::string_view uscc);
HttpResponse lots_view(const Engine& engine, std::string_view uscc);
HttpResponse postings_view(const Engine& engine, std::string_view uscc, const Page& page);
HttpResponse taxes_view(const Engine& engine, Date from, Date to);
// The gates' figures (engine/gate_figures.h, docs/gates.md).
HttpResponse gate_figures_view(const Engine& engine, const FigureRange& range);
// The pack's monthly rates and the set_rate overrides in force.
HttpResponse rates_view(const Engine& engine, std::string_view currency,
                        std::optional<Month> month);
// The pack's versions and the one in force on `today` (local date).
HttpResponse policy_view(const PolicyPack& pack, std::string_view pack_hash, Date today);

}  // namespace zg::api
