#include "core/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
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
                          Replace replace) {
  const std::string partial = path + ".tmp";
  // A stale partial file from a crash may have any mode: start afresh.
  ::unlink(partial.c_str());
  const int fd =
      ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return io_error("cannot create " + partial);
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
      return link_errno == EEXIST
                 ? Status(ErrorCode::kIoError, "", path + " exists; it is never overwritten")
                 : io_error("cannot create " + path);
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
