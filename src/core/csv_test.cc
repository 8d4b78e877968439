#include "core/csv.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace zg {
namespace {

TEST(ParseCsv, ReadsValidText) {
  struct Case {
    std::string_view name;
    std::string_view text;
    std::vector<std::string> want_header;
    std::vector<CsvRow> want_rows;
  };
  const Case kCases[] = {
      {"simple LF",
       "hs,rate\n0101,5\n0102,10\n",
       {"hs", "rate"},
       {{2, {"0101", "5"}}, {3, {"0102", "10"}}}},
      {"no final line end", "a,b\n1,2", {"a", "b"}, {{2, {"1", "2"}}}},
      {"CRLF", "a,b\r\n1,2\r\n3,4\r\n", {"a", "b"}, {{2, {"1", "2"}}, {3, {"3", "4"}}}},
      // \357\273\277 is the UTF-8 BOM, EF BB BF; octal escapes end after three digits.
      {"BOM skipped", "\357\273\277a,b\n1,2\n", {"a", "b"}, {{2, {"1", "2"}}}},
      {"BOM later is data", "a\n\357\273\2771\n", {"a"}, {{2, {"\357\273\2771"}}}},
      {"blank lines skipped and counted",
       "\na,b\n\n1,2\r\n\r\n3,4\n\n",
       {"a", "b"},
       {{4, {"1", "2"}}, {6, {"3", "4"}}}},
      {"header only", "a,b\n", {"a", "b"}, {}},
      {"quoted comma",
       "name,rate\n\"Horses, live\",5\n",
       {"name", "rate"},
       {{2, {"Horses, live", "5"}}}},
      {"doubled quotes", "a\n\"say \"\"hi\"\"\"\n", {"a"}, {{2, {"say \"hi\""}}}},
      {"only a doubled quote", "a\n\"\"\"\"\n", {"a"}, {{2, {"\""}}}},
      {"quoted header", "\"a,b\",c\n1,2\n", {"a,b", "c"}, {{2, {"1", "2"}}}},
      {"quoted newline",
       "a,b\n\"line1\nline2\",x\n3,4\n",
       {"a", "b"},
       {{2, {"line1\nline2", "x"}}, {4, {"3", "4"}}}},
      {"quoted CRLF reads as LF",
       "a,b\r\n\"x\r\ny\r\n\",z\r\n1,2\r\n",
       {"a", "b"},
       {{2, {"x\ny\n", "z"}}, {5, {"1", "2"}}}},
      {"quoted blank line is data", "a\n\"x\n\ny\"\n", {"a"}, {{2, {"x\n\ny"}}}},
      {"lone CR inside quotes is data", "a\n\"x\ry\"\n", {"a"}, {{2, {"x\ry"}}}},
      {"quoted cell at end of text", "a,b\n1,\"2\"", {"a", "b"}, {{2, {"1", "2"}}}},
      {"empty cells",
       "a,b,c\n,,\n\"\",x,\n",
       {"a", "b", "c"},
       {{2, {"", "", ""}}, {3, {"", "x", ""}}}},
      {"empty last cell at end of text", "a,b\n1,", {"a", "b"}, {{2, {"1", ""}}}},
      {"one empty quoted cell", "a\n\"\"\n", {"a"}, {{2, {""}}}},
      {"spaces kept", "a,b\n 1 , 2 \n", {"a", "b"}, {{2, {" 1 ", " 2 "}}}},
      {"UTF-8 cells", "名称,rate\n马,5\n", {"名称", "rate"}, {{2, {"马", "5"}}}},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const Result<CsvTable> table = parse_csv(c.text);
    ASSERT_TRUE(table.is_ok()) << table.status().first().message;
    EXPECT_EQ(table->header, c.want_header);
    ASSERT_EQ(table->rows.size(), c.want_rows.size());
    for (size_t row_index = 0; row_index < c.want_rows.size(); ++row_index) {
      EXPECT_EQ(table->rows[row_index].line, c.want_rows[row_index].line) << "row " << row_index;
      EXPECT_EQ(table->rows[row_index].cells, c.want_rows[row_index].cells) << "row " << row_index;
    }
  }
}

TEST(ParseCsv, RejectsInvalidTextNamingTheLine) {
  struct Case {
    std::string_view name;
    std::string_view text;
    std::string_view want_message;
  };
  constexpr Case kCases[] = {
      {"empty text", "", "line 1: no header row: the text is empty"},
      {"only blank lines", "\n\r\n\n", "line 1: no header row: the text is empty"},
      {"only a BOM", "\357\273\277", "line 1: no header row: the text is empty"},
      {"too few cells", "a,b,c\n1,2,3\n1,2\n", "line 3: 2 cells, the header has 3"},
      {"too many cells", "a,b\n1,2,3\n", "line 2: 3 cells, the header has 2"},
      {"one cell", "a,b\nx\n", "line 2: 1 cell, the header has 2"},
      {"trailing comma is a cell", "a,b\n1,2,\n", "line 2: 3 cells, the header has 2"},
      {"ragged after multi-line cell", "a,b\n\"x\ny\nz\",1\n1,2,3\n",
       "line 5: 3 cells, the header has 2"},
      {"ragged multi-line row names its first line", "a,b\n1,2\n\"x\ny\"\n",
       "line 3: 1 cell, the header has 2"},
      {"ragged after blank lines", "a,b\n\n\r\n1\n", "line 4: 1 cell, the header has 2"},
      {"ragged 12 columns",
       "c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11,c12\n1,2,3,4,5,6,7,8,9,10,11,12\n"
       "1,2,3,4,5,6,7,8,9,10,11,12\n\n\"1\n\",2,3,4,5,6,7,8,9,10,11,12\n1,2,3,4,5,6,7,8,9,10,11\n",
       "line 7: 11 cells, the header has 12"},
      {"unterminated quote names where it opened", "a,b\n1,\"abc\n2,3\n4,5\n",
       "line 2: unterminated quote: quoted cell 2 never ends"},
      {"unterminated quote at end", "a,b\n1,\"",
       "line 2: unterminated quote: quoted cell 2 never ends"},
      {"stray quote", "a,b\n1,ab\"c\n",
       "line 2: stray quote in unquoted cell 2 (put the cell in quotes and double the quotes "
       "inside)"},
      {"stray quote after multi-line cell", "a,b\n\"x\ny\",1\n2,3\"\n",
       "line 4: stray quote in unquoted cell 2 (put the cell in quotes and double the quotes "
       "inside)"},
      {"stray quote in header", "a\"b\n",
       "line 1: stray quote in unquoted cell 1 (put the cell in quotes and double the quotes "
       "inside)"},
      {"space before opening quote", "a,b\n1, \"x\"\n",
       "line 2: stray quote in unquoted cell 2 (put the cell in quotes and double the quotes "
       "inside)"},
      {"text after closing quote", "a,b\n\"x\"y,1\n",
       "line 2: text after the closing quote of cell 1 (double a quote that belongs in the cell)"},
      {"text after closing quote of multi-line cell", "a,b\n1,\"x\ny\" \n",
       "line 3: text after the closing quote of cell 2 (double a quote that belongs in the cell)"},
      {"lone CR line end", "a,b\r1,2\n",
       "line 1: carriage return without a line feed (use LF or CRLF line ends)"},
      {"lone CR in blank lines", "a,b\n\r\r\n1,2\n",
       "line 2: carriage return without a line feed (use LF or CRLF line ends)"},
      {"lone CR after quoted cell", "a,b\n1,\"2\"\r3,4\n",
       "line 2: carriage return without a line feed (use LF or CRLF line ends)"},
      {"duplicate header name", "\n\nhs,rate,hs\n1,2,3\n",
       "line 3: column \"hs\" is in the header twice (columns 1 and 3)"},
      {"two empty header names", "a,,\n",
       "line 1: column \"\" is in the header twice (columns 2 and 3)"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const Result<CsvTable> table = parse_csv(c.text);
    ASSERT_FALSE(table.is_ok());
    ASSERT_EQ(table.status().errors().size(), 1u);
    EXPECT_EQ(table.status().first().code, ErrorCode::kPolicyInvalid);
    EXPECT_EQ(table.status().first().field, "");
    EXPECT_EQ(table.status().first().message, c.want_message);
  }
}

TEST(CsvTable, ColumnFindsExactHeaderName) {
  const Result<CsvTable> table = parse_csv("hs,rate,rate ,Unit\n");
  ASSERT_TRUE(table.is_ok());
  struct Case {
    std::string_view name;
    int want_index;
  };
  constexpr Case kCases[] = {
      {"hs", 0}, {"rate", 1}, {"rate ", 2}, {"Unit", 3}, {"unit", -1}, {"", -1}, {"hs,rate", -1},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(table->column(c.name), c.want_index);
  }
}

// Policy packs are loaded at start-up and by `policy check`; a 9,000-line tariff must
// load in well under a second. The bound is loose so sanitizer builds pass too.
// Its speed is measured in bench/pack_bench.cc (BM_Baseline_ParseCsv9000),
// not here: a timed test fails on a slow or busy machine (it did under TSan).
TEST(ParseCsv, LoadsANineThousandLineTariff) {
  constexpr int kLineCount = 9'000;
  std::string text =
      "hs,description,unit,mfn_ppm,general_ppm,vat_ppm,consumption_ppm,refund_ppm,"
      "licence,prohibited,notes,effective\r\n";
  for (int line_index = 0; line_index < kLineCount; ++line_index) {
    text += std::to_string(1'000'000'000 + line_index);
    text +=
        ",\"Live horses, asses, mules and hinnies; \"\"pure-bred\"\" breeding animals\",kg,"
        "50000,300000,130000,0,90000,N,N,\"Line one\r\nline two\",2024-01-01\r\n";
  }
  const Result<CsvTable> table = parse_csv(text);
  ASSERT_TRUE(table.is_ok()) << table.status().first().message;
  ASSERT_EQ(table->rows.size(), size_t{kLineCount});
  EXPECT_EQ(table->rows.back().line, 2 + 2 * (kLineCount - 1));
  EXPECT_EQ(table->rows.back().cells[10], "Line one\nline two");
}

}  // namespace
}  // namespace zg
