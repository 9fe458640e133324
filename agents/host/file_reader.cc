#include "agents/host/file_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/fs.h"

namespace beffroi::host {

namespace {

bool SameTimes(const struct stat& a, const struct stat& b) {
  return a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         a.st_mtim.tv_nsec == b.st_mtim.tv_nsec && a.st_ctim.tv_sec == b.st_ctim.tv_sec &&
         a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
}

ReadOutcome Fail(ReadOutcome out, std::string anomaly, std::string message) {
  out.ok = false;
  out.anomaly = std::move(anomaly);
  out.message = std::move(message);
  return out;
}

}  // namespace

bool LooksSparse(const struct stat& st) {
  constexpr off_t kMinSparseSize = 16 * 1024 * 1024;
  return st.st_size > kMinSparseSize && static_cast<std::uint64_t>(st.st_blocks) * 512 <
                                            static_cast<std::uint64_t>(st.st_size) / 2;
}

ReadOutcome ReadEvidenceFile(const WalkItem& item, std::vector<std::uint8_t>& buffer,
                             const ChunkConsumer& consume, Throttle* throttle) {
  ReadOutcome out;
  int err = 0;
  auto fd = OpenForEvidenceRead(item.path, &err);
  if (!fd.ok()) {
    std::string name = err == ENOENT                     ? "file.vanished"
                       : (err == EACCES || err == EPERM) ? "file.permission_denied"
                       : err == ELOOP                    ? "file.replaced"
                                                         : "file.open_failed";
    return Fail(out, name, fd.error().message);
  }
  if (::fstat(fd->get(), &out.st) != 0) {
    return Fail(out, "file.read_error", "fstat " + item.path + ": " + std::strerror(errno));
  }
  out.opened = true;
  if (!S_ISREG(out.st.st_mode) || out.st.st_dev != item.st.st_dev ||
      out.st.st_ino != item.st.st_ino) {
    return Fail(out, "file.replaced", "file replaced between listing and opening: " + item.path);
  }
  // O_NONBLOCK stays on: it changes nothing for files on disk, and a pseudo-file that claims
  // to be regular but blocks (tracefs trace_pipe) gives EAGAIN instead of hanging a worker.
  ::posix_fadvise(fd->get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  for (;;) {
    ssize_t n = ::read(fd->get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        return Fail(out, "file.would_block",
                    "reading would block (not a file on disk): " + item.path);
      }
      return Fail(out, "file.read_error",
                  "read " + item.path + " at offset " + std::to_string(out.bytes_read) + ": " +
                      std::strerror(errno));
    }
    if (n == 0) break;
    auto len = static_cast<std::size_t>(n);
    out.bytes_read += len;
    consume(std::span<const std::uint8_t>(buffer.data(), len));
    if (throttle != nullptr) throttle->OnRead(len);
  }
  struct stat after {};
  if (::fstat(fd->get(), &after) != 0 || !SameTimes(out.st, after) ||
      out.bytes_read != static_cast<std::uint64_t>(out.st.st_size)) {
    return Fail(out, "file.changed_during_read",
                "file changed while it was read (" + std::to_string(out.bytes_read) + " of " +
                    std::to_string(out.st.st_size) + " bytes): " + item.path);
  }
  out.ok = true;
  return out;
}

}  // namespace beffroi::host
