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
    case 307: return "Temporary Redirect";
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

HttpResponse not_taken(const Status& status, const std::string& owner, std::string_view path) {
  const bool standby = status.first().code == ErrorCode::kFenced;
  if (standby && !owner.empty()) {
    HttpResponse redirect = problem(307, "not_owner", status.first().message, path);
    redirect.headers.emplace_back("Location", owner + std::string(path));
    return redirect;
  }
  HttpResponse refusal =
      problem(503, standby ? "not_owner" : "unavailable", status.first().message, path);
  refusal.headers.emplace_back("Retry-After", "1");
  return refusal;
}

}  // namespace zg::api
