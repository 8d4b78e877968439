#include "policy/pack_loader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace zg {
namespace {

namespace fs = std::filesystem;

std::string shipped_pack(std::string_view zone) {
  return std::string(ZG_SOURCE_DIR) + "/policies/" + std::string(zone);
}

// Every error of a failed load, one "field: message" per line, for failure output.
std::string describe(const Status& status) {
  std::string out;
  for (const Error& e : status.errors()) out += "  " + e.field + ": " + e.message + "\n";
  return out;
}

// A pack written to a fresh directory under the system temp directory, removed afterwards.
class TempPack {
 public:
  // Relative path -> contents.
  using Files = std::map<std::string, std::string>;

  explicit TempPack(const Files& files) {
    static std::atomic<int> counter{0};
    std::random_device random;
    root_ = fs::temp_directory_path() / ("zg-pack-test-" + std::to_string(random()) + "-" +
                                         std::to_string(counter.fetch_add(1)));
    fs::create_directories(root_);
    for (const auto& [path, text] : files) {
      const fs::path full = root_ / path;
      fs::create_directories(full.parent_path());
      std::ofstream out(full, std::ios::binary);
      out << text;
    }
  }
  ~TempPack() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  TempPack(const TempPack&) = delete;
  TempPack& operator=(const TempPack&) = delete;

  std::string dir() const { return root_.string(); }
  // How the loader names a file of this pack in an error's field.
  std::string where(std::string_view relative) const {
    return (root_ / relative).lexically_normal().string();
  }

 private:
  fs::path root_;
};

// ---- the shipped packs -----------------------------------------------------

TEST(PolicyPackShipped, HengqinLoads) {
  Result<PolicyPack> pack = load_policy_pack(shipped_pack("hengqin"));
  ASSERT_TRUE(pack.is_ok()) << describe(pack.status());
  EXPECT_EQ(pack->zone_id, "hengqin");
  EXPECT_EQ(pack->utc_offset_minutes, 480);
  EXPECT_EQ(pack->declaration_prefix, "HQ");
  ASSERT_EQ(pack->versions.size(), 1u);
  const PolicyVersion& v = *pack->versions[0];
  EXPECT_EQ(v.id, "hengqin@2024-03-01");
  EXPECT_EQ(v.effective_from, (Date{2024, 3, 1}));

  EXPECT_EQ(v.tariff.size(), 41u);
  const TariffLine* laptop = v.tariff.find("8471300000");  // 10 digits: its 8-digit line
  ASSERT_NE(laptop, nullptr);
  EXPECT_EQ(laptop->hs, "84713000");
  const TariffLine* whisky = v.tariff.find("22083000");
  ASSERT_NE(whisky, nullptr);
  EXPECT_EQ(whisky->ct_kind, ExciseKind::kCompound);
  EXPECT_EQ(whisky->ct_rate.ppm, 200'000);
  EXPECT_EQ(whisky->ct_specific.ppm, 912'000);
  const TariffLine* wings = v.tariff.find("02071422");
  ASSERT_NE(wings, nullptr);
  EXPECT_EQ(wings->duty_kind, DutyKind::kSpecific);
  EXPECT_EQ(wings->duty_specific.ppm, 1'300'000);

  EXPECT_EQ(v.exchange_rates.size(), 180u);
  EXPECT_EQ(v.exchange_rates.find("USD", Month{2024, 3}), Rate{7'084'700});

  EXPECT_EQ(v.first_line_model, FirstLineModel::kPositiveList);
  EXPECT_TRUE(v.first_line_exempt.contains("84798999"));
  EXPECT_FALSE(v.first_line_exempt.contains("84181020"));  // 8418 exclude under 84
  EXPECT_FALSE(v.first_line_exempt.contains("87032300"));
  EXPECT_EQ(v.first_line_taxable.size(), 0u);
  EXPECT_TRUE(v.licence_required.contains("24022000"));
  EXPECT_TRUE(v.refund_negative.contains("22042100"));
  EXPECT_FALSE(v.value_added_requires_encouraged_industry);
  EXPECT_EQ(v.value_added_formula, ValueAddedFormula::kOverMaterials);
  EXPECT_EQ(v.value_added_threshold.ppm, 300'000);
  EXPECT_EQ(v.tax_waiver_threshold, Money::yuan(50));
  EXPECT_EQ(v.supervision_years("88023000"), 8);
  EXPECT_EQ(v.supervision_years("87032300"), 6);
  EXPECT_EQ(v.supervision_years("84295212"), 3);
  EXPECT_EQ(v.channels.size(), 8u);
  const Channel* port = v.find_channel("HENGQIN-PORT-CARGO");
  ASSERT_NE(port, nullptr);
  EXPECT_EQ(port->line, 1);
}

TEST(PolicyPackShipped, HainanLoadsWithTheNegativeListModel) {
  Result<PolicyPack> pack = load_policy_pack(shipped_pack("hainan"));
  ASSERT_TRUE(pack.is_ok()) << describe(pack.status());
  EXPECT_EQ(pack->zone_id, "hainan");
  EXPECT_EQ(pack->utc_offset_minutes, 480);
  EXPECT_EQ(pack->declaration_prefix, "HN");
  ASSERT_EQ(pack->versions.size(), 1u);
  const PolicyVersion& v = *pack->versions[0];
  EXPECT_EQ(v.id, "hainan@2025-12-18");
  EXPECT_EQ(v.tariff.size(), 41u);
  EXPECT_EQ(v.exchange_rates.find("MOP", Month{2025, 12}), Rate{887'800});

  EXPECT_EQ(v.first_line_model, FirstLineModel::kNegativeList);
  EXPECT_EQ(v.first_line_exempt.size(), 0u);
  EXPECT_TRUE(v.first_line_taxable.contains("87032300"));   // motor cars: taxed
  EXPECT_FALSE(v.first_line_taxable.contains("87131000"));  // 8713 exclude under 87
  EXPECT_TRUE(v.first_line_taxable.contains("22083000"));
  EXPECT_TRUE(v.first_line_taxable.contains("02071422"));
  EXPECT_FALSE(v.first_line_taxable.contains("84713000"));  // not listed: zero-tariff
  EXPECT_FALSE(v.first_line_taxable.contains("88023000"));
  EXPECT_TRUE(v.value_added_requires_encouraged_industry);
  EXPECT_EQ(v.transfer_vat, TransferVat::kTaxable);
  EXPECT_FALSE(v.refund_on_second_line_entry);
  const Channel* yangpu = v.find_channel("YANGPU-PORT-CARGO");
  ASSERT_NE(yangpu, nullptr);
  EXPECT_EQ(yangpu->line, 1);
  const Channel* xinhai = v.find_channel("HAIKOU-XINHAI-PORT-CARGO");
  ASSERT_NE(xinhai, nullptr);
  EXPECT_EQ(xinhai->line, 2);
}

// ---- version selection -----------------------------------------------------

constexpr std::string_view kTariffHeader =
    "hs,description,unit,duty_kind,duty_rate,duty_specific,vat_rate,ct_kind,ct_rate,ct_specific,"
    "export_refund_rate\n";
constexpr std::string_view kLaptopLine =
    "84713000,Portable computers,pcs,ad_valorem,0.00,,0.13,none,,,0.13\n";
constexpr std::string_view kFx = "month,currency,cny_per_unit\n2024-01,USD,7.1085\n";
constexpr std::string_view kPolicy =
    "[tariff]\n"
    "schedule = \"tariff.csv\"\n"
    "exchange_rates = \"fx.csv\"\n";

TEST(PolicyPackVersions, TheVersionInForceIsTheLatestOnOrBeforeTheLocalDate) {
  const std::string tariff = std::string(kTariffHeader) + std::string(kLaptopLine);
  const TempPack files({
      {"pack.toml",
       "[zone]\nid = \"t\"\nutc_offset = \"+08:00\"\n"
       "[[versions]]\neffective_from = \"2024-01-01\"\npath = \"first\"\n"
       "[[versions]]\neffective_from = \"2024-07-01\"\n"},  // path defaults to the date
      {"first/policy.toml", std::string(kPolicy)},
      {"first/tariff.csv", tariff},
      {"first/fx.csv", std::string(kFx)},
      {"2024-07-01/policy.toml", std::string(kPolicy) + "[value_added]\nformula = \"(S-M)/M\"\n"},
      {"2024-07-01/tariff.csv", tariff},
      {"2024-07-01/fx.csv", std::string(kFx)},
  });
  Result<PolicyPack> pack = load_policy_pack(files.dir());
  ASSERT_TRUE(pack.is_ok()) << describe(pack.status());
  ASSERT_EQ(pack->versions.size(), 2u);
  EXPECT_EQ(pack->versions[0]->id, "t@2024-01-01");
  EXPECT_EQ(pack->versions[1]->id, "t@2024-07-01");

  struct Case {
    Date local;
    const char* want_id;  // nullptr: nothing in force
  };
  const Case kCases[] = {
      {{2023, 12, 31}, nullptr},       {{2024, 1, 1}, "t@2024-01-01"},
      {{2024, 6, 30}, "t@2024-01-01"}, {{2024, 7, 1}, "t@2024-07-01"},
      {{2099, 1, 1}, "t@2024-07-01"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(format_date(c.local));
    const PolicyVersion* v = pack->in_force(c.local);
    if (c.want_id == nullptr) {
      EXPECT_EQ(v, nullptr);
    } else {
      ASSERT_NE(v, nullptr);
      EXPECT_EQ(v->id, c.want_id);
    }
  }
  EXPECT_EQ(pack->in_force({2024, 7, 1})->value_added_formula, ValueAddedFormula::kOverForeign);
}

TEST(PolicyPackVersions, NothingIsInForceBeforeAShippedPackStarts) {
  Result<PolicyPack> hengqin = load_policy_pack(shipped_pack("hengqin"));
  ASSERT_TRUE(hengqin.is_ok()) << describe(hengqin.status());
  EXPECT_EQ(hengqin->in_force({2024, 2, 29}), nullptr);
  EXPECT_NE(hengqin->in_force({2024, 3, 1}), nullptr);

  Result<PolicyPack> hainan = load_policy_pack(shipped_pack("hainan"));
  ASSERT_TRUE(hainan.is_ok()) << describe(hainan.status());
  EXPECT_EQ(hainan->in_force({2025, 12, 17}), nullptr);
  EXPECT_NE(hainan->in_force({2025, 12, 18}), nullptr);
}

// ---- HS lists --------------------------------------------------------------

TEST(HsList, LongestPrefixWinsWithExclude) {
  HsList list;
  const Status loaded = load_hs_list_csv(
      "prefix,effect,note\n"
      "84,include,machinery\n"
      "8471,exclude,computers\n"
      "847130,include,portable computers\n"
      "8418,exclude,refrigerators\n"
      "9018110000,include,one statistical code\n",
      "list.csv", list);
  ASSERT_TRUE(loaded.is_ok()) << describe(loaded);
  EXPECT_EQ(list.size(), 5u);

  struct Case {
    std::string_view hs;
    const char* want_prefix;  // the deciding entry, or nullptr
    bool want_contains;
  };
  const Case kCases[] = {
      {"84798999", "84", true},        // only the chapter matches
      {"8479899900", "84", true},      // a 10-digit code
      {"84714100", "8471", false},     // the heading's exclude beats the chapter
      {"84713000", "847130", true},    // the subheading's include beats the heading's exclude
      {"8471300010", "847130", true},  //
      {"84181020", "8418", false},     //
      {"9018110000", "9018110000", true},
      {"90181100", nullptr, false},  // a longer entry never
                                     // matches a shorter code
      {"85171300", nullptr, false},
      {"8", nullptr, false},
      {"", nullptr, false},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.hs);
    const HsList::Entry* entry = list.match(c.hs);
    if (c.want_prefix == nullptr) {
      EXPECT_EQ(entry, nullptr);
    } else {
      ASSERT_NE(entry, nullptr);
      EXPECT_EQ(entry->prefix, c.want_prefix);
    }
    EXPECT_EQ(list.contains(c.hs), c.want_contains);
  }
  EXPECT_EQ(list.match("84714100")->note, "computers");
}

TEST(HsList, AnEmptyListMatchesNothing) {
  HsList list;
  ASSERT_TRUE(load_hs_list_csv("prefix,effect,note\n", "list.csv", list).is_ok());
  EXPECT_EQ(list.match("84713000"), nullptr);
  EXPECT_FALSE(list.contains("84713000"));
}

TEST(HsList, RejectsBadRowsWithTheirLine) {
  HsList list;
  const Status status = load_hs_list_csv(
      "prefix,effect,note\n"
      "84,include,ok\n"
      "84,exclude,again\n"
      "847,include,odd length\n"
      "77,include,reserved chapter\n"
      "8471,Include,capital\n",
      "list.csv", list);
  ASSERT_FALSE(status.is_ok());
  ASSERT_EQ(status.errors().size(), 4u) << describe(status);
  EXPECT_EQ(status.errors()[0].field, "list.csv:3");
  EXPECT_EQ(status.errors()[0].message, "prefix 84 appears twice");
  EXPECT_EQ(status.errors()[1].field, "list.csv:4");
  EXPECT_EQ(status.errors()[1].message,
            "prefix: HS prefix 847 has 3 digits, expected 2, 4, 6, 8 or 10");
  EXPECT_EQ(status.errors()[2].field, "list.csv:5");
  EXPECT_NE(status.errors()[2].message.find("chapter 77 is reserved"), std::string::npos);
  EXPECT_EQ(status.errors()[3].field, "list.csv:6");
  EXPECT_EQ(status.errors()[3].message, "effect \"Include\" is not include or exclude");
  for (const Error& e : status.errors()) EXPECT_EQ(e.code, ErrorCode::kPolicyInvalid);
}

// ---- bad packs ---------------------------------------------------------------

// A small valid pack; each bad case changes one file of it (or removes it).
TempPack::Files valid_pack_files() {
  return {
      {"pack.toml",
       "[zone]\n"                           // 1
       "id = \"t\"\n"                       // 2
       "utc_offset = \"+08:00\"\n"          // 3
       "[[versions]]\n"                     // 4
       "effective_from = \"2024-01-01\"\n"  // 5
       "path = \"v\"\n"},                   // 6
      {"v/policy.toml",
       "[tariff]\n"                                 // 1
       "schedule = \"tariff.csv\"\n"                // 2
       "exchange_rates = \"fx.csv\"\n"              // 3
       "[lists]\n"                                  // 4
       "prohibited = \"lists/prohibited.csv\"\n"},  // 5
      {"v/tariff.csv",
       std::string(kTariffHeader) +                                                  // 1
           std::string(kLaptopLine) +                                                // 2
           "22083000,Whiskies,L,ad_valorem,0.05,,0.13,compound,0.20,0.912,0.13\n"},  // 3
      {"v/fx.csv", std::string(kFx)},
      {"v/lists/prohibited.csv", "prefix,effect,note\n93,include,arms\n"},
  };
}

TEST(PolicyPackBad, TheValidBaseLoads) {
  const TempPack files(valid_pack_files());
  Result<PolicyPack> pack = load_policy_pack(files.dir());
  ASSERT_TRUE(pack.is_ok()) << describe(pack.status());
  EXPECT_EQ(pack->versions[0]->tariff.size(), 2u);
  EXPECT_EQ(pack->versions[0]->prohibited.size(), 1u);
}

TEST(PolicyPackBad, EachProblemIsNamedByFileAndLine) {
  struct Case {
    std::string_view name;
    std::string_view file;                // the file to change, relative to the pack
    std::optional<std::string> contents;  // nullopt: remove the file
    std::string_view want_field;          // relative file, with ":line" where one applies
    std::string_view want_message;        // a fragment of the message
  };
  const std::string policy_head =
      "[tariff]\nschedule = \"tariff.csv\"\nexchange_rates = \"fx.csv\"\n";  // lines 1-3
  const std::string tariff_head = std::string(kTariffHeader) + std::string(kLaptopLine);  // 1-2
  const Case kCases[] = {
      {"bad TOML syntax in pack.toml", "pack.toml", "[zone]\nid = \"t\"\nutc_offset = +08:00\n",
       "pack.toml:3", "could not determine value type"},
      {"bad TOML syntax in policy.toml", "v/policy.toml",
       policy_head + "[first_line\nmodel = \"positive_list\"\n", "v/policy.toml:4", "table header"},
      {"missing pack.toml", "pack.toml", std::nullopt, "pack.toml",
       "missing: a pack directory holds pack.toml"},
      {"versions out of order", "pack.toml",
       "[zone]\nid = \"t\"\n"
       "[[versions]]\neffective_from = \"2024-01-01\"\npath = \"v\"\n"   // 3-5
       "[[versions]]\neffective_from = \"2023-06-01\"\npath = \"v\"\n",  // 6-8
       "pack.toml:6", "versions must be listed in increasing effective_from order"},
      {"two versions on one date", "pack.toml",
       "[zone]\nid = \"t\"\n"
       "[[versions]]\neffective_from = \"2024-01-01\"\npath = \"v\"\n"
       "[[versions]]\neffective_from = \"2024-01-01\"\npath = \"v\"\n",
       "pack.toml:6", "increasing effective_from order"},
      {"bad effective_from", "pack.toml",
       "[zone]\nid = \"t\"\nutc_offset = \"+08:00\"\n[[versions]]\neffective_from = "
       "\"2024-02-30\"\n",
       "pack.toml:5", "effective_from: 2024-02-30 is not a date"},
      {"no versions", "pack.toml", "[zone]\nid = \"t\"\n", "pack.toml",
       "no [[versions]]: a pack needs at least one effective-dated version"},
      {"no zone id", "pack.toml",
       "[zone]\nname = \"t\"\n[[versions]]\neffective_from = \"2024-01-01\"\npath = \"v\"\n",
       "pack.toml", "[zone] id is missing"},
      {"bad utc_offset", "pack.toml",
       "[zone]\nid = \"t\"\nutc_offset = \"+8\"\n"
       "[[versions]]\neffective_from = \"2024-01-01\"\npath = \"v\"\n",
       "pack.toml:3", "utc_offset must look like +08:00"},
      {"unknown formula", "v/policy.toml",
       policy_head + "[value_added]\nformula = \"(S-M)/(M+D)\"\n", "v/policy.toml:5",
       "value_added.formula \"(S-M)/(M+D)\" is not one of (S-M-D)/(M+D), (S-M)/M, (S-M)/S"},
      {"unknown first_line.model", "v/policy.toml",
       policy_head + "[first_line]\nmodel = \"negative-list\"\n", "v/policy.toml:5",
       "first_line.model \"negative-list\" is not positive_list or negative_list"},
      {"a setting of the wrong type", "v/policy.toml",
       policy_head + "[thresholds]\ntax_waiver_cny = 50\n", "v/policy.toml:5",
       "thresholds.tax_waiver_cny must be a decimal string"},
      {"a threshold with too many decimals", "v/policy.toml",
       policy_head + "[value_added]\nthreshold = \"0.3000001\"\n", "v/policy.toml:5",
       "value_added.threshold: "},
      {"a required file is not named", "v/policy.toml", "[tariff]\nschedule = \"tariff.csv\"\n",
       "v/policy.toml", "[tariff] exchange_rates is missing"},
      {"a named file is missing", "v/policy.toml",
       policy_head + "[lists]\nrefund_negative = \"lists/none.csv\"\n", "v/policy.toml:5",
       "cannot read "},
      {"a channel on line 3", "v/policy.toml",
       policy_head +
           "[[channels]]\nid = \"X\"\nline = 3\ndirections = [\"in\"]\nkinds = [\"cargo\"]\n",
       "v/policy.toml:4", "channel X: line must be 1 or 2"},
      {"a version directory that is not there", "pack.toml",
       "[zone]\nid = \"t\"\nutc_offset = \"+08:00\"\n"
       "[[versions]]\neffective_from = \"2024-01-01\"\npath = \"nowhere\"\n",
       "nowhere/policy.toml", "missing: each version's directory holds policy.toml"},
      {"an unquoted date", "pack.toml",
       "[zone]\nid = \"t\"\nutc_offset = \"+08:00\"\n[[versions]]\neffective_from = 2024-01-01\n",
       "pack.toml:5", "effective_from must be a quoted date"},
      {"no utc_offset", "pack.toml",
       "[zone]\nid = \"t\"\n[[versions]]\neffective_from = \"2024-01-01\"\npath = \"v\"\n",
       "pack.toml", "[zone] utc_offset is missing"},
      {"an unknown key (a typo)", "v/policy.toml",
       policy_head + "[value_added]\nrequires_encouraged_industy = true\n", "v/policy.toml:5",
       "unknown key value_added.requires_encouraged_industy"},
      {"an unknown section", "v/policy.toml", policy_head + "[thresholdz]\nx = 1\n",
       "v/policy.toml:4", "unknown section [thresholdz]"},
      {"a negative-list model without its list", "v/policy.toml",
       policy_head + "[first_line]\nmodel = \"negative_list\"\n", "v/policy.toml",
       "[lists] first_line_taxable must name a list with entries"},
      {"an exempt purpose that does not exist", "v/policy.toml",
       policy_head + "[first_line]\nexempt_purposes = [\"own-use\"]\n", "v/policy.toml:5",
       "\"own-use\" is not own_use, processing, trade or logistics"},
      {"a channel kind that does not exist", "v/policy.toml",
       policy_head +
           "[[channels]]\nid = \"X\"\nline = 1\ndirections = [\"in\"]\nkinds = [\"boat\"]\n",
       "v/policy.toml:4", "channel X: kind \"boat\" is not cargo, vehicle or traveller"},
      {"an empty file name", "v/policy.toml",
       "[tariff]\nschedule = \"tariff.csv\"\nexchange_rates = \"\"\n", "v/policy.toml:3",
       "tariff.exchange_rates must name a file"},
      {"an unknown exempt exit basis", "v/policy.toml",
       policy_head + "[exempt_exit]\nbasis = \"market\"\n", "v/policy.toml:5",
       "exempt_exit.basis \"market\" is not depreciated_entry_value or declared_value"},
      {"tariff: refund rate written as a percentage", "v/tariff.csv",
       tariff_head + "22083000,Whiskies,L,ad_valorem,0.05,,0.13,none,,,13\n", "v/tariff.csv:3",
       "export_refund_rate 13.00 is above 1.00"},
      {"channels as one table", "v/policy.toml", policy_head + "[channels]\nid = \"X\"\n",
       "v/policy.toml:4", "channels must be [[channels]] entries"},
      {"tariff: VAT written as a percentage", "v/tariff.csv",
       tariff_head + "22083000,Whiskies,L,ad_valorem,0.05,,13,none,,,0.13\n", "v/tariff.csv:3",
       "vat_rate 13.00 is above 1.00 (rates are fractions: 13 % is 0.13)"},
      {"tariff: bad rate", "v/tariff.csv",
       tariff_head + "22083000,Whiskies,L,ad_valorem,0.05,,13%,none,,,0.13\n", "v/tariff.csv:3",
       "vat_rate: "},
      {"tariff: negative rate", "v/tariff.csv",
       tariff_head + "22083000,Whiskies,L,ad_valorem,-0.05,,0.13,none,,,0.13\n", "v/tariff.csv:3",
       "duty_rate: "},
      {"tariff: rate with 7 decimals", "v/tariff.csv",
       tariff_head + "22083000,Whiskies,L,ad_valorem,0.0500001,,0.13,none,,,0.13\n",
       "v/tariff.csv:3", "duty_rate: "},
      {"tariff: compound duty without its specific part", "v/tariff.csv",
       tariff_head + "22083000,Whiskies,L,compound,0.05,,0.13,none,,,0.13\n", "v/tariff.csv:3",
       "duty_specific is empty"},
      {"tariff: unknown duty_kind", "v/tariff.csv",
       tariff_head + "22083000,Whiskies,L,levy,0.05,,0.13,none,,,0.13\n", "v/tariff.csv:3",
       "duty_kind \"levy\" is not ad_valorem, specific or compound"},
      {"tariff: unknown ct_kind", "v/tariff.csv",
       tariff_head + "22083000,Whiskies,L,ad_valorem,0.05,,0.13,excise,0.20,,0.13\n",
       "v/tariff.csv:3", "ct_kind \"excise\" is not none, ad_valorem, specific or compound"},
      {"tariff: ct_rate of 1", "v/tariff.csv",
       tariff_head + "22083000,Whiskies,L,ad_valorem,0.05,,0.13,ad_valorem,1,,0.13\n",
       "v/tariff.csv:3", "ct_rate must be below 1"},
      {"tariff: duplicate hs", "v/tariff.csv",
       tariff_head + "84713000,Laptops again,pcs,ad_valorem,0.00,,0.13,none,,,0.13\n",
       "v/tariff.csv:3", "hs 84713000 appears twice"},
      {"tariff: bad hs", "v/tariff.csv",
       tariff_head + "8471300,Seven digits,pcs,ad_valorem,0.00,,0.13,none,,,0.13\n",
       "v/tariff.csv:3", "hs: HS code 8471300 has 7 digits"},
      {"tariff: empty unit", "v/tariff.csv",
       tariff_head + "22083000,Whiskies,,ad_valorem,0.05,,0.13,none,,,0.13\n", "v/tariff.csv:3",
       "unit is empty"},
      {"tariff: missing column", "v/tariff.csv",
       "hs,description,unit,duty_kind,duty_rate,duty_specific,ct_kind,ct_rate,ct_specific,"
       "export_refund_rate\n"
       "84713000,Portable computers,pcs,ad_valorem,0.00,,none,,,0.13\n",
       "v/tariff.csv:1", "missing column \"vat_rate\""},
      // A row of the wrong width is a CSV syntax error; it is reported at
      // "file:N" like every other row problem.
      {"tariff: ragged row", "v/tariff.csv", tariff_head + "22083000,Whiskies,L,ad_valorem,0.05\n",
       "v/tariff.csv:3", "5 cells, the header has 11"},
      {"tariff: no lines", "v/tariff.csv", std::string(kTariffHeader), "v/policy.toml",
       "the tariff schedule has no lines"},
      {"fx: unknown currency", "v/fx.csv", std::string(kFx) + "2024-01,XYZ,1.0\n", "v/fx.csv:3",
       "currency \"XYZ\" is not an ISO 4217 code"},
      {"fx: bad month", "v/fx.csv", std::string(kFx) + "2024-13,EUR,7.7\n", "v/fx.csv:3",
       "month: "},
      {"fx: zero rate", "v/fx.csv", std::string(kFx) + "2024-01,EUR,0\n", "v/fx.csv:3",
       "cny_per_unit must be positive"},
      {"fx: duplicate month", "v/fx.csv", std::string(kFx) + "2024-01,USD,7.2\n", "v/fx.csv:3",
       "USD 2024-01 appears twice"},
      {"list: bad effect", "v/lists/prohibited.csv",
       "prefix,effect,note\n93,include,arms\n130211,prohibit,opium\n", "v/lists/prohibited.csv:3",
       "effect \"prohibit\" is not include or exclude"},
      {"list: missing column", "v/lists/prohibited.csv", "prefix,note\n93,arms\n",
       "v/lists/prohibited.csv:1", "missing column \"effect\""},
      // Risk selection: a criterion that could never match, a rate out of range,
      // random draws without a seed.
      {"risk: a lower-case origin", "v/policy.toml",
       policy_head + "[[risk.criteria]]\nid = \"w\"\nlane = \"red\"\norigins = [\"fr\"]\n",
       "v/policy.toml:7", "risk.criteria w: \"fr\" is not one of its origins"},
      {"risk: a ten-digit prefix", "v/policy.toml",
       policy_head + "[[risk.criteria]]\nid = \"w\"\nlane = \"red\"\nhs = [\"2204210000\"]\n",
       "v/policy.toml:7", "is not one of its hs"},
      {"risk: a share over 1", "v/policy.toml",
       policy_head + "[risk]\nseed = \"s\"\nrandom = { general = { red = \"1.5\" } }\n",
       "v/policy.toml:6", "risk.random.general.red must be a share"},
      {"risk: no seed", "v/policy.toml",
       policy_head + "[risk]\nrandom = { general = { red = \"0.1\" } }\n", "v/policy.toml",
       "risk.seed is needed"},
      {"risk: a minimum random rate without a seed", "v/policy.toml",
       policy_head + "[risk]\nminimum_random = { red = \"0.01\" }\n", "v/policy.toml",
       "risk.seed is needed"},
      {"risk: a capacity over 1", "v/policy.toml",
       policy_head + "[risk]\ncapacity = { red = \"2\" }\n", "v/policy.toml:5",
       "risk.capacity.red must be a share"},
      {"risk: a capacity for a lane that is not held", "v/policy.toml",
       policy_head + "[risk]\ncapacity = { blue = \"0.1\" }\n", "v/policy.toml:5",
       "unknown key risk.capacity.blue"},
      {"risk: a burst of none", "v/policy.toml", policy_head + "[risk]\ncapacity_burst = 0\n",
       "v/policy.toml:5", "risk.capacity_burst must be from 1"},
      {"risk: a grade over 1 with the minimum", "v/policy.toml",
       policy_head + "[risk]\nseed = \"s\"\nminimum_random = { yellow = \"0.5\" }\n"
                     "random = { dishonest = { red = \"0.6\" } }\n",
       "v/policy.toml", "risk.random.dishonest with risk.minimum_random adds up to over 1"},
      {"risk: a unit-value factor of 1", "v/policy.toml",
       policy_head + "[risk]\nunit_value = { lane = \"yellow\", factor = \"1\" }\n",
       "v/policy.toml:5", "risk.unit_value.factor must be a decimal string over \"1\""},
      {"risk: a unit-value minimum over the history", "v/policy.toml",
       policy_head +
           "[risk]\nunit_value = { lane = \"red\", factor = \"3\", history = 5, minimum = 6 "
           "}\n",
       "v/policy.toml:5", "risk.unit_value.minimum must be from 3"},
      {"risk: a unit-value lane that is not one", "v/policy.toml",
       policy_head + "[risk]\nunit_value = { lane = \"amber\", factor = \"3\" }\n",
       "v/policy.toml:5", "risk.unit_value.lane \"amber\""},
      {"risk: a unit-value history by something unknown", "v/policy.toml",
       policy_head + "[risk]\nunit_value = { lane = \"yellow\", factor = \"3\", by = \"hs\" }\n",
       "v/policy.toml:5", "risk.unit_value.by must be \"goods\""},
      {"risk: an empty value band", "v/policy.toml",
       policy_head + "[[risk.criteria]]\nid = \"w\"\nlane = \"red\"\nvalue_from = \"100.00\"\n"
                     "value_below = \"100.00\"\n",
       "v/policy.toml:4", "risk.criteria w: value_below must be above value_from"},
      {"risk: a value that is not an amount", "v/policy.toml",
       policy_head + "[[risk.criteria]]\nid = \"w\"\nlane = \"red\"\nvalue_from = 100\n",
       "v/policy.toml:7", "risk.criteria w: value_from must be an amount in CNY"},
      {"risk: no discrepancies", "v/policy.toml",
       policy_head + "[[risk.criteria]]\nid = \"w\"\nlane = \"red\"\ndiscrepancies = 0\n",
       "v/policy.toml:7", "risk.criteria w: discrepancies must be a count from 1"},
      {"risk: first_time as text", "v/policy.toml",
       policy_head + "[[risk.criteria]]\nid = \"w\"\nlane = \"red\"\nfirst_time = \"yes\"\n",
       "v/policy.toml:7", "risk.criteria w: first_time must be true or false"},
      {"risk: a model outside the version", "v/policy.toml",
       policy_head +
           "[risk]\nscore = { model = \"../other/risk.model\", lane = \"red\", threshold = "
           "\"0.5\" }\n",
       "v/policy.toml:5", "risk.score.model must name a file inside the version's directory"},
      {"risk: a model that is not there", "v/policy.toml",
       policy_head +
           "[risk]\nscore = { model = \"risk.model\", lane = \"red\", threshold = \"0.5\" "
           "}\n",
       "v/policy.toml:5", "cannot read"},
      {"risk: a criterion with no condition", "v/policy.toml",
       policy_head + "[[risk.criteria]]\nid = \"w\"\nlane = \"red\"\ncapped = false\n",
       "v/policy.toml:4", "risk.criteria w: give at least one condition"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    TempPack::Files files = valid_pack_files();
    if (c.contents) {
      files[std::string(c.file)] = *c.contents;
    } else {
      files.erase(std::string(c.file));
    }
    const TempPack pack(files);
    Result<PolicyPack> loaded = load_policy_pack(pack.dir());
    ASSERT_FALSE(loaded.is_ok());
    const std::string want_field = [&] {
      const size_t colon = c.want_field.find(':');
      if (colon == std::string_view::npos) return pack.where(c.want_field);
      return pack.where(c.want_field.substr(0, colon)) + std::string(c.want_field.substr(colon));
    }();
    bool found = false;
    for (const Error& e : loaded.status().errors()) {
      EXPECT_EQ(e.code, ErrorCode::kPolicyInvalid);
      if (e.field == want_field && e.message.find(c.want_message) != std::string::npos) {
        found = true;
      }
    }
    EXPECT_TRUE(found) << "want " << want_field << ": ..." << c.want_message << "...\ngot:\n"
                       << describe(loaded.status());
  }
}

TEST(PolicyPackBad, EveryProblemIsReportedAtOnce) {
  TempPack::Files files = valid_pack_files();
  files["v/policy.toml"] +=
      "[first_line]\nmodel = \"both\"\n"                                       // 6-7
      "[transfer]\nvat = \"zero\"\n";                                          // 8-9
  files["v/tariff.csv"] += "02071422,Wings,kg,specific,,,0.09,none,,,0.09\n";  // 4
  files["v/fx.csv"] += "2024-02,ABC,1\n";                                      // 3
  const TempPack pack(files);
  Result<PolicyPack> loaded = load_policy_pack(pack.dir());
  ASSERT_FALSE(loaded.is_ok());
  std::vector<std::string> fields;
  for (const Error& e : loaded.status().errors()) fields.push_back(e.field);
  const std::vector<std::string> want = {
      pack.where("v/tariff.csv") + ":4",
      pack.where("v/fx.csv") + ":3",
      pack.where("v/policy.toml") + ":7",
      pack.where("v/policy.toml") + ":9",
  };
  EXPECT_EQ(fields, want) << describe(loaded.status());
}

TEST(PolicyPackBad, ANonDirectoryIsRejected) {
  Result<PolicyPack> loaded = load_policy_pack(shipped_pack("hengqin") + "/pack.toml");
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_EQ(loaded.status().first().message, "not a directory");
}

// ---- the CSV readers on their own ---------------------------------------------

TEST(PackTariffCsv, ExtraColumnsAreIgnoredAndRefundIsOptional) {
  TariffSchedule schedule;
  const Status status = load_tariff_csv(
      "note,hs,description,unit,duty_kind,duty_rate,duty_specific,vat_rate,ct_kind,ct_rate,"
      "ct_specific,export_refund_rate\n"
      "any text,85258900,Cameras,pcs,compound,0.03,9728.00,0.13,,,,\n",
      "tariff.csv", schedule);
  ASSERT_TRUE(status.is_ok()) << describe(status);
  const TariffLine* line = schedule.find("85258900");
  ASSERT_NE(line, nullptr);
  EXPECT_EQ(line->duty_kind, DutyKind::kCompound);
  EXPECT_EQ(line->duty_rate.ppm, 30'000);
  EXPECT_EQ(line->duty_specific.ppm, 9'728'000'000);
  EXPECT_EQ(line->ct_kind, ExciseKind::kNone);  // an empty ct_kind is none
  EXPECT_EQ(line->export_refund_rate.ppm, 0);
  EXPECT_EQ(schedule.find("852589"), nullptr);
}

}  // namespace
}  // namespace zg
