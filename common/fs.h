// Small POSIX file helpers shared by the agents and the analyzer.
//
// UniqueFd owns a file descriptor. OpenForEvidenceRead opens a file the way evidence must be
// opened: read-only, without following a final symlink, without blocking on a FIFO swapped in
// behind our back, and with O_NOATIME where the kernel permits it (owner or CAP_FOWNER), so
// reading never changes the access time. All functions are thread-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace beffroi {

// Read granularity for hashing and copying: large enough for sequential throughput, small
// enough that N worker threads stay far below the agent's memory budget.
inline constexpr std::size_t kReadChunkSize = 256 * 1024;

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Opens `path` read-only for evidence (see above). `dir_fd`/relative paths are not used: the
// walker checks device and inode after opening instead. On failure the Error message is
// "open PATH: strerror" and `*errno_out` (when given) receives errno.
Result<UniqueFd> OpenForEvidenceRead(const std::string& path, int* errno_out = nullptr);

// open(2) with O_NOATIME added when the kernel allows it (we own the file, or hold
// CAP_FOWNER), and without it otherwise. Returns the descriptor or -1 with errno set.
int OpenNoAtime(const std::string& path, int flags);

// Reads a whole file of at most `max_bytes`; larger files are an error, so an untrusted file
// can never make us allocate more than the caller allowed.
Result<std::string> ReadFileBounded(const std::string& path, std::size_t max_bytes);

// Writes `data` to `path` through a temporary file, fsync and rename, so a reader sees either
// the old file or the whole new one.
Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode = 0644);

// Writes all of `data` to `fd`, retrying on short writes and EINTR.
Status WriteAll(int fd, const void* data, std::size_t size, const std::string& what);

}  // namespace beffroi
