// FakeTree: a scratch directory for collector tests, removed when the object goes away.
//
// Files and symlinks are created relative to the tree's root, with parent directories made as
// needed. Each instance gets a unique directory under the system temp dir, so tests may run in
// parallel. Owns its directory; not thread-safe.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "common/text.h"

namespace beffroi::host::facts::testing {

class FakeTree {
 public:
  FakeTree() {
    static std::atomic<int> counter{0};
    root_ = std::filesystem::temp_directory_path() /
            ("beffroi-facts-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
             "-" + std::to_string(NowUnixNs()));
    std::filesystem::create_directories(root_);
  }
  ~FakeTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  FakeTree(const FakeTree&) = delete;
  FakeTree& operator=(const FakeTree&) = delete;

  std::string path() const { return root_.string(); }
  std::string Path(std::string_view relative) const { return (root_ / relative).string(); }

  void Write(std::string_view relative, std::string_view content) const {
    std::filesystem::path p = root_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  void Symlink(std::string_view relative, const std::string& target) const {
    std::filesystem::path p = root_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::filesystem::create_symlink(target, p);
  }
  void Mkdir(std::string_view relative) const {
    std::filesystem::create_directories(root_ / relative);
  }
  void Remove(std::string_view relative) const { std::filesystem::remove(root_ / relative); }

 private:
  std::filesystem::path root_;
};

}  // namespace beffroi::host::facts::testing
