#include "api/problem.h"

#include "core/json.h"

namespace zg::api {

std::string_view status_title(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

HttpResponse problem(int status, std::string_view code, std::string_view detail,
                     std::string_view instance, std::string_view request_id) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/problem+json";
  JsonWriter w(response.body);
  w.begin_object()
      .field("type", "about:blank")
      .field("title", status_title(status))
      .key("status")
      .number(status);
  w.field("detail", detail);
  w.field("code", code);
  if (!instance.empty()) w.field("instance", instance);
  if (!request_id.empty()) w.field("request_id", request_id);
  w.end_object();
  if (status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"zonegate\"");
  return response;
}

}  // namespace zg::api
