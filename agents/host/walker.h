// Walker: enumerates the files in scope under a set of root paths, without ever blocking or
// following a link.
//
// Directories are opened with O_NOFOLLOW|O_DIRECTORY (and O_NOATIME where permitted) and
// checked by device and inode against what was listed, so a directory swapped for a symlink
// mid-walk is not entered. Symlinks are reported, never followed (a root given on the command
// line is the one exception: it is resolved once). FIFOs, sockets and devices are counted and
// skipped. Each directory is entered once (device, inode), which breaks bind-mount loops. The
// walk stays on each root's file system unless cross_mounts is set. Entries are visited in
// name order, so two walks of the same tree agree.
//
// The Walker calls its WalkSink from the walking thread only. Not thread-safe itself.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/event.h"

namespace beffroi::host {

// Deeper than this is a loop or an attack on the walker (PATH_MAX allows ~2048 levels).
inline constexpr std::size_t kMaxWalkDepth = 4096;
// Entries read from one directory before the rest is reported as an anomaly and skipped.
inline constexpr std::size_t kMaxEntriesPerDirectory = 10'000'000;

struct ScopeOptions {
  std::vector<std::string> excludes;         // fnmatch globs: full path, or base name when no '/'
  std::vector<std::string> only_extensions;  // lower case with the dot; empty = all
  std::optional<std::int64_t> since_ns;      // skip files whose mtime and ctime are older
  bool cross_mounts = false;
};

struct WalkItem {
  std::string path;
  struct stat st {};
};

class WalkSink {
 public:
  virtual ~WalkSink() = default;
  virtual void OnFile(WalkItem item) = 0;
  virtual void OnSymlink(const std::string& path, const struct stat& st) = 0;
  virtual void OnSkip(std::string_view reason) = 0;
  virtual void OnAnomaly(Event event) = 0;
  virtual void OnDirectory() {}
  // True when the walk should end early (the sink hit a fatal error).
  virtual bool Stopped() const { return false; }
};

// Pure scope checks, exposed for tests and for `beffroi scan`.
bool IsExcluded(const ScopeOptions& scope, const std::string& path);
// ".pdf" for "Report.PDF"; "" when there is none (".bashrc" has none either).
std::string LowerExtension(std::string_view name);
std::string_view BaseName(std::string_view path);

class Walker {
 public:
  explicit Walker(ScopeOptions scope) : scope_(std::move(scope)) {}
  // Walks every root. Problems with a root itself (missing, unreadable) are anomalies too.
  void Walk(const std::vector<std::string>& roots, WalkSink& sink);

 private:
  struct Pending {
    std::string path;
    dev_t dev;
    ino_t ino;
    std::size_t depth;
  };
  void WalkRoot(const std::string& root, WalkSink& sink);
  void ReadDirectory(const Pending& dir, WalkSink& sink, std::vector<Pending>& stack);
  void HandleEntry(const std::string& path, const struct stat& st, const Pending& parent,
                   WalkSink& sink, std::vector<Pending>& stack);

  ScopeOptions scope_;
  std::set<std::pair<dev_t, ino_t>> visited_;
};

}  // namespace beffroi::host
