// A scratch directory tree for host-agent tests, removed (permissions restored) at the end.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace beffroi::host::testing {

class TestTree {
 public:
  explicit TestTree(const std::string& name)
      : root_(std::filesystem::temp_directory_path() /
              ("beffroi_" + name + "_" + std::to_string(::getpid()))) {
    Remove();
    std::filesystem::create_directories(root_);
  }
  ~TestTree() { Remove(); }

  std::string path(const std::string& rel = "") const {
    return rel.empty() ? root_.string() : (root_ / rel).string();
  }
  std::string Write(const std::string& rel, const std::string& content) const {
    auto p = root_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

 private:
  void Remove() {
    std::error_code ec;
    if (!std::filesystem::exists(root_, ec)) return;
    for (auto& e : std::filesystem::recursive_directory_iterator(root_, ec)) {
      if (!e.is_symlink(ec)) ::chmod(e.path().c_str(), 0700);
    }
    std::filesystem::remove_all(root_, ec);
  }
  std::filesystem::path root_;
};

}  // namespace beffroi::host::testing
