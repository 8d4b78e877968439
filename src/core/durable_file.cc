#include "core/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace zg {
namespace {

Status io_error(const std::string& what) {
  return Status(ErrorCode::kIoError, "", what + ": " + std::strerror(errno));
}

bool sync_directory_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

}  // namespace

Status write_file_durably(const std::string& path, std::string_view text, mode_t mode,
                          Replace replace, bool* existed) {
  if (existed != nullptr) *existed = false;
  // A name of this writer's own: mkstemp makes it 0600 and unique, so a
  // second writer (another process making the same file) never reuses or
  // removes it. A crash may leave one behind; it is never read.
  std::string partial = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(partial.data());
  if (fd < 0) return io_error("cannot create a temporary file beside " + path);
  if (::fchmod(fd, mode) != 0) {
    const Status status = io_error("cannot set the mode of " + partial);
    ::close(fd);
    ::unlink(partial.c_str());
    return status;
  }
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t put = ::write(fd, text.data() + written, text.size() - written);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) {
      const Status status = io_error("cannot write " + partial);
      ::close(fd);
      ::unlink(partial.c_str());
      return status;
    }
    written += static_cast<size_t>(put);
  }
  if (::fsync(fd) != 0) {
    const Status status = io_error("cannot fsync " + partial);
    ::close(fd);
    ::unlink(partial.c_str());
    return status;
  }
  ::close(fd);
  if (replace == Replace::kNever) {
    const bool linked = ::link(partial.c_str(), path.c_str()) == 0;
    const int link_errno = errno;
    ::unlink(partial.c_str());
    if (!linked) {
      errno = link_errno;
      if (link_errno != EEXIST) return io_error("cannot create " + path);
      if (existed != nullptr) *existed = true;
      return Status(ErrorCode::kIoError, "", path + " exists; it is never overwritten");
    }
  } else if (std::rename(partial.c_str(), path.c_str()) != 0) {
    const Status status = io_error("cannot rename " + partial + " to " + path);
    ::unlink(partial.c_str());
    return status;
  }
  // The new name is durable only once the directory entry is.
  if (!sync_directory_of(path)) return io_error("cannot fsync the directory of " + path);
  return Status::ok();
}

}  // namespace zg
