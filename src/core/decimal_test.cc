#include "core/decimal.h"

#include <gtest/gtest.h>

namespace zg {
namespace {

TEST(ParseFixed, AcceptsDecimalStrings) {
  struct Case {
    std::string_view text;
    int scale;
    int64_t want;
  };
  const Case kCases[] = {
      {"0", 2, 0},
      {"12000.00", 2, 1'200'000},
      {"2.5", 4, 25'000},
      {"0.8850", 6, 885'000},
      {"007.10", 2, 710},
      {"1", 0, 1},
      {"99999999999999", 0, 99'999'999'999'999},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    Result<int64_t> got = parse_fixed(c.text, c.scale, kAmountMinorMax, false);
    ASSERT_TRUE(got.is_ok()) << got.status().first().message;
    EXPECT_EQ(*got, c.want);
  }
}

TEST(ParseFixed, RefusesWithTheRightCode) {
  struct Case {
    std::string_view text;
    int scale;
    ErrorCode code;
  };
  const Case kCases[] = {
      {"", 2, ErrorCode::kInvalidField},
      {"1e5", 2, ErrorCode::kInvalidField},
      {"+1", 2, ErrorCode::kInvalidField},
      {"1.", 2, ErrorCode::kInvalidField},
      {".5", 2, ErrorCode::kInvalidField},
      {" 1", 2, ErrorCode::kInvalidField},
      {"1,000", 2, ErrorCode::kInvalidField},
      {"NaN", 2, ErrorCode::kInvalidField},
      {"1.005", 2, ErrorCode::kInvalidAmount},
      {"1.000", 2, ErrorCode::kInvalidAmount},
      {"-1", 2, ErrorCode::kInvalidAmount},
      {"1000000000000.01", 2, ErrorCode::kInvalidAmount},
      {"99999999999999999999999", 2, ErrorCode::kInvalidAmount},
      {"1.5", 0, ErrorCode::kInvalidAmount},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    Result<int64_t> got = parse_fixed(c.text, c.scale, kAmountMinorMax, false);
    ASSERT_FALSE(got.is_ok());
    EXPECT_EQ(got.status().first().code, c.code);
  }
}

TEST(ParseFixed, AtTheLimit) {
  EXPECT_TRUE(parse_fixed("1000000000000.00", 2, kAmountMinorMax, false).is_ok());
  EXPECT_FALSE(parse_fixed("1000000000000.01", 2, kAmountMinorMax, false).is_ok());
  Result<int64_t> negative = parse_fixed("-12.50", 2, kAmountMinorMax, true);
  ASSERT_TRUE(negative.is_ok());
  EXPECT_EQ(*negative, -1250);
}

TEST(FormatFixed, PrintsExactly) {
  EXPECT_EQ(format_fixed(123'450, 2), "1234.50");
  EXPECT_EQ(format_fixed(5, 2), "0.05");
  EXPECT_EQ(format_fixed(-5, 2), "-0.05");
  EXPECT_EQ(format_fixed(0, 2), "0.00");
  EXPECT_EQ(format_fixed(INT64_MIN, 2), "-92233720368547758.08");
  EXPECT_EQ(format_quantity(Quantity{1'000'000}), "100");
  EXPECT_EQ(format_quantity(Quantity{25'000}), "2.5");
  EXPECT_EQ(format_quantity(Quantity{-50'000}), "-5");
  EXPECT_EQ(format_rate(Rate{300'000}), "0.30");
  EXPECT_EQ(format_rate(Rate{885'000}), "0.885");
}

TEST(Rounding, HalfUpToTheFen) {
  struct Case {
    int64_t base_fen;
    int64_t rate_ppm;
    int64_t want_fen;
  };
  const Case kCases[] = {
      {10'000, 50'000, 500},  // 100.00 × 5 % = 5.00
      {1'000'000, 130'000, 130'000},
      {50, 10'000, 1},             // 0.005 rounds up
      {49, 10'000, 0},             // 0.0049 rounds down
      {170'625, 100'000, 17'063},  // 1706.25 × 10 % = 170.625 → 170.63
      {0, 130'000, 0},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(apply_rate(Money{c.base_fen}, Rate{c.rate_ppm}).fen, c.want_fen);
  }
  EXPECT_EQ(apply_per_unit(Quantity{10'000'000}, Rate{1'300'000}).fen, 130'000);  // 1000 × 1.30
  EXPECT_EQ(pro_rata(Money{3'550'000}, Quantity{4'000'000}, Quantity{10'000'000}).fen, 1'420'000);
  EXPECT_EQ(pro_rata(Money{100}, Quantity{1}, Quantity{3}).fen, 33);
}

TEST(AllocateLargestRemainder, SharesAddUp) {
  const std::vector<Money> shares = allocate_largest_remainder(Money{100}, {1, 1, 1});
  EXPECT_EQ(shares[0].fen + shares[1].fen + shares[2].fen, 100);
  EXPECT_EQ(shares[0].fen, 34);  // earlier first on ties
  EXPECT_EQ(shares[1].fen, 33);
  const std::vector<Money> weighted = allocate_largest_remainder(Money{1'000}, {2, 1});
  EXPECT_EQ(weighted[0].fen, 667);
  EXPECT_EQ(weighted[1].fen, 333);
  const std::vector<Money> zero = allocate_largest_remainder(Money{0}, {5, 5});
  EXPECT_EQ(zero[0].fen + zero[1].fen, 0);
}

}  // namespace
}  // namespace zg
