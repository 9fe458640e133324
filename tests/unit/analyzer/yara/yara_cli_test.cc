// Cross-check with the yara command-line tool: the same rule files and the same externals
// (`yara -d filename=... -d filepath=...`) must give the same (file, rule) pairs as our
// Scanner, for every generated sample of our rules.
#include <gtest/gtest.h>
#include <stdio.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "analyzer/yara/yara.h"
#include "tests/unit/analyzer/yara/samples.h"
#include "tests/unit/analyzer/yara/test_util.h"

namespace beffroi::yara {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;
using testing::Sample;
using testing::TempDir;

constexpr const char* kYaraCli = "/usr/bin/yara";

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

struct PipeCloser {
  void operator()(FILE* f) const { ::pclose(f); }
};

// Runs the yara CLI; returns the rule names it printed for `file` ("<error>" if it failed).
std::set<std::string> CliMatches(const std::vector<std::string>& rule_files, const Externals& ex,
                                 const std::string& file) {
  std::string cmd = kYaraCli;
  for (std::string_view name : kExternalNames) {
    cmd += " -d " + ShellQuote(std::string(name) + "=" + ExternalValue(ex, name));
  }
  for (const std::string& r : rule_files)
    cmd += " " + ShellQuote(r);
  cmd += " " + ShellQuote(file) + " 2>&1";
  std::unique_ptr<FILE, PipeCloser> pipe(::popen(cmd.c_str(), "r"));
  if (!pipe) return {"<error>"};
  std::string output;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe.get())) > 0)
    output.append(buf, n);
  std::set<std::string> names;
  std::istringstream lines(output);
  std::string rule, path;
  while (lines >> rule >> path) {
    if (path != file) return {"<unexpected: " + output + ">"};
    names.insert(rule);
  }
  return names;
}

TEST(YaraCli, SameMatchesAsTheCommandLineToolWithTheSameExternals) {
  if (::access(kYaraCli, X_OK) != 0) GTEST_SKIP() << "no yara CLI at " << kYaraCli;
  ASSERT_NE(testing::TestLibrary(), nullptr);
  auto rules = testing::OurRules();
  ASSERT_NE(rules, nullptr);
  auto scanner = Scanner::Create(rules);
  ASSERT_TRUE(scanner.ok());
  TempDir dir;
  std::size_t compared = 0, matched = 0;
  int index = 0;
  for (const testing::RuleSamples& s : testing::OurRuleSamples()) {
    for (const Sample* sample : {&s.positive, &s.negative}) {
      SCOPED_TRACE(s.rule + " " + sample->path);
      Externals ex = testing::ExternalsFor(*sample);
      std::string file = dir.Write("sample-" + std::to_string(index++), sample->content);
      auto ours = (*scanner)->ScanBuffer(Bytes(sample->content), ex);
      ASSERT_TRUE(ours.ok());
      std::set<std::string> cli = CliMatches(rules->files(), ex, file);
      EXPECT_EQ(testing::MatchNames(*ours), cli);
      ++compared;
      matched += cli.size();
    }
  }
  EXPECT_EQ(compared, 2 * testing::OurRuleSamples().size());
  EXPECT_EQ(matched, testing::OurRuleSamples().size());
}

TEST(YaraCli, ExternalsOnlyRulesAgreeToo) {
  if (::access(kYaraCli, X_OK) != 0) GTEST_SKIP() << "no yara CLI at " << kYaraCli;
  ASSERT_NE(testing::TestLibrary(), nullptr);
  TempDir dir;
  std::string rules = dir.Write("externals.yar", R"(
rule Note_Name { condition: filename matches /readme/i and filesize < 4KB }
rule In_Public { condition: filepath matches /\/public$/ and filetype == "text" }
rule Owned_By_Root { strings: $m = "MARKER-OWNER" condition: $m and owner == "root" }
rule Ryk_Extension { condition: extension == ".ryk" }
rule Md5_Known { condition: md5 == "900150983cd24fb0d6963f7d28e17f72" }
)");
  auto set = RuleSet::Load({rules}, "");
  ASSERT_TRUE(set.ok()) << set.error().message;
  auto scanner = Scanner::Create(*set);
  ASSERT_TRUE(scanner.ok());
  const std::vector<std::pair<std::string, std::string>> files = {
      {"/srv/public/ReadMe.txt", "hello\n"},
      {"/srv/private/notes.txt", "MARKER-OWNER\n"},
      {"/srv/shares/compta.xlsx.RYK", testing::PseudoRandomBytes(2000, 5)},
      {"/srv/shares/abc.txt", "abc"},
  };
  for (const auto& [path, content] : files) {
    SCOPED_TRACE(path);
    Externals ex = ExternalsForPath(path, Bytes(content));
    ex.md5 = content == "abc" ? "900150983cd24fb0d6963f7d28e17f72" : "";
    ex.owner = "root";
    std::string file = dir.Write("f-" + fs::path(path).filename().string(), content);
    auto ours = (*scanner)->ScanBuffer(Bytes(content), ex);
    ASSERT_TRUE(ours.ok());
    EXPECT_FALSE(ours->matches.empty());
    EXPECT_EQ(testing::MatchNames(*ours), CliMatches({rules}, ex, file));
  }
}

}  // namespace
}  // namespace beffroi::yara
