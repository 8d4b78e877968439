// The web pages (web/), compiled into the binary so that `zonegate serve`
// needs no files beside it and works with no internet (docs/web.md).
#pragma once

#include <optional>
#include <string_view>

namespace zg::api {

// A page's bytes by its file name ("index.html", "app.js"), or nothing.
std::optional<std::string_view> web_file(std::string_view name);

// The media type for a file name, by its extension.
std::string_view web_media_type(std::string_view name);

}  // namespace zg::api
