#include "gate/container.h"

#include <gtest/gtest.h>

namespace zg::gate {
namespace {

TEST(Container, AcceptsAValidNumber) {
  EXPECT_EQ(container_check_digit("CSQU305438"), 3);
  EXPECT_TRUE(validate_container("CSQU3054383").is_ok());
}

TEST(Container, RefusesEveryOtherCheckDigit) {
  for (char d = '0'; d <= '9'; ++d) {
    if (d == '3') continue;
    const Status s = validate_container(std::string("CSQU305438") + d);
    ASSERT_FALSE(s.is_ok()) << d;
    EXPECT_NE(s.first().message.find("ISO 6346 gives 3"), std::string::npos) << s.first().message;
  }
}

TEST(Container, RefusesWhatIsNotAContainerNumber) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "11 characters"},
      {"CSQU305438", "11 characters"},
      {"CSQU30543833", "11 characters"},
      {"csqu3054383", "owner code"},
      {"CS1U3054383", "owner code"},
      {"CSQX3054383", "category"},
      {"CSQU30A4383", "digits"},
      {"CSQU305438X", "digits"},
  };
  for (const auto& [number, why] : cases) {
    const Status s = validate_container(number);
    ASSERT_FALSE(s.is_ok()) << number;
    EXPECT_NE(s.first().message.find(why), std::string::npos)
        << number << ": " << s.first().message;
  }
}

TEST(Container, CategoriesJAndZAreContainersToo) {
  for (char category : {'J', 'Z'}) {
    std::string number = std::string("CSQ") + category + "305438";
    number += static_cast<char>('0' + container_check_digit(number));
    EXPECT_TRUE(validate_container(number).is_ok()) << number;
  }
}

}  // namespace
}  // namespace zg::gate
