#include "agents/host/facts/collector.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "agents/host/facts/limits.h"
#include "agents/host/facts/parse_util.h"
#include "common/fs.h"
#include "common/text.h"

namespace beffroi::host::facts {

namespace {

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

}  // namespace

std::string CollectorContext::RootPath(std::string_view relative) const {
  return JoinPath(options_.root, relative);
}

std::string CollectorContext::ProcPath(std::string_view relative) const {
  return JoinPath(options_.proc, relative);
}

void CollectorContext::Emit(Event event) {
  ++summary_.counts[event.dataset()];
  emit_(std::move(event));
}

void CollectorContext::Fail(std::string_view collector, std::string_view message,
                            std::string_view path) {
  Event e = Event::Make("event", "beffroi.anomaly");
  e.Set("event.action", kCollectorFailed)
      .Set("beffroi.anomaly.name", kCollectorFailed)
      .Set("beffroi.anomaly.collector", collector)
      .Set("error.message", message);
  if (!path.empty()) e.Set("file.path", path);
  ++summary_.collector_failures;
  Emit(std::move(e));
}

void CollectorContext::Count(const std::string& key, std::uint64_t n) {
  if (n > 0) summary_.counts[key] += n;
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') out.push_back('/');
  while (!name.empty() && name.front() == '/')
    name.remove_prefix(1);
  out.append(name);
  return out;
}

Result<std::vector<std::string>> ListDirectory(const std::string& path, std::size_t max_entries) {
  // Listing a directory updates its atime like reading a file: open it with O_NOATIME.
  int fd = OpenNoAtime(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
  std::unique_ptr<DIR, DirCloser> dir(fd >= 0 ? ::fdopendir(fd) : nullptr);
  if (fd >= 0 && !dir) ::close(fd);
  if (!dir) {
    int err = errno;
    return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     "opendir " + path + ": " + std::strerror(err));
  }
  std::vector<std::string> names;
  while (names.size() < max_entries) {
    errno = 0;
    const dirent* entry = ::readdir(dir.get());
    if (entry == nullptr) {
      if (errno != 0) {
        return MakeError(ErrorCode::kIo, "readdir " + path + ": " + std::strerror(errno));
      }
      break;
    }
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool IsRegularFile(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::string> ReadLink(const std::string& path, int* errno_out) {
  std::string buf(kMaxLinkBytes + 1, '\0');
  ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
  if (n < 0) {
    int err = errno;
    if (errno_out) *errno_out = err;
    return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     "readlink " + path + ": " + std::strerror(err));
  }
  if (static_cast<std::size_t>(n) > kMaxLinkBytes) {
    if (errno_out) *errno_out = ENAMETOOLONG;
    return MakeError(ErrorCode::kCorrupt, "readlink " + path + ": target longer than the limit");
  }
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

Result<std::string> ReadRootFile(const CollectorContext& ctx, const std::string& path,
                                 std::size_t max_bytes) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) {
    return ReadFileBounded(path, max_bytes);
  }
  auto target = ReadLink(path);
  if (!target.ok()) return target.error();
  std::filesystem::path root = std::filesystem::path(ctx.options().root).lexically_normal();
  std::filesystem::path resolved = target->starts_with('/')
                                       ? std::filesystem::path(ctx.RootPath(*target))
                                       : std::filesystem::path(path).parent_path() / *target;
  resolved = resolved.lexically_normal();
  // Compare whole components, so "/mnt/img" does not admit "/mnt/img2".
  auto root_end = std::mismatch(root.begin(), root.end(), resolved.begin(), resolved.end()).first;
  if (root_end != root.end() && !root_end->empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     path + ": symlink to " + *target + " leaves the root " + ctx.options().root);
  }
  return ReadFileBounded(resolved.string(), max_bytes);
}

Result<std::vector<std::uint64_t>> ListPids(const CollectorContext& ctx) {
  auto names = ListDirectory(ctx.options().proc, kMaxDirectoryEntries);
  if (!names.ok()) return names.error();
  std::vector<std::uint64_t> pids;
  for (const std::string& name : *names) {
    if (pids.size() >= kMaxProcesses) break;
    if (auto pid = ParseUnsigned<std::uint64_t>(name)) pids.push_back(*pid);
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

nlohmann::json StringArray(const std::vector<std::string>& values) {
  nlohmann::json array = nlohmann::json::array();
  for (const std::string& v : values)
    array.push_back(ToValidUtf8(v));
  return array;
}

}  // namespace beffroi::host::facts
