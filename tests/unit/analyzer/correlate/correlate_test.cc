#include "analyzer/correlate/correlate.h"

#include <gtest/gtest.h>

namespace beffroi::correlate {
namespace {

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

TEST(Techniques, MergedSortedWithoutDuplicates) {
  EXPECT_EQ(MergeTechniques({"T1490", ""}, {"T1486", "T1490"}),
            (std::vector<std::string>{"T1486", "T1490"}));
}

}  // namespace
}  // namespace beffroi::correlate
