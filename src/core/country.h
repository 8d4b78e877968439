// ISO 3166-1 alpha-2 country codes.
//
// The table is compiled in and immutable: is_country() is safe to call from any thread.
#pragma once

#include <string_view>

namespace zg {

// Whether `alpha2` is one of the 249 officially assigned ISO 3166-1 alpha-2 codes, upper case
// ("CN", "MO", "HK"). Reserved and user-assigned codes ("UK", "EU", "XK", "ZZ") are not.
bool is_country(std::string_view alpha2);

}  // namespace zg
