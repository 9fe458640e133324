// Test helpers for beffroi_ioc: a scratch directory removed at the end of each test.
// Not thread-safe; one per test.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace beffroi::ioc::testing {

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "beffroi_ioc_XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes `content` to `name` in the directory and returns the full path.
  std::string Write(std::string_view name, std::string_view content) const {
    std::string full = path_ + "/" + std::string(name);
    std::ofstream out(full, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    EXPECT_TRUE(out.good()) << full;
    return full;
  }

 private:
  std::string path_;
};

}  // namespace beffroi::ioc::testing
