#include "agents/host/walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "common/fs.h"
#include "common/text.h"

namespace beffroi::host {

namespace {

std::string JoinPath(const std::string& dir, const char* name) {
  if (!dir.empty() && dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

// Opens a directory for listing without following a symlink and without touching its atime.
int OpenDirectory(const std::string& path) {
  return OpenNoAtime(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
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

namespace {

// Kernel interfaces that look like files but are not evidence, and can block or have side
// effects when read (statfs(2) magic numbers from <linux/magic.h>).
bool IsPseudoFileSystem(const std::string& path) {
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) return false;
  switch (static_cast<unsigned long>(fs.f_type)) {
    case 0x9fa0:      // proc
    case 0x62656572:  // sysfs
    case 0x74726163:  // tracefs
    case 0x64626720:  // debugfs
    case 0x27e0eb:    // cgroup
    case 0x63677270:  // cgroup2
    case 0x73636673:  // securityfs
    case 0xcafe4a11:  // bpf
    case 0x1cd1:      // devpts
    case 0x6e736673:  // nsfs
    case 0xde5e81e4:  // efivarfs
    case 0x42494e4d:  // binfmt_misc
    case 0x67596969:  // rpc_pipefs
      return true;
    default:
      return false;
  }
}

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

}  // namespace

void Walker::WalkRoot(const std::string& root, WalkSink& sink) {
  // The root named by the user is resolved once (it may be a symlink such as /home -> /data).
  char* resolved = ::realpath(root.c_str(), nullptr);
  if (resolved == nullptr) {
    int err = errno;
    sink.OnAnomaly(PathAnomaly(err == ENOENT ? "root.not_found" : ErrnoAnomaly(err, true), root,
                               "cannot scan " + root + ": " + std::strerror(err)));
    return;
  }
  std::string path = resolved;
  std::free(resolved);
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    int err = errno;
    sink.OnAnomaly(PathAnomaly(ErrnoAnomaly(err, true), root,
                               "cannot scan " + root + ": " + std::strerror(err)));
    return;
  }
  if (S_ISREG(st.st_mode)) {
    sink.OnFile(WalkItem{path, st});
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    sink.OnAnomaly(
        PathAnomaly("root.not_regular", root,
                    root + ": not a file or directory (FIFO, socket or device): not read"));
    sink.OnSkip("not_regular");
    return;
  }
  if (IsPseudoFileSystem(path)) {
    sink.OnAnomaly(
        PathAnomaly("root.pseudo_filesystem", root,
                    root + ": a kernel pseudo file system (proc, sys, ...): not scanned"));
    return;
  }
  std::vector<Pending> stack;
  stack.push_back(Pending{path, st.st_dev, st.st_ino, 0});
  while (!stack.empty() && !sink.Stopped()) {
    Pending next = std::move(stack.back());
    stack.pop_back();
    ReadDirectory(next, sink, stack);
  }
}

void Walker::ReadDirectory(const Pending& dir, WalkSink& sink, std::vector<Pending>& stack) {
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
  std::unique_ptr<DIR, DirCloser> d(::fdopendir(fd));
  if (!d) {
    ::close(fd);
    sink.OnAnomaly(PathAnomaly("dir.read_error", dir.path, "fdopendir " + dir.path));
    return;
  }
  sink.OnDirectory();
  // Names only while listing: a directory of millions of files costs its names, not millions
  // of struct stat. Each entry is stat'ed when its turn comes, in name order.
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    struct dirent* ent = ::readdir(d.get());
    if (ent == nullptr) {
      if (errno != 0) {
        sink.OnAnomaly(PathAnomaly("dir.read_error", dir.path,
                                   "read directory " + dir.path + ": " + std::strerror(errno)));
      }
      break;
    }
    if (std::strcmp(ent->d_name, ".") == 0 || std::strcmp(ent->d_name, "..") == 0) continue;
    if (names.size() >= kMaxEntriesPerDirectory) {
      sink.OnAnomaly(PathAnomaly(
          "dir.too_many_entries", dir.path,
          "directory has more than " + std::to_string(kMaxEntriesPerDirectory) + " entries"));
      break;
    }
    names.emplace_back(ent->d_name);
  }
  std::sort(names.begin(), names.end());
  std::size_t first_new = stack.size();
  for (const std::string& name : names) {
    if (sink.Stopped()) return;
    std::string path = JoinPath(dir.path, name.c_str());
    struct stat st {};
    if (::fstatat(::dirfd(d.get()), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      int err = errno;
      sink.OnAnomaly(
          PathAnomaly(ErrnoAnomaly(err, false), path, "stat " + path + ": " + std::strerror(err)));
      continue;
    }
    HandleEntry(path, st, dir, sink, stack);
  }
  // Subdirectories were pushed in name order; reverse them so they pop in name order.
  std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first_new), stack.end());
}

void Walker::HandleEntry(const std::string& path, const struct stat& st, const Pending& parent,
                         WalkSink& sink, std::vector<Pending>& stack) {
  if (IsExcluded(scope_, path)) {
    sink.OnSkip("excluded");
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    if (st.st_dev != parent.dev) {  // a mount point
      if (!scope_.cross_mounts) {
        sink.OnSkip("other_filesystem");
        return;
      }
      if (IsPseudoFileSystem(path)) {
        sink.OnSkip("pseudo_filesystem");
        return;
      }
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
  if (scope_.since_ns &&
      std::max(TimespecToNs(st.st_mtim), TimespecToNs(st.st_ctim)) < *scope_.since_ns) {
    sink.OnSkip("older_than_since");
    return;
  }
  sink.OnFile(WalkItem{path, st});
}

}  // namespace beffroi::host
