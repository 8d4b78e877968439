// An enterprise's account book as JSON (`zonegate book`, later the API).
#pragma once

#include <string>

#include "engine/state.h"

namespace zg {

// `state` names the declarations behind lots and postings (a posting's seq
// is the command that made it).
std::string write_book_json(const Enterprise& enterprise, const Book& book, const ZoneState& state);

}  // namespace zg
