// Writing a small file so that a crash leaves either the old state or the
// whole new file, and the file is on disk before the caller goes on: key
// files, a witness's last head.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/status.h"

namespace zg {

enum class Replace { kAllowed, kNever };

// Writes `text` through a temporary file of its own beside `path` (so two
// writers never touch each other's), fsyncs it, moves it into place — with
// kNever by link(), so an existing file (made meanwhile by another process,
// say) is never replaced: the call fails and sets *existed — and fsyncs the
// directory. Errors name the path and the system's reason.
Status write_file_durably(const std::string& path, std::string_view text, mode_t mode,
                          Replace replace, bool* existed = nullptr);

}  // namespace zg
