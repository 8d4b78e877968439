#include "gate/plate.h"

namespace zg::gate {

std::string canonical_plate(std::string_view plate) {
  std::string out;
  for (size_t i = 0; i < plate.size(); ++i) {
    const char c = plate[i];
    if (c == ' ' || c == '-' || c == '.') continue;
    if (c == '\xC2' && i + 1 < plate.size() && plate[i + 1] == '\xB7') {
      ++i;
      continue;
    }
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

}  // namespace zg::gate
