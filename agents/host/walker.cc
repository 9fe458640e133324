#include "agents/host/walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/fs.h"
#include "common/text.h"

namespace beffroi::host {

namespace {

std::int64_t ToNs(const struct timespec& ts) {
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string JoinPath(const std::string& dir, const char* name) {
  if (!dir.empty() && dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

// Opens a directory for listing without following a symlink and without touching its atime.
int OpenDirectory(const std::string& path) {
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
  int fd = ::open(path.c_str(), kFlags | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), kFlags);
  return fd;
}

Event PathAnomaly(std::string_view name, const std::string& path, std::string_view message) {
  Event e = MakeAnomaly(name, message);
  e.Set("file.path", path);
  return e;
}

std::string_view ErrnoAnomaly(int err, bool directory) {
  switch (err) {
    case EACCES:
    case EPERM:
      return directory ? "dir.permission_denied" : "file.permission_denied";
    case ENOENT:
      return directory ? "dir.vanished" : "file.vanished";
    case ENAMETOOLONG:
      return "path.too_long";
    case ELOOP:
    case ENOTDIR:
      return directory ? "dir.replaced" : "file.replaced";
    default:
      return directory ? "dir.read_error" : "file.read_error";
  }
}

}  // namespace

std::string_view BaseName(std::string_view path) {
  if (path == "/") return path;
  while (path.size() > 1 && path.back() == '/')
    path.remove_suffix(1);
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string LowerExtension(std::string_view name) {
  std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) return {};
  return ToLowerAscii(name.substr(dot));
}

bool IsExcluded(const ScopeOptions& scope, const std::string& path) {
  std::string base(BaseName(path));
  for (const std::string& glob : scope.excludes) {
    const std::string& subject = glob.find('/') == std::string::npos ? base : path;
    if (::fnmatch(glob.c_str(), subject.c_str(), 0) == 0) return true;
  }
  return false;
}

void Walker::Walk(const std::vector<std::string>& roots, WalkSink& sink) {
  for (const std::string& root : roots)
    WalkRoot(root, sink);
}

void Walker::WalkRoot(const std::string& root, WalkSink& sink) {
  struct stat st {};
  // The root named by the user is resolved once (it may be a symlink such as /home -> /data).
  if (::stat(root.c_str(), &st) != 0) {
    int err = errno;
    sink.OnAnomaly(PathAnomaly(err == ENOENT ? "root.not_found" : ErrnoAnomaly(err, true), root,
                               "cannot scan " + root + ": " + std::strerror(err)));
    return;
  }
  if (S_ISREG(st.st_mode)) {
    sink.OnFile(WalkItem{root, st});
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    sink.OnSkip("not_regular");
    return;
  }
  char* resolved = ::realpath(root.c_str(), nullptr);
  std::string dir = resolved ? resolved : root;
  std::free(resolved);
  std::vector<Pending> stack;
  stack.push_back(Pending{dir, st.st_dev, st.st_ino, 0});
  while (!stack.empty()) {
    Pending next = std::move(stack.back());
    stack.pop_back();
    ReadDirectory(next, st.st_dev, sink, stack);
  }
}

void Walker::ReadDirectory(const Pending& dir, dev_t root_dev, WalkSink& sink,
                           std::vector<Pending>& stack) {
  auto key = std::make_pair(dir.dev, dir.ino);
  if (!visited_.insert(key).second) {
    sink.OnAnomaly(PathAnomaly("dir.loop", dir.path,
                               "directory already visited (bind mount or loop): " + dir.path));
    return;
  }

  int fd = OpenDirectory(dir.path);
  if (fd < 0) {
    int err = errno;
    sink.OnAnomaly(PathAnomaly(ErrnoAnomaly(err, true), dir.path,
                               "open directory " + dir.path + ": " + std::strerror(err)));
    return;
  }
  struct stat opened {};
  if (::fstat(fd, &opened) != 0 || opened.st_dev != dir.dev || opened.st_ino != dir.ino) {
    ::close(fd);
    sink.OnAnomaly(PathAnomaly("dir.replaced", dir.path,
                               "directory changed between listing and opening: " + dir.path));
    return;
  }
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    sink.OnAnomaly(PathAnomaly("dir.read_error", dir.path, "fdopendir " + dir.path));
    return;
  }
  sink.OnDirectory();
  struct Entry {
    std::string name;
    struct stat st;
  };
  std::vector<Entry> entries;
  errno = 0;
  while (struct dirent* ent = ::readdir(d)) {
    if (std::strcmp(ent->d_name, ".") == 0 || std::strcmp(ent->d_name, "..") == 0) continue;
    if (entries.size() >= kMaxEntriesPerDirectory) {
      sink.OnAnomaly(PathAnomaly(
          "dir.too_many_entries", dir.path,
          "directory has more than " + std::to_string(kMaxEntriesPerDirectory) + " entries"));
      break;
    }
    Entry e{ent->d_name, {}};
    if (::fstatat(::dirfd(d), ent->d_name, &e.st, AT_SYMLINK_NOFOLLOW) != 0) {
      int err = errno;
      std::string path = JoinPath(dir.path, ent->d_name);
      sink.OnAnomaly(
          PathAnomaly(ErrnoAnomaly(err, false), path, "stat " + path + ": " + std::strerror(err)));
      continue;
    }
    entries.push_back(std::move(e));
    errno = 0;
  }
  if (errno != 0) {
    sink.OnAnomaly(PathAnomaly("dir.read_error", dir.path,
                               "read directory " + dir.path + ": " + std::strerror(errno)));
  }
  ::closedir(d);
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.name < b.name; });
  std::size_t first_new = stack.size();
  for (const Entry& e : entries) {
    HandleEntry(JoinPath(dir.path, e.name.c_str()), e.st, dir, root_dev, sink, stack);
  }
  // Subdirectories were pushed in name order; reverse them so they pop in name order.
  std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first_new), stack.end());
}

void Walker::HandleEntry(const std::string& path, const struct stat& st, const Pending& parent,
                         dev_t root_dev, WalkSink& sink, std::vector<Pending>& stack) {
  if (IsExcluded(scope_, path)) {
    sink.OnSkip("excluded");
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    if (st.st_dev != root_dev && !scope_.cross_mounts) {
      sink.OnSkip("other_filesystem");
      return;
    }
    if (parent.depth + 1 > kMaxWalkDepth) {
      sink.OnAnomaly(
          PathAnomaly("dir.too_deep", path,
                      "deeper than " + std::to_string(kMaxWalkDepth) + " levels: not entered"));
      return;
    }
    stack.push_back(Pending{path, st.st_dev, st.st_ino, parent.depth + 1});
    return;
  }
  if (S_ISLNK(st.st_mode)) {
    sink.OnSymlink(path, st);
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    sink.OnSkip("not_regular");  // FIFOs, sockets and devices: opening them could block
    return;
  }
  if (!scope_.only_extensions.empty()) {
    std::string ext = LowerExtension(BaseName(path));
    if (std::find(scope_.only_extensions.begin(), scope_.only_extensions.end(), ext) ==
        scope_.only_extensions.end()) {
      sink.OnSkip("extension");
      return;
    }
  }
  if (scope_.since_ns && std::max(ToNs(st.st_mtim), ToNs(st.st_ctim)) < *scope_.since_ns) {
    sink.OnSkip("older_than_since");
    return;
  }
  sink.OnFile(WalkItem{path, st});
}

}  // namespace beffroi::host
