// Writes N commands of the Hengqin contract as JSON Lines to standard
// output, for `zonegate run` throughput runs (bench/run_throughput.sh).
//
// Deterministic: the same N gives the same file. 100 enterprises register,
// then each declaration is single-item, cycling through four movements so
// that books neither run dry nor grow without end:
//   first-line entry (bonded, USD) -> second-line exit (import taxes)
//   second-line entry (refund)     -> first-line exit
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

constexpr int kEnterprises = 100;

// GB 32100 check character for the first 17 characters.
char uscc_check(const std::string& first17) {
  static const std::string kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static const int kWeights[] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += static_cast<int>(kAlphabet.find(first17[i])) * kWeights[i];
  const int check = 31 - sum % 31;
  return kAlphabet[check == 31 ? 0 : static_cast<size_t>(check)];
}

std::string uscc(int n) {
  char body[32];
  std::snprintf(body, sizeof body, "91440400MA4W%05d", n);
  std::string first17(body);
  return first17 + uscc_check(first17);
}

struct Goods {
  const char* hs;
  const char* unit;
  const char* description;
};

constexpr Goods kImports[] = {
    {"22042100", "L", "red wine"},     {"85171300", "pcs", "smartphones"},
    {"33030000", "pcs", "perfume"},    {"84181020", "pcs", "refrigerator-freezers"},
    {"02023000", "kg", "frozen beef"},
};
constexpr Goods kDomestic[] = {
    {"85340090", "pcs", "printed circuit boards"},
    {"61091000", "pcs", "cotton T-shirts"},
};

}  // namespace

int main(int argc, char** argv) {
  const long count = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  if (count < kEnterprises) {
    std::fprintf(stderr, "usage: zonegate_gen_commands N (N >= %d)\n", kEnterprises);
    return 2;
  }
  for (int e = 0; e < kEnterprises; ++e) {
    std::printf(
        "{\"type\":\"register_enterprise\",\"id\":\"e-%d\",\"at\":\"2024-03-01T09:00:00+08:00\","
        "\"uscc\":\"%s\",\"name\":\"Bench Enterprise %d\",\"legal_person\":true,"
        "\"registered_in_zone\":true,\"macao_funded\":%s,\"duty_free_importer\":false,"
        "\"encouraged_industry\":true,\"high_tech\":false,\"credit_grade\":\"general\"}\n",
        e, uscc(e).c_str(), e, e % 2 ? "true" : "false");
  }
  for (long i = 0; i < count - kEnterprises; ++i) {
    const long round = i / 4;
    const int enterprise = static_cast<int>(round % kEnterprises);
    const int day = static_cast<int>(1 + (round / 1000) % 28);
    const std::string declarant = uscc(enterprise);
    const long item = round / kEnterprises;
    const char* movement;
    const Goods* goods;
    const char* currency = "CNY";
    const char* value = "1200.00";
    char item_code[32];
    switch (i % 4) {
      case 0:
        movement = "first_line_entry";
        goods = &kImports[item % 5];
        currency = "USD";
        value = "1000.00";
        std::snprintf(item_code, sizeof item_code, "IMP-%ld", item);
        break;
      case 1:
        movement = "second_line_exit";
        goods = &kImports[item % 5];
        value = "9000.00";
        std::snprintf(item_code, sizeof item_code, "IMP-%ld", item);
        break;
      case 2:
        movement = "second_line_entry";
        goods = &kDomestic[item % 2];
        std::snprintf(item_code, sizeof item_code, "DOM-%ld", item);
        break;
      default:
        movement = "first_line_exit";
        goods = &kDomestic[item % 2];
        value = "1500.00";
        std::snprintf(item_code, sizeof item_code, "DOM-%ld", item);
        break;
    }
    std::printf(
        "{\"type\":\"declare\",\"id\":\"d-%ld\",\"at\":\"2024-06-%02dT10:%02ld:00+08:00\","
        "\"movement\":\"%s\",\"declarant\":\"%s\",\"purpose\":\"trade\",\"currency\":\"%s\","
        "\"items\":[{\"item\":\"%s\",\"hs\":\"%s\",\"description\":\"%s\",\"origin\":\"%s\","
        "\"quantity\":\"10\",\"unit\":\"%s\",\"value\":\"%s\"}]}\n",
        i, day, i % 60, movement, declarant.c_str(), currency, item_code, goods->hs,
        goods->description, i % 4 < 2 ? "FR" : "CN", goods->unit, value);
  }
  return 0;
}
