#include "exchange/profile.h"

#include <gtest/gtest.h>

namespace zg::exchange {
namespace {

struct Case {
  const char* name;
  const char* command;
  const char* result;
  std::vector<std::string> fields;
  const char* body;
  std::vector<std::string> dropped;
  friend void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }
};

class ShareFields : public testing::TestWithParam<Case> {};

TEST_P(ShareFields, KeepsOnlyTheProfilesFields) {
  const Case& c = GetParam();
  JsonDocument command, result;
  ASSERT_TRUE(command.parse(c.command).is_ok());
  ASSERT_TRUE(result.parse(c.result).is_ok());
  const SharedBody shared = share_fields(command.root(), result.root(), c.fields);
  EXPECT_EQ(shared.body, c.body);
  EXPECT_EQ(shared.dropped, c.dropped);
}

// A declaration's command and result, shortened.
constexpr const char* kDeclare =
    R"({"type":"declare","id":"c1","at":"2024-05-09T09:00:00+08:00","received_at":"x",)"
    R"("declarant":"914404000MA4W2X05J","movement":"first_line_entry",)"
    R"("items":[{"hs":"22042100","origin":"FR","quantity":"600","value":"60000.00"},)"
    R"({"hs":"24022000","origin":"GB","quantity":"10","value":"5000.00"}]})";
constexpr const char* kAssessed =
    R"({"id":"c1","seq":7,"status":"accepted","declaration":"HQ24050900007","lane":"green",)"
    R"("items":[{"line":1,"hs":"22042100","duty":"8400.00"},{"line":2,"hs":"24022000","duty":"0.00"}],)"
    R"("totals":{"duty":"8400.00","vat":"9000.00"}})";

INSTANTIATE_TEST_SUITE_P(
    Profiles, ShareFields,
    testing::Values(
        Case{"whole_members_only",
             kDeclare,
             kAssessed,
             {"declaration", "declarant", "at"},
             R"({"at":"2024-05-09T09:00:00+08:00","declarant":"914404000MA4W2X05J",)"
             R"("declaration":"HQ24050900007"})",
             {"items", "lane", "movement", "totals"}},
        // Items merge element by element: what was declared and what was assessed.
        Case{"items_merge_and_filter",
             kDeclare,
             kAssessed,
             {"items.hs", "items.origin", "items.line"},
             R"({"items":[{"hs":"22042100","line":1,"origin":"FR"},)"
             R"({"hs":"24022000","line":2,"origin":"GB"}]})",
             {"at", "declarant", "declaration", "items.duty", "items.quantity", "items.value",
              "lane", "movement", "totals"}},
        Case{
            "whole_item_list",
            kDeclare,
            kAssessed,
            {"items"},
            R"({"items":[{"duty":"8400.00","hs":"22042100","line":1,"origin":"FR","quantity":"600",)"
            R"("value":"60000.00"},{"duty":"0.00","hs":"24022000","line":2,"origin":"GB",)"
            R"("quantity":"10","value":"5000.00"}]})",
            {"at", "declarant", "declaration", "lane", "movement", "totals"}},
        // The engine's bookkeeping never leaves, even when a profile names it.
        Case{"bookkeeping_never_shared",
             kDeclare,
             kAssessed,
             {"id", "seq", "status", "type", "lane"},
             R"({"lane":"green"})",
             {"at", "declarant", "declaration", "items", "movement", "totals"}},
        // A path below a plain value keeps nothing of it.
        Case{"path_below_a_string",
             kDeclare,
             kAssessed,
             {"lane.colour", "totals.vat"},
             R"({"totals":{"vat":"9000.00"}})",
             {"at", "declarant", "declaration", "items", "lane", "movement", "totals.duty"}},
        // The result wins where both say something different.
        Case{"result_wins",
             R"({"decision":"asked","n":1})",
             R"({"decision":"open"})",
             {"decision", "n"},
             R"({"decision":"open","n":1})",
             {}},
        // Arrays of different lengths do not merge: the result's stands.
        Case{"uneven_arrays",
             R"({"a":[1,2,3]})",
             R"({"a":[{"x":1}]})",
             {"a.x"},
             R"({"a":[{"x":1}]})",
             {}},
        // Strings in an array under a partial path are dropped.
        Case{"strings_under_partial_path",
             R"({"declarations":["HQ1","HQ2"]})",
             "{}",
             {"declarations.x"},
             R"({})",
             {"declarations"}},
        // Only a command (or only a result): the bookkeeping of either stays out.
        Case{"command_alone",
             R"({"id":"c","type":"t","received_at":"r","lane":"red"})",
             "[]",
             {"id", "type", "received_at", "lane"},
             R"({"lane":"red"})",
             {}},
        Case{"neither_an_object", "[]", "7", {"a"}, "{}", {}},
        // A partial path into objects that lack the field keeps nothing of them.
        Case{"objects_without_the_field",
             R"({"reasons":[{"message":"m"}],"totals":{"vat":"1.00"},"x":"y"})",
             "{}",
             {"reasons.code", "totals.duty", "x"},
             R"({"x":"y"})",
             {"reasons", "reasons.message", "totals", "totals.vat"}},
        Case{"empty_profile_keeps_nothing",
             kDeclare,
             kAssessed,
             {},
             "{}",
             {"at", "declarant", "declaration", "items", "lane", "movement", "totals"}}),
    [](const testing::TestParamInfo<Case>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace zg::exchange
