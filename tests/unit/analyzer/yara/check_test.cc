// CheckRules: compile errors from every file, meta hygiene, rules that match an empty file.
#include "analyzer/yara/check.h"

#include <gtest/gtest.h>

#include "tests/unit/analyzer/yara/test_util.h"

namespace beffroi::yara {
namespace {

using testing::TempDir;
using testing::YaraTest;

constexpr const char* kFullMeta =
    "description = \"Detects x\" author = \"Beffroi project\" date = \"2026-11-22\" score = 50";

std::vector<std::string> Lines(const CheckReport& report) {
  std::vector<std::string> out;
  for (const Diagnostic& d : report.diagnostics) {
    out.push_back((d.error ? "E " : "W ") + d.ToString());
  }
  return out;
}

class CheckRulesTest : public YaraTest {
 protected:
  TempDir dir_;
};

TEST_F(CheckRulesTest, CleanFileGivesNothing) {
  std::string f = dir_.Write("clean.yar", std::string("rule clean {\n meta: ") + kFullMeta +
                                              "\n strings: $a = \"abc\"\n condition: $a\n}\n");
  auto report = CheckRules({f});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->diagnostics.empty()) << ::testing::PrintToString(Lines(*report));
  EXPECT_EQ(report->errors(), 0u);
  EXPECT_EQ(report->warnings(), 0u);
}

TEST_F(CheckRulesTest, MissingMetaIsOneWarningPerFieldOnTheRuleLine) {
  std::string f = dir_.Write("meta.yar",
                             "// header\n\n"
                             "rule no_meta : tag\n{\n condition: filesize > 10\n}\n"
                             "private rule helper { condition: filesize > 1 }\n"
                             "rule partial {\n meta:\n  description = \"Detects y\"\n"
                             "  author = \"Beffroi project\"\n condition: helper\n}\n");
  auto report = CheckRules({f});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(Lines(*report), (std::vector<std::string>{
                                "W " + f + ":3: rule no_meta: missing meta \"description\"",
                                "W " + f + ":3: rule no_meta: missing meta \"author\"",
                                "W " + f + ":3: rule no_meta: missing meta \"date\"",
                                "W " + f + ":3: rule no_meta: missing meta \"score\"",
                                "W " + f + ":8: rule partial: missing meta \"date\"",
                                "W " + f + ":8: rule partial: missing meta \"score\"",
                            }));
}

TEST_F(CheckRulesTest, BadScoreAndDateAreWarnings) {
  std::string f = dir_.Write(
      "score.yar",
      "rule too_high { meta: description = \"d\" author = \"a\" date = \"2026-11-22\" "
      "score = 150 condition: filesize > 1 }\n"
      "rule not_a_number { meta: description = \"d\" author = \"a\" date = \"22/11/2026\" "
      "score = \"high\" condition: filesize > 1 }\n");
  auto report = CheckRules({f});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(Lines(*report),
            (std::vector<std::string>{
                "W " + f + ":1: rule too_high: score 150 is outside 0..100",
                "W " + f + ":2: rule not_a_number: score \"high\" is not a number",
                "W " + f + ":2: rule not_a_number: date \"22/11/2026\" is not YYYY-MM-DD",
            }));
}

TEST_F(CheckRulesTest, RuleMatchingAnEmptyFileIsAWarning) {
  std::string f =
      dir_.Write("empty.yar", std::string("rule fires_always {\n meta: ") + kFullMeta +
                                  "\n strings: $a = \"xyz1\"\n condition: not $a\n}\n" +
                                  "rule by_name {\n meta: " + kFullMeta +
                                  "\n condition: filename == \"\" or extension == \".ryk\"\n}\n");
  auto report = CheckRules({f});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(
      Lines(*report),
      (std::vector<std::string>{
          "W " + f + ":1: rule fires_always: matches an empty file, so it fires on every file",
          "W " + f + ":6: rule by_name: matches an empty file, so it fires on every file",
      }));
}

TEST_F(CheckRulesTest, CompileErrorsOfEveryFileAreReported) {
  std::string a = dir_.Write("r/a.yar", "\nrule a { condition: $nope }\n");
  std::string b = dir_.Write("r/b.yar", "rule b { condition: true }\nrule b { condition: true }\n");
  std::string c = dir_.Write(
      "r/c.yar", std::string("rule c { meta: ") + kFullMeta + " condition: filesize > 1 }\n");
  auto report = CheckRules({(dir_.path() / "r").string()});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->errors(), 2u) << ::testing::PrintToString(Lines(*report));
  EXPECT_EQ(report->diagnostics[0].file, a);
  EXPECT_EQ(report->diagnostics[0].line, 2);
  EXPECT_EQ(report->diagnostics[0].message, "undefined string \"$nope\"");
  EXPECT_TRUE(report->diagnostics[0].error);
  EXPECT_EQ(report->diagnostics[1].file, b);
  EXPECT_EQ(report->diagnostics[1].line, 2);
  EXPECT_NE(report->diagnostics[1].message.find("duplicated identifier"), std::string::npos);
  EXPECT_EQ(report->warnings(), 0u);
}

TEST_F(CheckRulesTest, CompilerWarningsAreWarnings) {
  std::string f = dir_.Write("slow.yar", std::string("rule slow {\n meta: ") + kFullMeta +
                                             "\n strings:\n  $a = /\\[[a-z]{1,8}\\]/\n"
                                             " condition: $a\n}\n");
  auto report = CheckRules({f});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->diagnostics.size(), 1u) << ::testing::PrintToString(Lines(*report));
  EXPECT_FALSE(report->diagnostics[0].error);
  EXPECT_EQ(report->diagnostics[0].line, 4);
  EXPECT_NE(report->diagnostics[0].message.find("slow down"), std::string::npos);
}

TEST_F(CheckRulesTest, MissingPathIsAnError) {
  auto report = CheckRules({(dir_.path() / "absent").string()});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, ErrorCode::kNotFound);
}

TEST(FindRuleLine, FindsTheDeclarationNotAPrefixOrAReference) {
  std::string_view src =
      "rule ab { condition: true }\n"
      "private rule a\n{ condition: ab }\n"
      "global   rule\tc : t { condition: true }\n";
  EXPECT_EQ(FindRuleLine(src, "ab"), 1);
  EXPECT_EQ(FindRuleLine(src, "a"), 2);
  EXPECT_EQ(FindRuleLine(src, "c"), 4);
  EXPECT_EQ(FindRuleLine(src, "d"), 0);
  EXPECT_EQ(FindRuleLine("myrule x { }", "x"), 0);
}

}  // namespace
}  // namespace beffroi::yara
