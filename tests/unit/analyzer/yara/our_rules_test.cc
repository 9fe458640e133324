// Beffroi's own rules (rules/*/): clean under CheckRules, full meta, and for every rule a
// generated positive sample that matches exactly that rule and a near miss that matches
// nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analyzer/yara/yara.h"
#include "tests/unit/analyzer/yara/samples.h"
#include "tests/unit/analyzer/yara/test_util.h"

namespace beffroi::yara {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;
using testing::MatchNames;
using testing::OurRules;
using testing::RuleSamples;
using testing::Sample;
using testing::YaraTest;

class OurRulesTest : public YaraTest {
 protected:
  std::set<std::string> Scan(const Sample& sample) {
    auto scanner = Scanner::Create(OurRules());
    if (!scanner.ok()) return {"<" + scanner.error().message + ">"};
    auto r = (*scanner)->ScanBuffer(Bytes(sample.content), testing::ExternalsFor(sample));
    if (!r.ok()) return {"<" + r.error().message + ">"};
    return MatchNames(*r);
  }
};

TEST_F(OurRulesTest, CheckRulesFindsNoErrorAndNoWarning) {
  auto report = CheckRules(testing::OurRuleDirs());
  ASSERT_TRUE(report.ok()) << report.error().message;
  for (const Diagnostic& d : report->diagnostics)
    ADD_FAILURE() << d.ToString();
  EXPECT_EQ(report->errors(), 0u);
  EXPECT_EQ(report->warnings(), 0u);
}

TEST_F(OurRulesTest, EveryRuleCarriesFullMeta) {
  ASSERT_NE(OurRules(), nullptr);
  ASSERT_GE(OurRules()->rules().size(), 20u);
  for (const RuleInfo& r : OurRules()->rules()) {
    SCOPED_TRACE(r.ns + ":" + r.name);
    EXPECT_EQ(r.description.rfind("Detects ", 0), 0u);
    EXPECT_GE(r.description.size(), 60u);
    EXPECT_LE(r.description.size(), 400u);
    EXPECT_EQ(r.author, "Beffroi project");
    EXPECT_EQ(r.reference.rfind("https://", 0), 0u);
    EXPECT_TRUE(IsIsoDate(r.date));
    EXPECT_GE(r.score, 0);
    EXPECT_LE(r.score, 100);
    EXPECT_FALSE(r.playbook.empty());
    if (r.name != "TEST_EICAR_Test_File") {
      EXPECT_FALSE(r.mitre_attack.empty());
    }
    for (const std::string& id : r.mitre_attack)
      EXPECT_EQ(id.rfind('T', 0), 0u) << id;
  }
}

TEST_F(OurRulesTest, EveryRuleHasGeneratedSamples) {
  ASSERT_NE(OurRules(), nullptr);
  std::set<std::string> rules, sampled;
  for (const RuleInfo& r : OurRules()->rules())
    rules.insert(r.name);
  for (const RuleSamples& s : testing::OurRuleSamples())
    sampled.insert(s.rule);
  EXPECT_EQ(rules, sampled);
}

TEST_F(OurRulesTest, PositiveSamplesMatchExactlyTheirRule) {
  ASSERT_NE(OurRules(), nullptr);
  for (const RuleSamples& s : testing::OurRuleSamples()) {
    EXPECT_EQ(Scan(s.positive), std::set<std::string>{s.rule}) << s.positive.path;
  }
}

TEST_F(OurRulesTest, NearMissesMatchNothing) {
  ASSERT_NE(OurRules(), nullptr);
  for (const RuleSamples& s : testing::OurRuleSamples()) {
    EXPECT_EQ(Scan(s.negative), std::set<std::string>{}) << s.rule << " " << s.negative.path;
  }
}

TEST_F(OurRulesTest, CobaltStrikeCertificateInPemOrByFingerprint) {
  std::string der = testing::FakeDerCertificate({"Earth", "Cyberspace", "Somewhere", "cobaltstrike",
                                                 "AdvancedPenTesting", "Major Cobalt Strike"});
  const std::set<std::string> cert{"HKTL_CobaltStrike_Default_Certificate"};
  EXPECT_EQ(Scan({"/tmp/ts.pem", testing::PemWrap(der)}), cert);
  // The published MD5 fingerprint is computed by the rule itself (hash.md5, only for files
  // under 16 KB), not read from the md5 external, so scanners need not MD5 every file: a
  // claimed md5 that the bytes do not have matches nothing.
  EXPECT_EQ(
      Scan({"/tmp/ts.crt", testing::PseudoRandomBytes(900, 3), "950098276a495286eb2a2556fbab6d83"}),
      std::set<std::string>{});
  std::string other = testing::FakeDerCertificate({"BE", "Liege", "Ville de Liege"});
  EXPECT_EQ(Scan({"/tmp/other.pem", testing::PemWrap(other)}), std::set<std::string>{});
}

TEST_F(OurRulesTest, RansomNotesAreFoundInUtf16Too) {
  // Notes written by Windows tools are often UTF-16LE; the note rules use `wide` strings.
  std::string ascii =
      "Test note written for Beffroi. If you read this, your system was hit by Royal "
      "ransomware. Open the Tor browser to talk about how we decrypt your data.\n"
      "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion\n";
  std::string wide;
  for (char c : ascii) {
    wide += c;
    wide += '\0';
  }
  EXPECT_EQ(Scan({"/srv/shares/README.TXT", wide}), std::set<std::string>{"RANSOM_Royal_Note"});
}

TEST_F(OurRulesTest, OrdinaryFilesMatchNothing) {
  const std::vector<Sample> ordinary = {
      {"/srv/shares/etat-civil/naissances.csv", "date;nom;commune\n2021-06-21;Dupont;Liege\n"},
      {"/srv/shares/README.txt", "Dossier partage du service population. Ne rien supprimer.\n"},
      {"/srv/shares/photos/archive.zip", "PK\x03\x04" + testing::PseudoRandomBytes(8192, 11)},
      {"/srv/shares/video.mp4", testing::PseudoRandomBytes(8192, 12)},
      {"/srv/shares/empty.txt", ""},
      {"/var/www/html/index.php",
       "<?php\n$page = $_GET['page'] ?? 'home';\ninclude 'pages/' . basename($page) . '.php';\n"},
      {"/srv/it/scripts/backup.sh",
       "#!/bin/sh\nrclone sync /srv/shares nas:backup --log-file /var/log/rclone.log\n"},
      {"/srv/it/docs/vss.txt",
       "To list restore points, run: vssadmin list shadows. Never delete them by hand.\n"},
  };
  for (const Sample& s : ordinary)
    EXPECT_EQ(Scan(s), std::set<std::string>{}) << s.path;
}

TEST_F(OurRulesTest, DemoFileServerFindings) {
  fs::path demo = fs::path(BEFFROI_SOURCE_DIR) / "demo" / "fileserver";
  if (!fs::is_directory(demo)) GTEST_SKIP() << "no demo/fileserver";
  std::map<std::string, std::set<std::string>> found;
  for (const auto& entry : fs::recursive_directory_iterator(demo)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::set<std::string> names = Scan({entry.path().string(), content});
    if (!names.empty()) found[entry.path().filename().string()] = names;
  }
  EXPECT_EQ(found["RyukReadMe.html"], std::set<std::string>{"RANSOM_Ryuk_Note"});
  EXPECT_EQ(found["cleanup.bat"], std::set<std::string>{"RANSOM_Recovery_Inhibition_Commands"});
  EXPECT_EQ(found["comptes-2020.xlsx.RYK"], std::set<std::string>{"RANSOM_Ryuk_Encrypted_File"});
  EXPECT_EQ(found.size(), 3u);
}

}  // namespace
}  // namespace beffroi::yara
