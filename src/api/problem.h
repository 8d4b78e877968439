// Problem details (RFC 9457): the body of every refusal of a request as a
// whole (bad token, wrong role or tenant, oversize, unparseable), as
// opposed to a command's rejection, which is a result (HTTP 200).
#pragma once

#include <string>
#include <string_view>

#include "api/http.h"

namespace zg::api {

// An application/problem+json response: `title` is the status's phrase,
// `detail` what was wrong with this request, `code` a stable snake_case
// word for programs ("token_expired", "wrong_tenant", ...).
HttpResponse problem(int status, std::string_view code, std::string_view detail,
                     std::string_view instance = "", std::string_view request_id = "");

// The reason phrase of a status code ("Forbidden").
std::string_view status_title(int status);

}  // namespace zg::api
