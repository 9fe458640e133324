#include "analyzer/playbook/catalog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "analyzer/playbook/loader.h"
#include "test_playbooks.h"

namespace beffroi::playbook {
namespace {

namespace fs = std::filesystem;

const std::string kBundled = std::string(BEFFROI_SOURCE_DIR) + "/playbooks";

TEST(PlaybookCatalog, BundledPlaybooksLoadClean) {
  Catalog c = Catalog::LoadDirectory(kBundled);
  std::string errors;
  for (const auto& e : c.errors)
    errors += e + "\n";
  EXPECT_EQ(errors, "");
  std::set<std::string> names;
  for (const Playbook& p : c.playbooks)
    names.insert(p.Handle());
  EXPECT_EQ(names, (std::set<std::string>{"data-breach", "ddos", "double-extortion", "phishing",
                                          "ransomware", "remote-access"}));
  for (const fs::path& f : fs::directory_iterator(kBundled)) {
    if (f.extension() != ".json") continue;
    LoadResult r = LoadPlaybookFile(f.string());
    for (const Diagnostic& d : r.diagnostics)
      ADD_FAILURE() << FormatDiagnostic(f.string(), d);
  }
}

// What the issue asks of every playbook: all phases, all roles, decisions, legal clocks and
// commands of the Beffroi tools.
TEST(PlaybookCatalog, BundledPlaybooksAreComplete) {
  Catalog c = Catalog::LoadDirectory(kBundled);
  for (const Playbook& p : c.playbooks) {
    SCOPED_TRACE(p.Handle());
    std::set<std::string> phases, roles, clocks;
    int decisions = 0, beffroi_commands = 0;
    for (const Step& s : p.steps) {
      if (!s.phase.empty()) phases.insert(s.phase);
      if (!s.agent.empty()) roles.insert(p.agents.at(s.agent).name);
      for (const std::string& r : s.roles)
        roles.insert(p.agents.at(r).name);
      if (!s.legal_clock.empty()) clocks.insert(s.legal_clock);
      decisions += s.is_decision() ? 1 : 0;
      for (const Command& cmd : s.commands) {
        if (cmd.type == "bash" && cmd.text.find("beffroi") != std::string::npos) ++beffroi_commands;
      }
      if (s.type == StepType::kAction || s.type == StepType::kPlaybookAction) {
        EXPECT_FALSE(s.why.empty()) << s.Handle();
        EXPECT_FALSE(s.ref.empty()) << s.id;
      }
      if (s.is_decision()) {
        EXPECT_FALSE(s.question.empty()) << s.Handle();
        EXPECT_FALSE(s.variable.empty()) << s.Handle();
      }
      if (s.type == StepType::kPlaybookAction) {
        EXPECT_NE(c.Find(s.playbook_id), nullptr) << s.Handle();
      }
    }
    for (std::string_view phase : kPhases)
      EXPECT_TRUE(phases.count(std::string(phase))) << phase;
    for (const char* role : {"IT team", "External CERT", "Mayor and college",
                             "Data protection officer", "Communication", "Police"})
      EXPECT_TRUE(roles.count(role)) << role;
    EXPECT_GE(decisions, 2);
    EXPECT_GE(beffroi_commands, 3);
    for (const std::string& clock : p.legal_clocks)
      EXPECT_TRUE(clocks.count(clock)) << clock;
    EXPECT_TRUE(clocks.count("gdpr-art33"));
    EXPECT_TRUE(clocks.count("nis2-early-warning"));
  }
}

// Every `playbook` meta of the bundled YARA rules names a bundled playbook, so incidents get a
// suggestion; only the EICAR pipeline test names none.
TEST(PlaybookCatalog, RulesNameBundledPlaybooks) {
  Catalog c = Catalog::LoadDirectory(kBundled);
  std::regex meta(R"re(playbook\s*=\s*"([^"]*)")re");
  int seen = 0;
  for (const auto& e :
       fs::recursive_directory_iterator(std::string(BEFFROI_SOURCE_DIR) + "/rules")) {
    if (e.path().extension() != ".yar") continue;
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::sregex_iterator it(text.begin(), text.end(), meta), end; it != end; ++it) {
      std::string name = (*it)[1];
      ++seen;
      if (name == "test") continue;
      EXPECT_NE(c.Find(name), nullptr) << e.path() << " names playbook \"" << name << "\"";
      EXPECT_EQ(c.Find(name)->short_name, name) << "rules should use the short name, not an alias";
    }
  }
  EXPECT_GT(seen, 10);
}

TEST(PlaybookCatalog, FindsByNameAliasIdAndFile) {
  Catalog c = Catalog::LoadDirectory(kBundled);
  const Playbook* r = c.Find("ransomware");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(c.Find(r->id), r);
  EXPECT_EQ(c.Find("data-leak"), c.Find("double-extortion"));
  EXPECT_EQ(c.Find("webshell"), c.Find("remote-access"));
  EXPECT_EQ(c.Find("nothing"), nullptr);
}

TEST(PlaybookCatalog, SuggestsFromRulesThenTechniques) {
  Catalog c = Catalog::LoadDirectory(kBundled);
  auto by_rule = Suggest(c, {"ransomware", {}, {}});
  ASSERT_FALSE(by_rule.empty());
  EXPECT_EQ(by_rule[0].playbook->Handle(), "ransomware");
  EXPECT_EQ(by_rule[0].score, 100);
  // An IOC-only incident: the technique is in the list's comment.
  auto by_ioc = Suggest(c, {"", {}, {"Ryuk ransom note (RyukReadMe.txt, RyukReadMe.html); T1486"}});
  ASSERT_FALSE(by_ioc.empty());
  EXPECT_EQ(by_ioc[0].playbook->Handle(), "ransomware");
  EXPECT_EQ(by_ioc[0].reason, "ATT&CK T1486");
  // Sub-techniques count for their parent.
  auto sub = Suggest(c, {"", {"T1566.001"}, {}});
  ASSERT_FALSE(sub.empty());
  EXPECT_EQ(sub[0].playbook->Handle(), "phishing");
  EXPECT_TRUE(Suggest(c, {"test", {}, {"EICAR test file"}}).empty());
}

TEST(PlaybookCatalog, TechniquesInText) {
  EXPECT_EQ(TechniquesIn("rclone to MEGA; T1567.002, t1048 and XT1000 or T12345"),
            (std::vector<std::string>{"T1567.002", "T1048"}));
}

TEST(PlaybookCatalog, BrokenFilesAreReportedAndLeftOut) {
  fs::path dir = fs::temp_directory_path() / ("beffroi_catalog_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "good.json") << testing::BranchingPlaybook().dump(2);
  std::ofstream(dir / "bad.json") << "{\n\"type\": \"playbook\",\n}";
  std::ofstream(dir / "README.md") << "not a playbook";
  Catalog c = Catalog::LoadDirectory(dir.string());
  ASSERT_EQ(c.playbooks.size(), 1u);
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_NE(c.errors[0].find("bad.json:3: "), std::string::npos) << c.errors[0];
  EXPECT_FALSE(Catalog::LoadDirectory((dir / "missing").string()).errors.empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace beffroi::playbook
