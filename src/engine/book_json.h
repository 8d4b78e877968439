// An enterprise's account book as JSON (`zonegate book`, later the API).
#pragma once

#include <string>

#include "engine/state.h"

namespace zg {

// `state` and `declaration_prefix` name the declarations behind lots and
// postings (a posting's seq is the command that made it).
std::string write_book_json(const Enterprise& enterprise, const Book& book, const ZoneState& state,
                            std::string_view declaration_prefix);

}  // namespace zg
