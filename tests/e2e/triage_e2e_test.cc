// beffroi incidents triage end to end: scan, then update, assign, tag, note, merge, split,
// close as false positive with the allowlist, timeline, report and every export, with the
// real binary; bad input is refused with the documented exit codes. The STIX export is
// validated against the official STIX 2.1 JSON schemas (tests/data/schemas) with Debian's
// python3-jsonschema.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run.h"

namespace beffroi {
namespace {

namespace fs = std::filesystem;
using e2e::RunBinary;
using e2e::RunResult;
using nlohmann::json;

constexpr const char* kRules = R"(
rule Ransom_Note_Test {
  meta: score = 90 mitre_attack = "T1486" playbook = "ransomware"
  strings: $a = "YOUR FILES ARE ENCRYPTED" condition: $a }
rule Shadow_Delete_Test {
  meta: score = 80 mitre_attack = "T1490" playbook = "ransomware"
  strings: $a = "vssadmin delete shadows" nocase condition: $a }
rule Inventory_Tool_Test {
  meta: score = 45
  strings: $a = "INVENTORY-SCRIPT" condition: $a }
)";

// A file name an attacker chose, to check that no report runs or renders it as markup.
constexpr const char* kHostileName = "<script>alert(1)<\\script>.txt";

class TriageE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("beffroi_triage_e2e_" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "tree");
    db_ = (base_ / "city.db").string();
    rules_ = (base_ / "test.yar").string();
    std::ofstream(rules_) << kRules;
    Write(kHostileName, "YOUR FILES ARE ENCRYPTED. Pay.");
    Write("it/cleanup.bat", "vssadmin delete shadows /all /quiet\r\n");
    Write("tools/inventory.ps1", "# INVENTORY-SCRIPT v2.3\n");
    auto scan = Beffroi({"scan", (base_ / "tree").string(), "--rules", rules_, "--no-iocs", "-q"});
    ASSERT_EQ(scan.exit_code, 3) << scan.err;
  }
  void TearDown() override { fs::remove_all(base_); }

  void Write(const std::string& rel, const std::string& content) {
    fs::path p = base_ / "tree" / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  RunResult Beffroi(std::vector<std::string> args) {
    args.insert(args.begin(), BEFFROI_BIN);
    args.push_back("--db");
    args.push_back(db_);
    return RunBinary(args);
  }
  json Incidents() {
    auto r = Beffroi({"incidents", "list", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }
  json Show(std::int64_t id) {
    auto r = Beffroi({"incidents", "show", std::to_string(id), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json::object();
  }
  std::int64_t IdOf(const std::string& title_part) {
    for (const auto& i : Incidents())
      if (i["title"].get<std::string>().find(title_part) != std::string::npos)
        return i["id"].get<std::int64_t>();
    ADD_FAILURE() << "no incident titled " << title_part;
    return 0;
  }

  fs::path base_;
  std::string db_, rules_;
};

TEST_F(TriageE2E, ScanUpdateNoteCloseReportExport) {
  std::int64_t ransom = IdOf("Ransomware");
  std::int64_t tool = IdOf("Inventory_Tool_Test");
  ASSERT_EQ(Show(ransom)["detections_list"].size(), 2u);

  auto up =
      Beffroi({"incidents", "update", std::to_string(ransom), "--status", "triaged", "--assign",
               "Marie Dupont", "--tag", "gdpr", "--as", "Marie Dupont", "--json"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  json after = json::parse(up.out);
  EXPECT_EQ(after["status"], "triaged");
  EXPECT_EQ(after["assignee"], "Marie Dupont");
  EXPECT_EQ(after["tags"], json::array({"gdpr"}));
  std::int64_t version = after["version"].get<std::int64_t>();

  ASSERT_EQ(
      Beffroi({"incidents", "note", std::to_string(ransom), "File server unplugged", "at 09:12"})
          .exit_code,
      0);
  auto contained = Beffroi({"incidents", "update", std::to_string(ransom), "--status", "contained",
                            "--expect-version", std::to_string(version)});
  ASSERT_EQ(contained.exit_code, 0) << contained.err;
  auto stale = Beffroi({"incidents", "update", std::to_string(ransom), "--status", "eradicated",
                        "--expect-version", std::to_string(version)});
  EXPECT_EQ(stale.exit_code, 5);
  EXPECT_NE(stale.err.find("someone changed it"), std::string::npos) << stale.err;

  // The audit log keeps the OS user and the --as name side by side.
  json detail = Show(ransom);
  bool as_recorded = false;
  for (const auto& a : detail["audit"])
    as_recorded = as_recorded || (a["acting_as"] == "Marie Dupont" && a["actor"] != "");
  EXPECT_TRUE(as_recorded) << detail["audit"].dump();

  // Split the shadow-copy detection off, then merge it back: every detection stays.
  std::int64_t shadow = 0;
  for (const auto& d : detail["detections_list"])
    if (d["rule"] == "Shadow_Delete_Test") shadow = d["id"].get<std::int64_t>();
  auto split = Beffroi({"incidents", "split", std::to_string(ransom), "--detections",
                        std::to_string(shadow), "--json"});
  ASSERT_EQ(split.exit_code, 0) << split.err;
  std::int64_t part = json::parse(split.out)["id"].get<std::int64_t>();
  EXPECT_EQ(Show(part)["detections_list"].size(), 1u);
  auto merged = Beffroi({"incidents", "merge", std::to_string(ransom), std::to_string(part)});
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  EXPECT_EQ(Show(ransom)["detections_list"].size(), 2u);
  EXPECT_EQ(Show(part)["status"], "merged");

  auto timeline = Beffroi({"incidents", "timeline", std::to_string(ransom), "--json"});
  ASSERT_EQ(timeline.exit_code, 0) << timeline.err;
  json events = json::parse(timeline.out);
  std::vector<std::string> actions;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i > 0) {
      EXPECT_LE(events[i - 1]["at"], events[i]["at"]);
    }
    if (events[i]["kind"] == "action") actions.push_back(events[i]["action"]);
  }
  for (const char* a : {"incident.opened", "incident.status", "incident.assign", "incident.tag",
                        "incident.note", "incident.split", "incident.merged"})
    EXPECT_NE(std::find(actions.begin(), actions.end(), a), actions.end()) << a;

  // Reports: Markdown and a self-contained HTML page that does not carry the file name as
  // markup.
  std::string html_path = (base_ / "report.html").string();
  auto html = Beffroi({"incidents", "report", std::to_string(ransom), "--format", "html", "--out",
                       html_path, "--org", "Ville de Liège"});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  std::ifstream in(html_path);
  std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)"), std::string::npos);
  EXPECT_NE(page.find("Ville de Liège"), std::string::npos);
  EXPECT_NE(page.find("File server unplugged at 09:12"), std::string::npos);
  auto md = Beffroi({"incidents", "report", std::to_string(ransom), "--format", "md"});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_NE(md.out.find("## Timeline"), std::string::npos);
  EXPECT_NE(md.out.find("T1486"), std::string::npos);

  // Exports.
  auto csv = Beffroi({"incidents", "export", std::to_string(ransom), "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 3);
  auto js = Beffroi({"incidents", "export", std::to_string(ransom), "--format", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  EXPECT_EQ(json::parse(js.out)["detections"].size(), 2u);
  auto misp = Beffroi({"incidents", "export", std::to_string(ransom), "--format", "misp"});
  ASSERT_EQ(misp.exit_code, 0) << misp.err;
  EXPECT_EQ(json::parse(misp.out)["Event"]["Attribute"].size(), 2u);
  std::string stix_path = (base_ / "incident.stix.json").string();
  auto stix = Beffroi({"incidents", "export", std::to_string(ransom), "--format", "stix", "--out",
                       stix_path, "--org", "Ville de Liège"});
  ASSERT_EQ(stix.exit_code, 0) << stix.err;
  auto valid =
      RunBinary({"/usr/bin/python3", BEFFROI_VALIDATE_STIX, BEFFROI_STIX_SCHEMAS, stix_path});
  EXPECT_EQ(valid.exit_code, 0) << valid.out << valid.err;
  // Exporting again gives the same bundle, byte for byte.
  auto again = Beffroi({"incidents", "export", std::to_string(ransom), "--format", "stix", "--org",
                        "Ville de Liège"});
  std::ifstream s(stix_path);
  EXPECT_EQ(again.out,
            std::string((std::istreambuf_iterator<char>(s)), std::istreambuf_iterator<char>()));

  // The inventory script is the city's own: dismissed, allowlisted, and not reported again.
  auto fp = Beffroi({"incidents", "close", std::to_string(tool), "--false-positive", "--reason",
                     "in-house inventory script", "--allowlist", "hash"});
  ASSERT_EQ(fp.exit_code, 0) << fp.err;
  Write("copies/inventory-copy.ps1", "# INVENTORY-SCRIPT v2.3\n");  // same content elsewhere
  auto rescan =
      Beffroi({"scan", (base_ / "tree").string(), "--rules", rules_, "--no-iocs", "--json", "-q"});
  json summary = json::parse(rescan.out);
  EXPECT_EQ(summary["allowlisted"], 2) << rescan.out;  // the old file and the new copy
  EXPECT_EQ(summary["new_incidents"], 0);
  EXPECT_EQ(Show(tool)["status"], "false-positive");

  // A closed incident whose threat is found again is reopened and says why.
  ASSERT_EQ(
      Beffroi({"incidents", "close", std::to_string(ransom), "--reason", "reimaged"}).exit_code, 0);
  auto back =
      Beffroi({"scan", (base_ / "tree").string(), "--rules", rules_, "--no-iocs", "--json", "-q"});
  EXPECT_EQ(json::parse(back.out)["reopened_incidents"], 1) << back.out;
  EXPECT_EQ(Show(ransom)["status"], "new");

  auto audit = Beffroi({"audit", "verify", "--json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.out << audit.err;
  EXPECT_EQ(json::parse(audit.out)["intact"], true);
}

TEST_F(TriageE2E, BadInputIsRefusedWithTheDocumentedExitCodes) {
  std::int64_t ransom = IdOf("Ransomware");
  std::string id = std::to_string(ransom);
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    const char* says;
  };
  const Case cases[] = {
      {{"incidents", "update", "999", "--status", "triaged"}, 1, "no incident 999"},
      {{"incidents", "show", "999"}, 1, "no incident 999"},
      {{"incidents", "timeline", "999"}, 1, "no incident 999"},
      {{"incidents", "report", "999", "--format", "md"}, 1, "no incident 999"},
      {{"incidents", "update", id, "--status", "done"}, 2, "is not one of new, triaged"},
      {{"incidents", "update", id, "--status", "merged"}, 2, "is not one of"},
      {{"incidents", "update", "3x", "--status", "triaged"}, 2, "not an incident number"},
      {{"incidents", "update", "-1", "--status", "triaged"}, 2, ""},
      {{"incidents", "update", id}, 2, "nothing to change"},
      {{"incidents", "merge", id, id}, 2, "into itself"},
      {{"incidents", "merge", id}, 2, "missing arguments"},
      {{"incidents", "close", id, "--false-positive"}, 2, "needs a reason"},
      {{"incidents", "close", id, "--allowlist", "hash"}, 2, "goes with --false-positive"},
      {{"incidents", "close", id, "--false-positive", "--reason", "x", "--allowlist", "all"},
       2,
       "hash or path"},
      {{"incidents", "split", id, "--detections", "1,x"}, 2, "detection numbers"},
      {{"incidents", "split", id, "--detections", "99999"}, 2, "is not part of it"},
      {{"incidents", "assign", id}, 2, "give one NAME"},
      {{"incidents", "tag", id, "two words"}, 2, "no spaces"},
      {{"incidents", "note", id, " "}, 2, "empty"},
      {{"incidents", "report", id, "--format", "pdf"}, 2, "md or html"},
      {{"incidents", "export", id, "--format", "xml"}, 2, "csv, json, stix or misp"},
      {{"incidents", "export", id}, 2, "(required)"},
      {{"incidents", "frobnicate"}, 2, "unknown subcommand"},
      {{"audit", "check"}, 2, "usage"},
  };
  for (const Case& c : cases) {
    auto r = Beffroi(c.args);
    std::string line = c.args[0] + " " + c.args[1];
    EXPECT_EQ(r.exit_code, c.exit_code) << line << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << line << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << line << ": " << r.err;
  }
  // Nothing of it changed the incident or wrote to the audit log.
  json detail = Show(ransom);
  EXPECT_EQ(detail["status"], "new");
  EXPECT_EQ(detail["version"], 1);
  EXPECT_EQ(detail["audit"].size(), 1u);  // incident.opened
  // Reopening must be asked for.
  ASSERT_EQ(Beffroi({"incidents", "close", id}).exit_code, 0);
  auto silent = Beffroi({"incidents", "update", id, "--status", "triaged"});
  EXPECT_EQ(silent.exit_code, 2);
  EXPECT_NE(silent.err.find("--reopen"), std::string::npos) << silent.err;
  EXPECT_EQ(Beffroi({"incidents", "update", id, "--status", "triaged", "--reopen", "--reason",
                     "second server hit"})
                .exit_code,
            0);
  for (const char* sub : {"update", "assign", "tag", "note", "merge", "split", "close", "timeline",
                          "report", "export", "campaigns"}) {
    auto help = RunBinary({BEFFROI_BIN, "incidents", sub, "--help"});
    EXPECT_EQ(help.exit_code, 0) << sub;
    EXPECT_NE(help.out.find("--db"), std::string::npos) << sub;
  }
}

}  // namespace
}  // namespace beffroi
