// A policy pack's CSV files: the tariff schedule, exchange rates and the HS
// lists (zero-tariff, prohibited, ...). The first byte picks the file; the
// rest is its text. A refusal names the file and says what is wrong.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "policy/pack_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  zg::Status status;
  switch (data[0] % 3) {
    case 0: {
      zg::TariffSchedule tariff;
      status = zg::load_tariff_csv(text, "tariff.csv", tariff);
      break;
    }
    case 1: {
      zg::ExchangeRates rates;
      status = zg::load_fx_csv(text, "fx.csv", rates);
      break;
    }
    default: {
      zg::HsList list;
      status = zg::load_hs_list_csv(text, "list.csv", list);
      break;
    }
  }
  if (!status.is_ok()) {
    zg::fuzz::check(!status.first().message.empty(), "a refusal says what is wrong");
  }
  return 0;
}
