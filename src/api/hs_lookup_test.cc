#include "api/hs_lookup.h"

#include <gtest/gtest.h>

namespace zg::api {
namespace {

PolicyVersion tariff_of(std::initializer_list<std::pair<const char*, const char*>> lines) {
  PolicyVersion version;
  for (const auto& [hs, description] : lines) {
    TariffLine line;
    line.hs = hs;
    line.description = description;
    line.unit = "kg";
    version.tariff.add(line);
  }
  return version;
}

struct Case {
  const char* query;
  std::vector<std::string> first;  // the first matches' codes, in order
  bool first_in_tariff;
};

class HsLookup : public testing::TestWithParam<Case> {};

TEST_P(HsLookup, FindsTariffLinesFirstThenHeadings) {
  const PolicyVersion version = tariff_of({{"22042100", "Wine of fresh grapes, 2 L or less"},
                                           {"02032900", "Frozen swine meat, other"},
                                           {"22083000", "Whiskies"},
                                           {"85423100", "Processors and controllers"}});
  const Case& c = GetParam();
  const std::vector<HsMatch> found = hs_lookup(&version, c.query, 50);
  ASSERT_GE(found.size(), c.first.size()) << c.query;
  for (size_t i = 0; i < c.first.size(); ++i) EXPECT_EQ(found[i].code, c.first[i]) << c.query;
  if (!found.empty()) {
    EXPECT_EQ(found[0].in_tariff, c.first_in_tariff) << c.query;
  }
  for (const HsMatch& m : found) {
    if (m.in_tariff) {
      EXPECT_EQ(m.level, 8);
      EXPECT_EQ(m.unit, "kg");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Queries, HsLookup,
    testing::Values(
        // Words: the tariff line, then the nomenclature's wine headings —
        // not swine: a word matches where a word starts.
        Case{"wine", {"22042100", "2204"}, true},
        // A code with the usual dots, and a 10-digit code's 8-digit line.
        Case{"2204.21", {"22042100"}, true}, Case{"2204210000", {"22042100"}, true},
        // A code prefix: the line under it, then the headings above and under it.
        Case{"2204", {"22042100", "22"}, true},
        // A heading's words lead to the tariff lines under it: "whiskies" is
        // the line's own text, "spirits" only the heading's.
        Case{"WHISKIES", {"22083000"}, true},
        // Words must all be there.
        Case{"wine processors", {}, true}, Case{"zzzz", {}, true}));

TEST(HsLookup, TheNomenclatureIsBuiltIn) {
  // HS 2022 from the shared data: a heading with no tariff line is found.
  if (hs_nomenclature_csv().empty()) GTEST_SKIP() << "built without ../shared/data/hs";
  const std::vector<HsMatch> found = hs_lookup(nullptr, "0101", 10);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0].code, "01");
  EXPECT_FALSE(found[0].in_tariff);
  EXPECT_EQ(hs_lookup(nullptr, "horses live", 2).size(), 2u);  // every word, any order
}

TEST(HsLookup, KeepsToTheLimit) {
  EXPECT_EQ(hs_lookup(nullptr, "0", 3).size(), 3u);
  EXPECT_TRUE(hs_lookup(nullptr, "", 3).empty());
}

}  // namespace
}  // namespace zg::api
