#include "analyzer/correlate/correlate.h"

#include <gtest/gtest.h>

namespace beffroi::correlate {
namespace {

TEST(Severity, BandsOfTheScore) {
  EXPECT_EQ(SeverityFor(100), "critical");
  EXPECT_EQ(SeverityFor(90), "critical");
  EXPECT_EQ(SeverityFor(89), "high");
  EXPECT_EQ(SeverityFor(70), "high");
  EXPECT_EQ(SeverityFor(40), "medium");
  EXPECT_EQ(SeverityFor(39), "low");
  EXPECT_EQ(SeverityFor(0), "low");
}

TEST(ThreatKey, ThePlaybookGroupsDifferentRulesIntoOneThreat) {
  auto make = [](std::string kind, std::string rule, std::string playbook) {
    Finding f;
    f.kind = std::move(kind);
    f.rule = std::move(rule);
    f.playbook = std::move(playbook);
    return f;
  };
  Finding note = make("yara", "Ryuk_Ransom_Note", "ransomware");
  Finding script = make("yara", "Shadow_Copy_Deletion", "ransomware");
  Finding eicar = make("yara", "EICAR_Test_File", "");
  Finding hash = make("ioc.hash", "44d88612fea8a8f36de82e1278abb02f", "");
  EXPECT_EQ(ThreatKey(note), ThreatKey(script));
  EXPECT_EQ(ThreatKey(note), "playbook:ransomware");
  EXPECT_EQ(ThreatKey(eicar), "yara:EICAR_Test_File");
  EXPECT_NE(ThreatKey(eicar), ThreatKey(hash));
}

TEST(IncidentTitle, ReadsLikeASentence) {
  EXPECT_EQ(IncidentTitle("playbook:ransomware", "fs01"), "Ransomware activity on fs01");
  EXPECT_EQ(IncidentTitle("playbook:data-leak", "fs01"), "Data leak activity on fs01");
  EXPECT_EQ(IncidentTitle("yara:EICAR_Test_File", "pc-042"), "EICAR_Test_File on pc-042");
}

TEST(Techniques, ParsedFromFreeTextAndMerged) {
  EXPECT_EQ(ParseTechniques("T1486, T1490 T1059.001;bogus T99 t1486 T1486"),
            (std::vector<std::string>{"T1059.001", "T1486", "T1490"}));
  EXPECT_TRUE(ParseTechniques("").empty());
  EXPECT_EQ(MergeTechniques({"T1490", ""}, {"T1486", "T1490"}),
            (std::vector<std::string>{"T1486", "T1490"}));
}

TEST(ClampScore, StaysInRange) {
  EXPECT_EQ(ClampScore(-5), 0);
  EXPECT_EQ(ClampScore(250), 100);
  EXPECT_EQ(ClampScore(70), 70);
}

}  // namespace
}  // namespace beffroi::correlate
