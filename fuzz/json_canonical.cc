// The JSON reader every command, batch and envelope body goes through, and
// RFC 8785 canonical form (what is journaled and hashed). For every input the
// reader accepts: the canonical form reads back, and is its own canonical
// form (a journaled command's digest never changes on replay). The fast
// path for JsonWriter's output (results, on every commit and replay), where
// it takes the text, only reorders members: its output has the same
// canonical form, and canonical text comes out of it unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  zg::JsonDocument document;
  const zg::Status parsed = document.parse(input);
  if (!parsed.is_ok()) {
    zg::fuzz::check(!parsed.first().message.empty(), "a refusal says what is wrong");
    return 0;
  }
  std::string canonical;
  zg::append_canonical_json(canonical, document.root());
  zg::JsonDocument again;
  zg::fuzz::check(again.parse(canonical).is_ok(), "the canonical form reads back", canonical);
  std::string twice;
  zg::append_canonical_json(twice, again.root());
  zg::fuzz::check(twice == canonical, "the canonical form is its own canonical form", canonical);

  std::string sorted = "kept";
  if (zg::append_canonical_writer_json(sorted, input)) {
    zg::JsonDocument reordered;
    zg::fuzz::check(reordered.parse(std::string_view(sorted).substr(4)).is_ok(),
                    "the fast path's output reads back", sorted);
    std::string general;
    zg::append_canonical_json(general, reordered.root());
    zg::fuzz::check(general == canonical, "the fast path only reorders members", sorted);
  } else {
    zg::fuzz::check(sorted == "kept", "a refusal leaves the output as it was", sorted);
  }
  std::string fast;
  if (zg::append_canonical_writer_json(fast, canonical)) {
    zg::fuzz::check(fast == canonical, "canonical text passes the fast path unchanged", fast);
  }
  return 0;
}
