#include "tests/unit/analyzer/yara/test_util.h"

#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <random>

namespace beffroi::yara::testing {

namespace fs = std::filesystem;

YaraLibrary* TestLibrary() {
  static std::unique_ptr<YaraLibrary> library = [] {
    auto lib = YaraLibrary::Init();
    return lib.ok() ? std::move(lib).value() : nullptr;
  }();
  return library.get();
}

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "beffroi-yara-XXXXXX").string();
  char* made = ::mkdtemp(pattern.data());
  path_ = made != nullptr ? fs::path(made) : fs::path();
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& relative, std::string_view content) const {
  fs::path p = path_ / relative;
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return p.string();
}

std::span<const std::uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string PseudoRandomBytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (char& c : out)
    c = static_cast<char>(gen() & 0xff);
  return out;
}

std::set<std::string> MatchNames(const ScanResult& result) {
  std::set<std::string> names;
  for (const Match& m : result.matches)
    names.insert(m.rule->name);
  return names;
}

std::string RulesDir() {
  return std::string(BEFFROI_SOURCE_DIR) + "/rules";
}

std::vector<std::string> OurRuleDirs() {
  std::vector<std::string> dirs;
  for (const auto& entry : fs::directory_iterator(RulesDir())) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory() && name != "ioc" && name != "allowlist") {
      dirs.push_back(entry.path().string());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

std::shared_ptr<const RuleSet> OurRules() {
  static std::shared_ptr<const RuleSet> rules = []() -> std::shared_ptr<const RuleSet> {
    if (TestLibrary() == nullptr) return nullptr;
    auto set = RuleSet::Load(OurRuleDirs(), "");
    if (!set.ok()) {
      ADD_FAILURE() << set.error().message;
      return nullptr;
    }
    return std::move(set).value();
  }();
  return rules;
}

}  // namespace beffroi::yara::testing
