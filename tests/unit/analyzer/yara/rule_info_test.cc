// RuleInfo: score, ATT&CK list and date helpers, and meta parsing from compiled rules.
#include "analyzer/yara/rule_info.h"

#include <gtest/gtest.h>

#include "tests/unit/analyzer/yara/test_util.h"

namespace beffroi::yara {
namespace {

using testing::YaraTest;

TEST(RuleInfoHelpers, ClampScoreKeepsZeroToHundred) {
  EXPECT_EQ(ClampScore(-5), 0);
  EXPECT_EQ(ClampScore(0), 0);
  EXPECT_EQ(ClampScore(85), 85);
  EXPECT_EQ(ClampScore(100), 100);
  EXPECT_EQ(ClampScore(1'000'000'000'000), 100);
}

TEST(RuleInfoHelpers, ParseScoreTextAcceptsIntegersOnly) {
  EXPECT_EQ(ParseScoreText("85"), 85);
  EXPECT_EQ(ParseScoreText(" 85\t"), 85);
  EXPECT_EQ(ParseScoreText("+40"), 40);
  EXPECT_EQ(ParseScoreText("-3"), -3);
  EXPECT_FALSE(ParseScoreText("").has_value());
  EXPECT_FALSE(ParseScoreText("high").has_value());
  EXPECT_FALSE(ParseScoreText("80%").has_value());
  EXPECT_EQ(ParseScoreText("99999999999999999999999"), INT64_MAX);
}

TEST(RuleInfoHelpers, SplitAttackIdsOnCommasSemicolonsAndSpaces) {
  EXPECT_EQ(SplitAttackIds("T1486,T1490"), (std::vector<std::string>{"T1486", "T1490"}));
  EXPECT_EQ(SplitAttackIds(" t1486, T1490  t1567.002;T1486 ,"),
            (std::vector<std::string>{"T1486", "T1490", "T1567.002"}));
  EXPECT_TRUE(SplitAttackIds("").empty());
  EXPECT_TRUE(SplitAttackIds(" , ;").empty());
}

TEST(RuleInfoHelpers, IsIsoDate) {
  EXPECT_TRUE(IsIsoDate("2021-06-21"));
  EXPECT_FALSE(IsIsoDate("2021/06/21"));
  EXPECT_FALSE(IsIsoDate("2021-13-01"));
  EXPECT_FALSE(IsIsoDate("2021-6-21"));
  EXPECT_FALSE(IsIsoDate("21-06-2021"));
  EXPECT_FALSE(IsIsoDate(""));
}

class MetaParsing : public YaraTest {};

TEST_F(MetaParsing, ReadsEveryFieldAndDefaultsTheScoreTo70) {
  auto set = RuleSet::Compile(R"(
rule full : ransomware note {
  meta:
    description = "Detects a thing"
    author = "Beffroi project"
    reference = "https://example.org/ref"
    date = "2026-11-22"
    score = 85
    mitre_attack = "T1486, t1490"
    playbook = "ransomware"
  condition: false
}
rule bare { condition: false }
)");
  ASSERT_TRUE(set.ok()) << set.error().message;
  const RuleInfo* full = (*set)->FindRule("full");
  ASSERT_NE(full, nullptr);
  EXPECT_EQ(full->ns, "default");
  EXPECT_EQ(full->tags, (std::vector<std::string>{"ransomware", "note"}));
  EXPECT_EQ(full->description, "Detects a thing");
  EXPECT_EQ(full->author, "Beffroi project");
  EXPECT_EQ(full->reference, "https://example.org/ref");
  EXPECT_EQ(full->date, "2026-11-22");
  EXPECT_EQ(full->score, 85);
  EXPECT_EQ(full->mitre_attack, (std::vector<std::string>{"T1486", "T1490"}));
  EXPECT_EQ(full->playbook, "ransomware");

  const RuleInfo* bare = (*set)->FindRule("bare");
  ASSERT_NE(bare, nullptr);
  EXPECT_EQ(bare->score, kDefaultScore);
  EXPECT_EQ(bare->score, 70);
  EXPECT_TRUE(bare->mitre_attack.empty());
  EXPECT_TRUE(bare->tags.empty());
  EXPECT_EQ(bare->description, "");
}

TEST_F(MetaParsing, ClampsScoresAndReadsThemFromStrings) {
  auto set = RuleSet::Compile(R"(
rule high { meta: score = 150 condition: false }
rule low { meta: score = -5 condition: false }
rule text { meta: score = "60" condition: false }
rule junk { meta: score = "very high" condition: false }
rule twice { meta: score = 20 score = 90 condition: false }
rule boolean { meta: score = true condition: false }
)");
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ((*set)->FindRule("high")->score, 100);
  EXPECT_EQ((*set)->FindRule("low")->score, 0);
  EXPECT_EQ((*set)->FindRule("text")->score, 60);
  EXPECT_EQ((*set)->FindRule("junk")->score, 70);
  EXPECT_EQ((*set)->FindRule("twice")->score, 20);  // the first one wins, as in Loki
  EXPECT_EQ((*set)->FindRule("boolean")->score, 70);
}

TEST_F(MetaParsing, MitreListAcceptsTheCccsNameAndEmptyValues) {
  auto set = RuleSet::Compile(R"(
rule cccs { meta: mitre_att = "T1567.002 T1048" condition: false }
rule empty_list { meta: mitre_attack = "" condition: false }
rule first { meta: author = "a" author = "b" condition: false }
)");
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ((*set)->FindRule("cccs")->mitre_attack,
            (std::vector<std::string>{"T1567.002", "T1048"}));
  EXPECT_TRUE((*set)->FindRule("empty_list")->mitre_attack.empty());
  EXPECT_EQ((*set)->FindRule("first")->author, "a");
}

}  // namespace
}  // namespace beffroi::yara
