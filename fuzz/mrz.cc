// Machine-readable zones of travel documents (ICAO 9303 TD1, TD2, TD3), as a
// gate's reader sends them: the input's lines. What parses is written as
// JSON that reads back.
#include "gate/mrz.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  for (size_t start = 0; start <= input.size();) {
    size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    lines.emplace_back(input.substr(start, end - start));
    start = end + 1;
  }
  const zg::Result<zg::gate::Mrz> mrz = zg::gate::parse_mrz(lines);
  if (!mrz.is_ok()) {
    zg::fuzz::check(!mrz.status().first().message.empty(), "a refusal says what is wrong");
    return 0;
  }
  const std::string json = zg::gate::mrz_json(*mrz);
  zg::JsonDocument document;
  zg::fuzz::check(document.parse(json).is_ok(), "a parsed MRZ is written as JSON", json);
  return 0;
}
