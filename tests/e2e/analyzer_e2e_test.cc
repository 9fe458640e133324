// beffroi (analyzer) end to end: `scan` must find exactly the (file, rule) pairs the yara CLI
// finds with the same rules and externals; a rescan reads nothing unchanged; bundles are
// verified, ingested once, and refused whole when tampered with.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/file_type.h"
#include "common/hash.h"
#include "common/text.h"
#include "run.h"

namespace beffroi {
namespace {

namespace fs = std::filesystem;
using e2e::RunBinary;
using Pair = std::pair<std::string, std::string>;  // (file, rule)

// Rules that use content and every Loki/THOR external, so the comparison covers both.
constexpr const char* kRules = R"(
rule Shadow_Delete { meta: score = 80 strings: $a = "vssadmin delete shadows" nocase condition: $a }
rule Ryk_Extension { meta: score = 90 condition: extension == ".ryk" }
rule Note_Name { condition: filename matches /readme/i and filesize < 4KB }
rule In_Public { condition: filepath matches /\/public$/ and filetype == "text" }
rule Owned_By_Root { strings: $m = "MARKER-OWNER" condition: $m and owner == "root" }
rule Md5_Known { condition: md5 == "900150983cd24fb0d6963f7d28e17f72" }
rule Pe_File { condition: uint16(0) == 0x5A4D and filetype == "pe" }
)";

class AnalyzerE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("beffroi_analyzer_e2e_" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "tree");
    tree_ = (base_ / "tree").string();
    db_ = (base_ / "city.db").string();
    rules_ = (base_ / "test.yar").string();
    std::ofstream(rules_) << kRules;
  }
  void TearDown() override { fs::remove_all(base_); }

  std::string Write(const std::string& rel, const std::string& content) {
    fs::path p = fs::path(tree_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  void MakeTree() {
    Write("it/cleanup.bat", "@echo off\r\nVSSADMIN delete shadows /all /quiet\r\n");
    Write("finances/comptes.xlsx.RYK", std::string(3000, '\x9c'));
    Write("etat-civil/README.txt", "your files are encrypted");
    Write("etat-civil/registre.csv", "a;b\n");
    Write("public/horaires.txt", "open 8:30-12:00\n");
    Write("public/logo.bin", std::string("\x89PNG\r\n\x1a\n", 8));
    Write("owner/marked.txt", "MARKER-OWNER here");
    Write("abc.txt", "abc");
    Write("tools/setup.exe", "MZ\x90\x00 fake");
    for (int i = 0; i < 40; ++i)
      Write("bulk/f" + std::to_string(i) + ".dat", "filler " + std::to_string(i));
  }

  // What the yara CLI finds, file by file, given the externals beffroi would pass.
  std::set<Pair> YaraCli() {
    std::set<Pair> out;
    for (auto& e : fs::recursive_directory_iterator(tree_)) {
      if (!e.is_regular_file()) continue;
      std::string path = e.path().string();
      std::ifstream in(path, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::string head = bytes.substr(0, kFileTypeProbeBytes);
      MultiHasher h(kMd5);
      h.Update(bytes);
      struct stat st {};
      ::stat(path.c_str(), &st);
      struct passwd* pw = ::getpwuid(st.st_uid);
      std::string ext = e.path().extension().string();
      auto r = RunBinary(
          {"/usr/bin/yara", "-d", "filename=" + e.path().filename().string(), "-d",
           "filepath=" + e.path().parent_path().string(), "-d", "extension=" + ToLowerAscii(ext),
           "-d",
           "filetype=" + std::string(DetectFileType(
                             {reinterpret_cast<const std::uint8_t*>(head.data()), head.size()})),
           "-d", "md5=" + h.Finish().md5, "-d", std::string("owner=") + (pw ? pw->pw_name : ""),
           rules_, path});
      EXPECT_EQ(r.exit_code, 0) << r.err;
      std::istringstream lines(r.out);
      std::string rule, file;
      while (lines >> rule >> file)
        out.insert({file, rule});
    }
    return out;
  }

  std::set<Pair> Detections() {
    std::set<Pair> out;
    auto list = RunBinary({BEFFROI_BIN, "incidents", "list", "--db", db_, "--json"});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    for (const auto& inc : nlohmann::json::parse(list.out)) {
      auto show = RunBinary({BEFFROI_BIN, "incidents", "show", std::to_string(inc["id"].get<int>()),
                             "--db", db_, "--json"});
      EXPECT_EQ(show.exit_code, 0) << show.err;
      nlohmann::json detail = nlohmann::json::parse(show.out);  // must outlive the loop
      for (const auto& d : detail["detections_list"]) {
        if (d["kind"] == "yara")
          out.insert({d["file_path"].get<std::string>(), d["rule"].get<std::string>()});
      }
    }
    return out;
  }

  fs::path base_;
  std::string tree_, db_, rules_;
};

TEST_F(AnalyzerE2E, ScanFindsExactlyWhatTheYaraCliFindsAndRescansReadNothing) {
  MakeTree();
  auto first = RunBinary({BEFFROI_BIN, "scan", tree_, "--db", db_, "--rules", rules_, "--no-iocs",
                          "--json", "--rules-cache", (base_ / "cache").string()});
  ASSERT_EQ(first.exit_code, 3) << first.err;  // detections found
  auto s1 = nlohmann::json::parse(first.out);
  EXPECT_EQ(s1["files_seen"], 49);
  EXPECT_EQ(s1["files_read"], 49);
  std::set<Pair> expected = YaraCli();
  EXPECT_EQ(expected.size(), 7u) << "every test rule should fire once";
  EXPECT_EQ(Detections(), expected);

  auto second = RunBinary({BEFFROI_BIN, "scan", tree_, "--db", db_, "--rules", rules_, "--no-iocs",
                           "--json", "--rules-cache", (base_ / "cache").string()});
  ASSERT_EQ(second.exit_code, 3) << second.err;
  auto s2 = nlohmann::json::parse(second.out);
  EXPECT_EQ(s2["files_unchanged"], 49);
  EXPECT_EQ(s2["files_read"], 0);
  EXPECT_EQ(s2["new_detections"], 0);
  EXPECT_EQ(s2["findings"], s1["findings"]);

  // A changed file is read again; --rescan-all reads everything.
  Write("abc.txt", "abcd");
  auto third = RunBinary(
      {BEFFROI_BIN, "scan", tree_, "--db", db_, "--rules", rules_, "--no-iocs", "--json"});
  EXPECT_EQ(nlohmann::json::parse(third.out)["files_read"], 1);
  auto all = RunBinary({BEFFROI_BIN, "scan", tree_, "--db", db_, "--rules", rules_, "--no-iocs",
                        "--json", "--rescan-all"});
  EXPECT_EQ(nlohmann::json::parse(all.out)["files_read"], 49);
}

TEST_F(AnalyzerE2E, CleanTreeExitsZeroAndBadRulesExitTwoNamingTheLine) {
  Write("clean/a.txt", "nothing to see");
  auto clean =
      RunBinary({BEFFROI_BIN, "scan", tree_, "--db", db_, "--rules", rules_, "--no-iocs", "-q"});
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  std::string bad = (base_ / "bad.yar").string();
  std::ofstream(bad) << "rule ok { condition: true }\nrule broken { condition: $nope }\n";
  auto r = RunBinary({BEFFROI_BIN, "scan", tree_, "--db", db_, "--rules", bad, "--no-iocs"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad + ":2:"), std::string::npos) << r.err;
  auto check = RunBinary({BEFFROI_BIN, "rules", "check", bad});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.out.find(bad + ":2:"), std::string::npos) << check.out;
}

TEST_F(AnalyzerE2E, BundlesAreVerifiedIngestedOnceAndRefusedWhenTampered) {
  MakeTree();
  std::string bundle = (base_ / "bundle").string();
  auto c = RunBinary({BEFFROI_HOST_BIN, "collect", tree_, "--out", bundle, "--no-host-facts", "-q",
                      "--sample-types", "script,note,executable", "--sample-recent", "off"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto a = RunBinary(
      {BEFFROI_BIN, "analyze", bundle, "--db", db_, "--rules", rules_, "--no-iocs", "--json"});
  ASSERT_EQ(a.exit_code, 3) << a.err << a.out;
  auto r = nlohmann::json::parse(a.out)[0];
  EXPECT_EQ(r["status"], "ingested");
  EXPECT_EQ(r["files"], 49);
  EXPECT_GE(r["samples_scanned"], 3);
  std::set<Pair> found = Detections();
  EXPECT_TRUE(found.count({tree_ + "/it/cleanup.bat", "Shadow_Delete"}));
  EXPECT_TRUE(found.count({tree_ + "/tools/setup.exe", "Pe_File"}));

  auto again = RunBinary(
      {BEFFROI_BIN, "analyze", bundle, "--db", db_, "--rules", rules_, "--no-iocs", "--json"});
  EXPECT_EQ(nlohmann::json::parse(again.out)[0]["status"], "duplicate");

  std::string bundle2 = (base_ / "bundle2").string();
  ASSERT_EQ(
      RunBinary({BEFFROI_HOST_BIN, "collect", tree_, "--out", bundle2, "--no-host-facts", "-q"})
          .exit_code,
      0);
  { std::ofstream(bundle2 + "/events.ndjson", std::ios::app) << "{}\n"; }
  auto refused =
      RunBinary({BEFFROI_BIN, "analyze", bundle2, "--db", db_, "--rules", rules_, "--no-iocs"});
  EXPECT_EQ(refused.exit_code, 4);
  EXPECT_NE(refused.err.find("altered: events.ndjson"), std::string::npos) << refused.err;
}

TEST_F(AnalyzerE2E, ADatabaseThatIsNotOneIsRefusedAndLeftAlone) {
  Write("a.txt", "x");
  { std::ofstream(db_) << "this is not sqlite"; }
  auto r = RunBinary({BEFFROI_BIN, "scan", tree_, "--db", db_, "--rules", rules_, "--no-iocs"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(db_), std::string::npos) << r.err;
  std::ifstream in(db_);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "this is not sqlite");
}

TEST_F(AnalyzerE2E, Latin1RuleMetaAndFileNamesDoNotBreakScanOrReports) {
  std::string rules = (base_ / "latin1.yar").string();
  std::ofstream(rules) << "rule Donnees { meta: author = \"St\xe9"
                          "phane\" description = \"Donn\xe9"
                          "es\" "
                          "strings: $a = \"exfil\" condition: $a }\n";
  Write(
      "Donn\xe9"
      "es/export.txt",
      "exfil to mega");
  auto r =
      RunBinary({BEFFROI_BIN, "scan", tree_, "--db", db_, "--rules", rules, "--no-iocs", "--json"});
  ASSERT_EQ(r.exit_code, 3) << r.err;
  auto show = RunBinary({BEFFROI_BIN, "incidents", "show", "1", "--db", db_, "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto detail = nlohmann::json::parse(show.out);
  EXPECT_EQ(detail["detections_list"][0]["description"],
            "Donn\xEF\xBF\xBD"
            "es");
}

TEST_F(AnalyzerE2E, ABundleCannotPoisonTheVerdictCacheWithAFalseHash) {
  // The attacker's bundle says a benign sample is the malicious file, hoping its clean verdict
  // is cached under the malicious hash and hides the file from the next scan.
  Write("bad/tool.bat", "vssadmin delete shadows /all /quiet\n");
  std::string benign = Write("benign/note.bat", "echo hello\n");
  std::string bad_sha = Sha256Hex("vssadmin delete shadows /all /quiet\n");
  std::string bundle = (base_ / "bundle").string();
  ASSERT_EQ(RunBinary({BEFFROI_HOST_BIN, "collect", (fs::path(tree_) / "benign").string(), "--out",
                       bundle, "--no-host-facts", "-q", "--sample-recent", "off"})
                .exit_code,
            0);
  std::ifstream in(bundle + "/events.ndjson");
  std::string line, forged;
  while (std::getline(in, line)) {
    auto e = nlohmann::json::parse(line);
    if (e["event"]["dataset"] == "beffroi.file") {
      e["file"]["path"] = tree_ + "/bad/tool.bat";
      e["file"]["name"] = "tool.bat";
      e["file"]["hash"]["sha256"] = bad_sha;
    }
    forged += e.dump() + "\n";
  }
  in.close();
  fs::permissions(bundle + "/manifest.json", fs::perms::owner_write, fs::perm_options::add);
  auto manifest = nlohmann::json::parse(std::ifstream(bundle + "/manifest.json"));
  for (auto& f : manifest["files"]) {
    if (f["path"] == "events.ndjson") {
      f["sha256"] = Sha256Hex(forged);
      f["size"] = forged.size();
    }
  }
  std::ofstream(bundle + "/events.ndjson", std::ios::trunc) << forged;
  std::ofstream(bundle + "/manifest.json", std::ios::trunc) << manifest.dump();
  ASSERT_EQ(RunBinary({BEFFROI_HOST_BIN, "verify", bundle}).exit_code, 0);  // consistent forgery

  auto a = RunBinary(
      {BEFFROI_BIN, "analyze", bundle, "--db", db_, "--rules", rules_, "--no-iocs", "--json"});
  EXPECT_NE(a.err.find("sample not scanned"), std::string::npos) << a.err;
  auto scan = RunBinary({BEFFROI_BIN, "scan", (fs::path(tree_) / "bad").string(), "--db", db_,
                         "--rules", rules_, "--no-iocs", "--json"});
  EXPECT_EQ(scan.exit_code, 3) << scan.out << scan.err;
  EXPECT_EQ(nlohmann::json::parse(scan.out)["yara_cached"], 0);
  (void)benign;
}

TEST_F(AnalyzerE2E, FilesOverTheYaraLimitAreHashedButNotYaraScanned) {
  Write("big.bat", "vssadmin delete shadows\n" + std::string(5000, 'x'));
  auto r = RunBinary({BEFFROI_BIN, "scan", tree_, "--db", db_, "--rules", rules_, "--no-iocs",
                      "--json", "--max-yara-size", "4K"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto s = nlohmann::json::parse(r.out);
  EXPECT_EQ(s["files_read"], 1);
  EXPECT_EQ(s["anomalies"]["yara.skipped_too_large"], 1);
}

TEST_F(AnalyzerE2E, BadLimitsAreUsageErrorsAndReportsNeverCreateADatabase) {
  Write("a.txt", "x");
  EXPECT_EQ(RunBinary({BEFFROI_BIN, "scan", tree_, "--db", db_, "--max-matches", "0"}).exit_code,
            2);
  EXPECT_EQ(RunBinary({BEFFROI_BIN, "scan", tree_, "--db", db_, "--window", "-1"}).exit_code, 2);
  EXPECT_EQ(RunBinary({BEFFROI_BIN, "scan", tree_, "--db", db_, "--timeout", "-5"}).exit_code, 2);
  auto list = RunBinary({BEFFROI_BIN, "incidents", "list", "--db", db_});
  EXPECT_EQ(list.exit_code, 1);
  EXPECT_NE(list.err.find("no such database"), std::string::npos);
  EXPECT_FALSE(fs::exists(db_));
}

TEST_F(AnalyzerE2E, UsageAndHelp) {
  EXPECT_EQ(RunBinary({BEFFROI_BIN, "--help"}).exit_code, 0);
  EXPECT_EQ(RunBinary({BEFFROI_BIN, "scan", "--help"}).exit_code, 0);
  EXPECT_EQ(RunBinary({BEFFROI_BIN, "analyze", "--help"}).exit_code, 0);
  EXPECT_EQ(RunBinary({BEFFROI_BIN, "incidents", "list", "--help"}).exit_code, 0);
  EXPECT_EQ(RunBinary({BEFFROI_BIN, "scan"}).exit_code, 2);
  EXPECT_EQ(RunBinary({BEFFROI_BIN, "scan", tree_, "--bogus"}).exit_code, 2);
  EXPECT_EQ(RunBinary({BEFFROI_BIN, "frobnicate"}).exit_code, 2);
  EXPECT_EQ(RunBinary({BEFFROI_BIN, "incidents", "show", "x", "--db", db_}).exit_code, 2);
}

}  // namespace
}  // namespace beffroi
