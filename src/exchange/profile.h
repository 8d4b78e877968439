// Data-sharing profiles: what of a customs decision a partner may see.
//
// A message the zone shares is made from a command and its result: their
// members merged (the result's win; two objects, or two arrays of the same
// length, merge member by member, so a declaration's items carry both what
// was declared and what was assessed), less the engine's bookkeeping (id,
// type, received_at; seq, status, shared). A profile then keeps only the
// fields it lists: "declaration" keeps that member whole, "items.hs" keeps
// only "hs" in each of the items. Everything else is dropped before
// sealing, and the paths dropped are reported so the drop is logged.
#pragma once

#include <string>
#include <vector>

#include "core/json.h"

namespace zg::exchange {

struct SharedBody {
  std::string body;                  // canonical JSON (RFC 8785)
  std::vector<std::string> dropped;  // paths left out, sorted, each once ("items.duty")
};

// `command` and `result` are objects (either may be missing); `fields` the
// profile's paths.
SharedBody share_fields(JsonRef command, JsonRef result, const std::vector<std::string>& fields);

}  // namespace zg::exchange
