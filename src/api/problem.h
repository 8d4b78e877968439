// Problem details (RFC 9457): the body of every refusal of a request as a
// whole (bad token, wrong role or tenant, oversize, unparseable), as
// opposed to a command's rejection, which is a result (HTTP 200).
#pragma once

#include <string>
#include <string_view>

#include "api/http.h"
#include "core/status.h"

namespace zg::api {

// An application/problem+json response: `title` is the status's phrase,
// `detail` what was wrong with this request, `code` a stable snake_case
// word for programs ("token_expired", "wrong_tenant", ...).
HttpResponse problem(int status, std::string_view code, std::string_view detail,
                     std::string_view instance = "", std::string_view request_id = "");

// Why a command was not taken (the zone is busy, shutting down, or this
// node is a standby): 503 with Retry-After, or, when a standby knows its
// shard's owner, 307 to `owner` + `path` (the same method and body, so the
// client sends the same command ids there).
HttpResponse not_taken(const Status& status, const std::string& owner, std::string_view path);

// The reason phrase of a status code ("Forbidden").
std::string_view status_title(int status);

}  // namespace zg::api
