#include "engine/gate_events.h"

#include <gtest/gtest.h>

namespace zg {
namespace {

TEST(GateEvents, ReasonsAboutTheDeclarationOrTheTruckOnceEachThenOthers) {
  struct Case {
    std::string_view name;
    std::vector<gate::Reason> reasons;
    std::string want;
  };
  const Case cases[] = {
      {"open", {}, ""},
      {"its own", {{"not_released", "HQ1", ""}}, "not_released"},
      {"the truck's", {{"weight_out_of_tolerance", "", ""}}, "weight_out_of_tolerance"},
      {"another's only", {{"not_released", "HQ2", ""}}, "other_declaration"},
      {"each code once, others last",
       {{"channel_not_designated", "", ""},
        {"not_released", "HQ2", ""},
        {"channel_not_designated", "HQ1", ""},
        {"already_crossed", "HQ1", ""}},
       "channel_not_designated already_crossed other_declaration"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(gate_event_reasons(gate::Decision{c.reasons}, "HQ1"), c.want);
  }
}

TEST(GateEvents, KeepsTheLatestAndCountsTheEarlier) {
  GateEventLog log;
  for (uint64_t seq = 1; seq <= kGateEventsKept + 3; ++seq) {
    DeclarationGateEvent event;
    event.seq = seq;
    log.add(event);
  }
  ASSERT_EQ(log.latest.size(), kGateEventsKept);
  EXPECT_EQ(log.earlier, 3u);
  EXPECT_EQ(log.total(), kGateEventsKept + 3);
  EXPECT_EQ(log.latest.front().seq, 4u);
  EXPECT_EQ(log.latest.back().seq, kGateEventsKept + 3);
}

}  // namespace
}  // namespace zg
