#include "gate/mrz.h"

#include <gtest/gtest.h>

namespace zg::gate {
namespace {

// The specimens of ICAO Doc 9303 (parts 4, 5 and 6) and the contract's
// enrolment example.
const std::vector<std::string> kTd3 = {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                                       "L898902C36UTO7408122F1204159ZE184226B<<<<<10"};
const std::vector<std::string> kTd2 = {"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
                                       "D231458907UTO7408122F1204159<<<<<<<6"};
const std::vector<std::string> kTd1 = {"I<UTOD231458907<<<<<<<<<<<<<<<",
                                       "7408122F1204159UTO<<<<<<<<<<<6",
                                       "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"};
const std::vector<std::string> kContract = {"P<CHNZHANG<<SAN<<<<<<<<<<<<<<<<<<<<<<<<<<<<<",
                                            "E123456782CHN8001014M3001019<<<<<<<<<<<<<<08"};

TEST(Mrz, CheckDigitsFollowTheWeights) {
  EXPECT_EQ(mrz_check_digit("L898902C3"), 6);
  EXPECT_EQ(mrz_check_digit("740812"), 2);
  EXPECT_EQ(mrz_check_digit("<<<<<<<<<<<<<<"), 0);
  EXPECT_EQ(mrz_check_digit("AB2134<<<"), 5);
  EXPECT_EQ(mrz_check_digit("l898902c3"), -1);
}

TEST(Mrz, ReadsTheSpecimensOfEveryFormat) {
  struct Case {
    std::vector<std::string> lines;
    MrzFormat format;
    std::string number, surname, given, nationality, birth, expiry;
    char sex;
  };
  const std::vector<Case> cases = {
      {kTd3, MrzFormat::kTd3, "L898902C3", "ERIKSSON", "ANNA MARIA", "UTO", "1974-08-12",
       "2012-04-15", 'F'},
      {kTd2, MrzFormat::kTd2, "D23145890", "ERIKSSON", "ANNA MARIA", "UTO", "1974-08-12",
       "2012-04-15", 'F'},
      {kTd1, MrzFormat::kTd1, "D23145890", "ERIKSSON", "ANNA MARIA", "UTO", "1974-08-12",
       "2012-04-15", 'F'},
      {kContract, MrzFormat::kTd3, "E12345678", "ZHANG", "SAN", "CHN", "1980-01-01", "2030-01-01",
       'M'},
  };
  for (const Case& c : cases) {
    Result<Mrz> m = parse_mrz(c.lines);
    ASSERT_TRUE(m.is_ok()) << c.lines[0];
    EXPECT_TRUE(m->valid()) << mrz_json(*m);
    EXPECT_EQ(m->format, c.format);
    EXPECT_EQ(m->document_number, c.number);
    EXPECT_EQ(m->surname, c.surname);
    EXPECT_EQ(m->given_names, c.given);
    EXPECT_EQ(m->nationality, c.nationality);
    ASSERT_TRUE(m->birth_date && m->expiry_date);
    EXPECT_EQ(format_date(*m->birth_date), c.birth);
    EXPECT_EQ(format_date(*m->expiry_date), c.expiry);
    EXPECT_EQ(m->sex, c.sex);
  }
  EXPECT_EQ(parse_mrz(kTd3)->optional_data, "ZE184226B");
}

// Every check digit of every format, each made wrong in turn: the zone is
// invalid, that check fails, and so does the composite (which covers the
// other check digits too) — and nothing else.
TEST(Mrz, EveryWrongCheckDigitIsCaught) {
  struct Digit {
    const std::vector<std::string>* lines;
    size_t line, column;
    std::string field;
  };
  const std::vector<Digit> digits = {
      {&kTd3, 1, 9, "document_number"}, {&kTd3, 1, 19, "birth_date"},
      {&kTd3, 1, 27, "expiry_date"},    {&kTd3, 1, 42, "optional_data"},
      {&kTd3, 1, 43, "composite"},      {&kTd2, 1, 9, "document_number"},
      {&kTd2, 1, 19, "birth_date"},     {&kTd2, 1, 27, "expiry_date"},
      {&kTd2, 1, 35, "composite"},      {&kTd1, 0, 14, "document_number"},
      {&kTd1, 1, 6, "birth_date"},      {&kTd1, 1, 14, "expiry_date"},
      {&kTd1, 1, 29, "composite"},
  };
  for (const Digit& d : digits) {
    std::vector<std::string> lines = *d.lines;
    char& c = lines[d.line][d.column];
    c = c == '9' ? '0' : static_cast<char>(c + 1);
    Result<Mrz> m = parse_mrz(lines);
    ASSERT_TRUE(m.is_ok());
    EXPECT_FALSE(m->valid()) << d.field;
    for (const MrzCheck& check : m->checks) {
      const bool broken = check.field == d.field || check.field == "composite";
      EXPECT_EQ(check.valid, !broken) << d.field << " / " << check.field;
    }
  }
  // A changed data character breaks its own check and the composite.
  std::vector<std::string> lines = kTd3;
  lines[1][14] = '5';  // the birth year 1974 -> 1954
  Result<Mrz> m = parse_mrz(lines);
  EXPECT_FALSE(m->valid());
  int failed = 0;
  for (const MrzCheck& check : m->checks) failed += check.valid ? 0 : 1;
  EXPECT_EQ(failed, 2);
}

// A TD1 document number longer than 9 runs on into the optional data, its
// check digit after it, and a filler where the check digit would be.
TEST(Mrz, ReadsALongTd1DocumentNumber) {
  const std::string number = "D23145890123";
  std::string line1 = "I<UTO" + number.substr(0, 9) + "<" + number.substr(9) +
                      std::to_string(mrz_check_digit(number));
  line1.resize(30, '<');
  std::string line2 = "7408122F1204159UTO<<<<<<<<<<<";
  const std::string composite =
      line1.substr(5, 25) + line2.substr(0, 7) + line2.substr(8, 7) + line2.substr(18, 11);
  line2 += std::to_string(mrz_check_digit(composite));
  Result<Mrz> m = parse_mrz({line1, line2, kTd1[2]});
  ASSERT_TRUE(m.is_ok());
  EXPECT_TRUE(m->valid()) << mrz_json(*m);
  EXPECT_EQ(m->document_number, number);
}

TEST(Mrz, RefusesWhatIsNoFormat) {
  EXPECT_FALSE(parse_mrz({}).is_ok());
  EXPECT_FALSE(parse_mrz({kTd3[0]}).is_ok());
  EXPECT_FALSE(parse_mrz({kTd3[0], kTd3[1].substr(0, 43)}).is_ok());
  EXPECT_FALSE(parse_mrz({kTd2[0], kTd2[1], kTd2[1]}).is_ok());
  // The right shape with bad characters or dates: parsed, with problems.
  std::vector<std::string> lower = kTd3;
  lower[0][6] = 'r';
  Result<Mrz> m = parse_mrz(lower);
  ASSERT_TRUE(m.is_ok());
  EXPECT_FALSE(m->valid());
  EXPECT_FALSE(m->problems.empty());
  std::vector<std::string> bad_date = kTd3;
  bad_date[1].replace(13, 6, "741332");
  bad_date[1][19] = static_cast<char>('0' + mrz_check_digit("741332"));
  m = parse_mrz(bad_date);
  EXPECT_FALSE(m->valid());
  EXPECT_NE(mrz_json(*m).find("not a date"), std::string::npos);
}

TEST(Mrz, JsonNamesEveryFieldAndCheck) {
  const std::string json = mrz_json(*parse_mrz(kTd1));
  for (const char* key :
       {"\"format\":\"TD1\"", "\"valid\":true", "\"document_number\":\"D23145890\"", "\"checks\":{",
        "\"composite\":{\"found\":\"6\",\"expected\":6,\"valid\":true}",
        "\"optional_data_2\":\"\""}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
  }
}

}  // namespace
}  // namespace zg::gate
