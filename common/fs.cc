#include "common/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace beffroi {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

int OpenNoAtime(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_NOATIME);
  // O_NOATIME is refused (EPERM) unless we own the file or hold CAP_FOWNER; fall back to a
  // plain open, which relatime mounts rarely turn into an atime write.
  if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), flags);
  return fd;
}

Result<UniqueFd> OpenForEvidenceRead(const std::string& path, int* errno_out) {
  constexpr int kBase = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
  int fd = OpenNoAtime(path, kBase);
  if (fd < 0) {
    int err = errno;
    if (errno_out) *errno_out = err;
    return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     "open " + path + ": " + std::strerror(err));
  }
  return UniqueFd(fd);
}

Result<std::string> ReadFileBounded(const std::string& path, std::size_t max_bytes) {
  auto fd = OpenForEvidenceRead(path);
  if (!fd.ok()) return fd.error();
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) {
    return MakeError(ErrorCode::kIo, "stat " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return MakeError(ErrorCode::kInvalidArgument, path + ": not a regular file");
  }
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd->get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        return MakeError(ErrorCode::kIo, "read " + path + ": would block (not a file on disk)");
      }
      return MakeError(ErrorCode::kIo, "read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    if (static_cast<std::size_t>(n) > max_bytes - out.size()) {
      return MakeError(ErrorCode::kCorrupt,
                       path + ": larger than the limit of " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Status WriteAll(int fd, const void* data, std::size_t size, const std::string& what) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kIo, "write " + what + ": " + std::strerror(errno));
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return OkStatus();
}

Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode) {
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // a leftover of an interrupted write; never write through one
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd.valid()) return MakeError(ErrorCode::kIo, "create " + tmp + ": " + std::strerror(errno));
  if (auto s = WriteAll(fd.get(), data.data(), data.size(), tmp); !s.ok()) return s;
  if (::fsync(fd.get()) != 0) {
    return MakeError(ErrorCode::kIo, "fsync " + tmp + ": " + std::strerror(errno));
  }
  fd = UniqueFd();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return MakeError(ErrorCode::kIo, "rename " + tmp + ": " + std::strerror(errno));
  }
  return OkStatus();
}

}  // namespace beffroi
