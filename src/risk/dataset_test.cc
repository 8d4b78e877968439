#include "risk/dataset.h"

#include <gtest/gtest.h>

namespace zg::risk {
namespace {

const std::string kHeader =
    "Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,"
    "Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,"
    "Country of Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,"
    "Net Mass,Item Price,Fraud,Critical Fraud\n";
const std::string kRow =
    "97061800,2020-01-01,30,B,11,21,11,10,ZZR1LT6,QLRUBN9,0VKY2BR,,440890,BE,BE,8.0,FEU1,G,"
    "108.0,372254.4,1,0\n";

TEST(ReadDeclarations, ReadsARowAndItsDerivedCodes) {
  Result<Dataset> data = read_declarations(kHeader + kRow, true);
  ASSERT_TRUE(data.is_ok()) << data.status().first().message;
  ASSERT_EQ(data->rows.size(), 1u);
  const DeclarationRow& r = data->rows[0];
  EXPECT_EQ(r.id, "97061800");
  EXPECT_EQ(r.categories[kHs6], "440890");
  EXPECT_EQ(r.categories[kHs4], "4408");
  EXPECT_EQ(r.categories[kImporter], "QLRUBN9");
  EXPECT_EQ(r.categories[kCourier], "");
  EXPECT_EQ(r.fraud, 1);
  EXPECT_DOUBLE_EQ(r.revenue(), 372254.4 * 0.08);
}

TEST(ReadDeclarations, TakesHs10CodesWithoutTheirLeadingZero) {
  std::string header = kHeader;
  header.replace(header.find("HS6 Code"), 8, "HS10 Code");
  std::string row = kRow;
  row.replace(row.find("440890"), 6, "907221000");  // 0907221000 with its zero dropped
  Result<Dataset> data = read_declarations(header + row, true);
  ASSERT_TRUE(data.is_ok()) << data.status().first().message;
  EXPECT_EQ(data->rows[0].categories[kHs6], "090722");
  EXPECT_EQ(hs6_of("90722", false), "090722");
  EXPECT_EQ(hs6_of("12345678901", true), "");
  EXPECT_EQ(hs6_of("12a456", false), "");
}

struct Bad {
  const char* name;
  std::string text;
  bool need_labels;
  const char* message;  // a part of the error
};

class ReadDeclarationsRefuses : public testing::TestWithParam<Bad> {};

TEST_P(ReadDeclarationsRefuses, WithAMessageSayingWhere) {
  Result<Dataset> data = read_declarations(GetParam().text, GetParam().need_labels);
  ASSERT_FALSE(data.is_ok());
  EXPECT_NE(data.status().first().message.find(GetParam().message), std::string::npos)
      << data.status().first().message;
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

INSTANTIATE_TEST_SUITE_P(
    BadFiles, ReadDeclarationsRefuses,
    testing::Values(
        Bad{"unknown_column", with(kHeader, "Courier ID", "Carrier ID") + kRow, false,
            "unknown column \"Carrier ID\""},
        Bad{"missing_label",
            with(kHeader, ",Fraud,Critical Fraud", "") + with(kRow, ",1,0\n", "\n"), true,
            "\"Fraud\""},
        Bad{"no_hs_column", with(kHeader, "HS6 Code,", "") + with(kRow, "440890,", ""), false,
            "HS6 Code"},
        Bad{"not_a_number", kHeader + with(kRow, "108.0", "heavy"), false,
            "line 2, Net Mass: \"heavy\" is not a number"},
        Bad{"negative_price", kHeader + with(kRow, "372254.4", "-1"), false, "Item Price"},
        Bad{"bad_label", kHeader + with(kRow, ",1,0\n", ",2,0\n"), true, "not 0 or 1"},
        Bad{"bad_hs", kHeader + with(kRow, "440890", "44O890"), false, "not an HS code"},
        Bad{"ragged_row", kHeader + "1,2,3\n", false, "line 2"},
        Bad{"bad_date", kHeader + with(kRow, "2020-01-01", "1/15/2020"), false, "not a date"},
        Bad{"twice", kHeader + kRow + kRow, false, "97061800 is given twice"},
        Bad{"id_with_a_space", kHeader + with(kRow, "97061800", "9706 1800"), false,
            "is not an id"},
        Bad{"price_too_large", kHeader + with(kRow, "372254.4", "1e300"), false, "Item Price"}),
    [](const testing::TestParamInfo<Bad>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace zg::risk
