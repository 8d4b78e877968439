#include "api/figures_view.h"

#include <array>

#include "core/json.h"
#include "engine/book_json.h"

namespace zg::api {
namespace {

constexpr std::array kMovements = {Movement::kFirstLineEntry,  Movement::kFirstLineExit,
                                   Movement::kSecondLineEntry, Movement::kSecondLineExit,
                                   Movement::kTransfer,        Movement::kSaleToIndividual};
constexpr std::array kLanes = {Lane::kGreen, Lane::kBlue, Lane::kYellow, Lane::kRed};

}  // namespace

HttpResponse declaration_figures_view(const Engine& engine, Date from, Date to) {
  // One pass over the declarations (kept in sequence order, a few dozen
  // bytes each): a year of a zone's is well under a second.
  std::array<TaxTotals, 6> by_movement{};
  std::array<int64_t, 4> by_lane{};
  int64_t held = 0;
  for (const DeclarationRecord& d : engine.state().declarations) {
    if (d.seq == 0 || d.date < from || to < d.date) continue;
    by_movement[static_cast<size_t>(d.movement)].add(d.totals);
    ++by_lane[static_cast<size_t>(d.lane)];
    held += d.held ? 1 : 0;
  }
  std::string body;
  JsonWriter w(body);
  w.begin_object().field("from", format_date(from)).field("to", format_date(to));
  w.key("by_movement").begin_array();
  for (Movement m : kMovements) {
    const TaxTotals& t = by_movement[static_cast<size_t>(m)];
    w.begin_object().field("movement", movement_name(m)).field("line", movement_line(m));
    w.field("declarations", t.count);
    write_tax_totals(w, t);
    w.end_object();
  }
  w.end_array().key("by_lane").begin_array();
  for (Lane lane : kLanes) {
    w.begin_object().field("lane", lane_name(lane));
    w.field("declarations", by_lane[static_cast<size_t>(lane)]).end_object();
  }
  w.end_array().field("held", held).end_object();
  HttpResponse response;
  response.body = std::move(body);
  return response;
}

}  // namespace zg::api
