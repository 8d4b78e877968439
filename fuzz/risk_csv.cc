// The risk engine's declarations CSV (zonegate risk train/evaluate/score:
// files from outside, e.g. a published customs dataset). The first byte says
// whether the Fraud column is required. Read or refused with a message;
// every number read is finite and every label 0 or 1.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "risk/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const bool need_labels = data[0] % 2 == 1;
  const zg::Result<zg::risk::Dataset> dataset = zg::risk::read_declarations(text, need_labels);
  if (!dataset.is_ok()) {
    zg::fuzz::check(!dataset.status().first().message.empty(), "a refusal says what is wrong");
    return 0;
  }
  if (need_labels) zg::fuzz::check(dataset->labelled, "a file read for training has labels");
  for (const zg::risk::DeclarationRow& row : dataset->rows) {
    // A NaN or infinity would poison every score the model gives.
    zg::fuzz::check(
        std::isfinite(row.tax_rate) && std::isfinite(row.net_mass) && std::isfinite(row.item_price),
        "every number read is finite", row.id);
    zg::fuzz::check(row.fraud >= -1 && row.fraud <= 1, "a label is 0 or 1 (or absent)", row.id);
  }
  return 0;
}
