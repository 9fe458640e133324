// Helpers shared by the yara tests: the process's YaraLibrary, temporary directories, files,
// deterministic pseudo-random bytes and match-name extraction.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/yara/yara.h"

namespace beffroi::yara::testing {

// The one YaraLibrary of the test process, created on first use and destroyed at exit (after
// every RuleSet kept in a function-local static, which are created later).
YaraLibrary* TestLibrary();

// Fixture for tests that need libyara.
class YaraTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(TestLibrary(), nullptr); }
};

// A fresh directory under the system temporary directory, removed with its content.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to path()/relative (creating folders) and returns the full path.
  std::string Write(const std::string& relative, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

std::span<const std::uint8_t> Bytes(std::string_view s);

// `n` bytes from a fixed-seed generator: the same bytes on every run and platform.
std::string PseudoRandomBytes(std::size_t n, std::uint32_t seed);

// Rule names of a scan result, sorted.
std::set<std::string> MatchNames(const ScanResult& result);

// The directory of the project's own rules (rules/ in the source tree) and its YARA folders
// (every sub-folder but ioc/ and allowlist/, which hold other formats).
std::string RulesDir();
std::vector<std::string> OurRuleDirs();

// Our rules, loaded once for the whole test process.
std::shared_ptr<const RuleSet> OurRules();

}  // namespace beffroi::yara::testing
