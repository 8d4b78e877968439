// An enterprise's account book as JSON (`zonegate book`, later the API).
#pragma once

#include <string>

#include "engine/state.h"

namespace zg {

std::string write_book_json(const Enterprise& enterprise, const Book& book);

}  // namespace zg
