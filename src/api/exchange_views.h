// The exchange's side of the HTTP API (docs/exchange.md): the partners'
// inbox and what officers see of the exchange — partners and the outbox.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "api/courier.h"
#include "api/http.h"
#include "engine/engine.h"

namespace zg::api {

// The receive_envelope command the inbox makes of a posted envelope, or an
// error saying what is wrong with the body. Its id is the envelope's
// digest, and its "at" the envelope's own, so the very same envelope
// posted again is the same command and gets its first answer.
// Refused here already: an envelope over kEnvelopeBytesMax, or not
// addressed to `zone` (the zone's party name).
inline constexpr size_t kEnvelopeBytesMax = 1u << 20;
Result<std::string> inbox_command(std::string_view body, std::string_view zone);
// The inbox's answer to one envelope: `ok` with {"acknowledged": true,
// "from", "message", "duplicate", "receipt", "seq"} — never the body, which
// only the zone may read; the receipt is the zone's signature over what it
// received (exchange::receipt_text) — or why it was refused.
struct InboxAnswer {
  bool ok = false;
  int status = 200;          // for a single envelope: 200, 400, 409, 503
  std::string code, detail;  // when refused
  std::string json;          // the acknowledgement, or {"acknowledged": false, "code", "detail"}
};
InboxAnswer inbox_answer(std::string_view result);
// An envelope refused before the zone saw it (not JSON, no time).
InboxAnswer inbox_refusal(std::string_view code, std::string_view detail);

// Registered partners: their keys' versions, inbox, messages received and waiting.
HttpResponse partners_view(const Engine& engine);
// Messages waiting for their partners' acknowledgement (the first `limit`
// per partner), with the courier's word on each link.
HttpResponse outbox_view(const Engine& engine, const std::map<std::string, LinkStatus>& links,
                         size_t limit);

}  // namespace zg::api
