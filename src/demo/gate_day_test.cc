// The gates over a run of days: the fleet of single-plate cars is issued
// within the pack's monthly quota before the first day and renewed as it
// ends, so every car holds a valid permit on every day of a year's run.
#include "demo/gate_day.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "core/json.h"
#include "policy/pack_loader.h"
#include "policy/test_packs.h"

namespace zg::demo {
namespace {

using testing_packs::hengqin;

struct Permit {
  Date at, from, until;
};

TEST(GateZone, TheFleetKeepsValidPermitsWithinTheQuotaForAYear) {
  GateDayOptions options;
  options.business.day = Date{2025, 6, 2};  // the pack in force for the ten months before
  options.business.declarations = 0;        // the gates' side only
  options.business.enterprises = 0;
  options.travellers = 0;
  options.cars = 100'000;  // as many as ten months of quota allow
  GateZone zone(hengqin(), options);
  std::map<std::string, std::vector<Permit>> by_plate;
  std::map<Month, int> by_month;
  const int quota = hengqin().in_force(options.business.day)->gates.monthly_permit_quota;
  JsonDocument doc;
  for (int d = 0; d < 365; ++d) {
    const Date day = civil_from_days(days_from_civil(options.business.day) + d);
    for (const std::string& command : zone.preparation()) {
      ASSERT_TRUE(doc.parse(command).is_ok());
      const JsonRef c = doc.root();
      if (c.get("type").text() != "issue_vehicle_permit") continue;
      const Timestamp at = *parse_rfc3339(c.get("at").text());
      const Date local = local_date(at.unix_seconds, at.offset_minutes);
      ++by_month[month_of(local)];
      EXPECT_LT(local, day) << "issued before the day it is for: " << command;
      by_plate[std::string(c.get("plate").text())].push_back(
          Permit{local, *parse_date(c.get("valid_from").text()),
                 *parse_date(c.get("valid_until").text())});
    }
    EXPECT_EQ(zone.day(), day);
  }
  EXPECT_EQ(by_plate.size(), 10u * static_cast<size_t>(quota) * 95 / 100);
  for (const auto& [month, issued] : by_month) {
    EXPECT_LE(issued, quota) << format_month(month);
  }
  // Every plate holds a permit on every day of the run, one at a time.
  const int64_t first = days_from_civil(options.business.day);
  for (const auto& [plate, permits] : by_plate) {
    for (int64_t day = first; day < first + 365; ++day) {
      int valid = 0;
      for (const Permit& p : permits) {
        valid += days_from_civil(p.from) <= day && day <= days_from_civil(p.until);
      }
      ASSERT_EQ(valid, 1) << plate << " on " << format_date(civil_from_days(day));
    }
    EXPECT_GE(permits.size(), 2u) << plate;  // renewed once within the year
  }
}

}  // namespace
}  // namespace zg::demo
