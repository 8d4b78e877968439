// Vehicle plates as the zone keys them.
#pragma once

#include <string>
#include <string_view>

namespace zg::gate {

// A plate as the zone keys it: ASCII letters upper-cased, and the spaces,
// hyphens, dots and middle dots (U+00B7) people and cameras write between
// its parts dropped, so "MX-12-34", "mx 12 34" and "MX·1234" are one car.
// Permits are looked up by it, live and after a restart alike.
std::string canonical_plate(std::string_view plate);

}  // namespace zg::gate
