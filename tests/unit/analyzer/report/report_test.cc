// Reports and exports from hand-built report data: escaping of attacker-controlled strings,
// deterministic ids, STIX patterns, MISP and CSV shapes.
#include "analyzer/report/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace beffroi::report {
namespace {

using nlohmann::json;

ReportData Sample(const std::string& file_name = "/srv/share/<script>alert(1)</script>.exe") {
  ReportData data;
  data.organisation = "Ville de Liège";
  data.generated_at = "2026-03-28T10:00:00.000000Z";
  data.generated_by = "Marie Dupont (as alice)";
  store::IncidentRow& i = data.detail.incident;
  i.id = 7;
  i.title = "Ransomware activity on fs01";
  i.host_name = "fs01";
  i.status = "contained";
  i.severity = "critical";
  i.score = 95;
  i.first_seen = "2026-03-20T03:49:49.000000Z";
  i.last_seen = "2026-03-21T04:00:00.000000Z";
  i.created_at = "2026-03-20T04:00:00.000000Z";
  i.updated_at = "2026-03-22T09:00:00.000000Z";
  i.techniques_json = R"(["T1486","T1490"])";
  i.playbook = "ransomware";
  i.tags = {"gdpr"};
  store::DetectionRow file;
  file.id = 1;
  file.kind = "yara";
  file.rule = "Ransom_Ryuk";
  file.score = 95;
  file.file_path = file_name;
  file.sha256 = std::string(64, 'a');
  file.observed_at = "2026-03-20T03:49:49.000000Z";
  file.created_at = "2026-03-20T04:00:00.000000Z";
  file.reasons_json = R"({"strings":["$note"],"reference":"https://example.org/ryuk"})";
  file.techniques_json = R"(["T1486"])";
  file.source = "bundle";
  file.source_id = 3;
  store::DetectionRow net;
  net.id = 2;
  net.kind = "ioc.network";
  net.rule = "domain:c2.example";
  net.score = 80;
  net.file_path = "dns 10.0.0.5:53000 > 10.0.0.1:53";
  net.observed_at = "2026-03-21T04:00:00.000000Z";
  net.created_at = "2026-03-21T05:00:00.000000Z";
  net.sightings = 3;
  net.last_observed_at = "2026-03-21T06:00:00.000000Z";
  net.source = "bundle";
  net.source_id = 3;
  data.detail.detections = {file, net};
  data.timeline.push_back({"2026-03-20T03:49:49.000000Z", "detection", "", "yara",
                           "Ransom_Ryuk on " + file_name, 1, std::nullopt, 7});
  data.timeline.push_back({"2026-03-22T09:00:00.000000Z", "action", "Marie Dupont (as alice)",
                           "incident.status", R"({"from":"triaged","to":"contained"})",
                           std::nullopt, 12, 7});
  store::BundleRow bundle;
  bundle.id = 3;
  bundle.bundle_uuid = "0b4c7d9e-1111-4222-8333-444455556666";
  bundle.manifest_sha256 = std::string(64, 'b');
  bundle.agent = "beffroi-host";
  bundle.agent_version = "0.1.0";
  bundle.examiner = "M. Dupont";
  bundle.case_ref = "LGE-2026-03";
  data.evidence.push_back({"bundle", 3, bundle, std::nullopt});
  return data;
}

TEST(Escape, HtmlMarkdownAndCsv) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape(std::string("a\x01\xff", 3)), "a\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(MarkdownEscape("a|b *c* <x> [l](u)\nnext"), "a\\|b \\*c\\* \\<x\\> \\[l\\](u) next");
  EXPECT_EQ(CsvField("plain"), "\"plain\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(CsvField("-2+3"), "\"'-2+3\"");
  EXPECT_EQ(CsvField("@SUM(A1)"), "\"'@SUM(A1)\"");
}

TEST(UuidV5, KnownAnswerAndDeterminism) {
  // RFC 4122 name-based UUID; Python's uuid.uuid5(uuid.NAMESPACE_DNS, "python.org").
  EXPECT_EQ(UuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org"),
            "886313e1-3b8a-5372-9b90-0c9aee199e5d");
  EXPECT_EQ(UuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "a"),
            UuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "a"));
  EXPECT_NE(UuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "a"),
            UuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "b"));
}

TEST(StixPattern, EachIndicatorKindAndEscaping) {
  store::DetectionRow d;
  d.kind = "yara";
  d.sha256 = std::string(64, 'A');
  EXPECT_EQ(StixPattern(d), "[file:hashes.'SHA-256' = '" + std::string(64, 'a') + "']");
  d.sha256 = "not-a-hash";
  EXPECT_EQ(StixPattern(d), "");  // a YARA hit without content names no indicator
  d.kind = "ioc.network";
  d.sha256 = "";
  d.rule = "domain:c2.example";
  EXPECT_EQ(StixPattern(d), "[domain-name:value = 'c2.example']");
  d.rule = "ip:203.0.113.7";
  EXPECT_EQ(StixPattern(d), "[ipv4-addr:value = '203.0.113.7']");
  d.rule = "ip:2001:db8::1";
  EXPECT_EQ(StixPattern(d), "[ipv6-addr:value = '2001:db8::1']");
  d.rule = "cidr:198.51.100.0/24";
  EXPECT_EQ(StixPattern(d), "[ipv4-addr:value ISSUBSET '198.51.100.0/24']");
  d.rule = "url:http://x.example/a'b\\c";
  EXPECT_EQ(StixPattern(d), "[url:value = 'http://x.example/a\\'b\\\\c']");
  d.rule = "ja3:e7d705a3286e19ea42f587b344ee6865";
  EXPECT_EQ(StixPattern(d), "");
  d.rule = "domain:";
  EXPECT_EQ(StixPattern(d), "");
}

TEST(Html, IsSelfContainedAndEscapesAttackerStrings) {
  std::string html = RenderHtml(Sample());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  for (const char* external : {"<link", " src=", "@import", "url("})
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  const std::string manifest(64, 'b');
  for (const std::string& part :
       {std::string("Summary"), std::string("Affected hosts"), std::string("Timeline"),
        std::string("Detections"), std::string("Evidence"), std::string("Actions taken"),
        std::string("LGE-2026-03"), manifest, std::string("Ville de Liège"),
        std::string("status triaged -&gt; contained")})
    EXPECT_NE(html.find(part), std::string::npos) << part;
}

TEST(Markdown, EscapesAndKeepsTablesWhole) {
  std::string md = RenderMarkdown(Sample("/srv/a|b/<script>x</script>.exe"));
  // Only as "\<script" (a literal "<" in CommonMark) or "&lt;script", never as a tag.
  for (std::size_t at = md.find("<script"); at != std::string::npos;
       at = md.find("<script", at + 1))
    EXPECT_TRUE(at > 0 && md[at - 1] == '\\') << md.substr(at > 20 ? at - 20 : 0, 40);
  EXPECT_NE(md.find("&lt;script&gt;"), std::string::npos);
  // Every row of the detections table has as many cells as its header.
  auto start = md.find("| \\# |");
  ASSERT_NE(start, std::string::npos);
  auto cells = [](const std::string& line) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < line.size(); ++i)
      n += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    return n;
  };
  std::size_t end = md.find("\n\n", start);
  std::string table = md.substr(start, end - start);
  std::size_t header = cells(table.substr(0, table.find('\n')));
  std::size_t pos = 0;
  while (pos < table.size()) {
    std::size_t nl = table.find('\n', pos);
    std::string line = table.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    EXPECT_EQ(cells(line), header) << line;
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
}

TEST(Report, PlaybookSectionsRenderWhereTheyAreGivenAndNothingOtherwise) {
  ReportData data = Sample();
  EXPECT_EQ(RenderMarkdown(data).find("## Playbook"), std::string::npos);
  data.playbook.push_back({"Playbook progress", {{"Containment", "done at 09:12"}}});
  std::string md = RenderMarkdown(data);
  EXPECT_NE(md.find("## Playbook progress"), std::string::npos);
  EXPECT_NE(md.find("- **Containment:** done at 09:12"), std::string::npos);
}

TEST(Stix, BundleIsDeterministicAndReferencesEverything) {
  std::string a = ExportStix(Sample()), b = ExportStix(Sample());
  EXPECT_EQ(a, b);
  json bundle = json::parse(a);
  EXPECT_EQ(bundle["type"], "bundle");
  std::set<std::string> ids;
  std::map<std::string, int> types;
  for (const auto& o : bundle["objects"]) {
    ids.insert(o["id"].get<std::string>());
    ++types[o["type"].get<std::string>()];
  }
  EXPECT_EQ(types["identity"], 1);
  EXPECT_EQ(types["indicator"], 2);  // the file hash and the C2 domain
  EXPECT_EQ(types["sighting"], 2);
  EXPECT_EQ(types["report"], 1);
  for (const auto& o : bundle["objects"]) {
    if (o["type"] == "report") {
      EXPECT_EQ(o["object_refs"].size(), ids.size() - 1);
      for (const auto& r : o["object_refs"])
        EXPECT_TRUE(ids.count(r.get<std::string>()));
    }
    if (o["type"] == "sighting" && o["description"] == "Seen on fs01") {
      EXPECT_TRUE(ids.count(o["sighting_of_ref"].get<std::string>()));
    }
    if (o["type"] == "indicator" &&
        o["pattern"].get<std::string>().find("domain") != std::string::npos) {
      EXPECT_EQ(o["indicator_types"][0], "malicious-activity");
    }
  }
  ReportData other = Sample();
  other.detail.incident.id = 8;
  EXPECT_NE(json::parse(ExportStix(other))["id"], bundle["id"]);
}

TEST(Misp, AttributesCarryTypesAndFalsePositivesAreNotForIds) {
  json event = json::parse(ExportMisp(Sample("/srv/share/<script>alert(1).exe")))["Event"];
  EXPECT_EQ(event["threat_level_id"], "1");
  EXPECT_EQ(event["analysis"], "1");
  EXPECT_EQ(event["date"], "2026-03-20");
  std::map<std::string, json> by_type;
  for (const auto& a : event["Attribute"])
    by_type[a["type"].get<std::string>()] = a;
  ASSERT_TRUE(by_type.count("filename|sha256"));
  EXPECT_EQ(by_type["filename|sha256"]["value"], "<script>alert(1).exe|" + std::string(64, 'a'));
  EXPECT_EQ(by_type["filename|sha256"]["to_ids"], true);
  ASSERT_TRUE(by_type.count("domain"));
  EXPECT_EQ(by_type["domain"]["value"], "c2.example");
  EXPECT_EQ(by_type["domain"]["category"], "Network activity");

  ReportData fp = Sample();
  fp.detail.incident.status = "false-positive";
  json dismissed = json::parse(ExportMisp(fp))["Event"];
  EXPECT_EQ(dismissed["analysis"], "2");
  for (const auto& a : dismissed["Attribute"])
    EXPECT_EQ(a["to_ids"], false);
}

TEST(Csv, OneRowPerDetectionWithFormulaCellsNeutralised) {
  std::string csv = ExportCsv(Sample("=cmd|' /C calc'!A0"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  EXPECT_NE(csv.find("\"'=cmd|' /C calc'!A0\""), std::string::npos);
}

TEST(DescribeAction, ReadsEveryKindAndSurvivesGarbage) {
  EXPECT_EQ(DescribeAction("incident.status", R"({"from":"new","to":"triaged"})"),
            "status new -> triaged");
  EXPECT_EQ(DescribeAction("incident.assign", R"({"to":""})"), "unassigned");
  EXPECT_EQ(DescribeAction("incident.tag", R"({"added":["a"],"removed":["b"]})"), "tags +a -b");
  EXPECT_EQ(DescribeAction("incident.merged_into", R"({"into":3,"detections":[4,5]})"),
            "merged into incident 3 (detections 4, 5)");
  EXPECT_EQ(DescribeAction("incident.tag", R"({"added":7})"), "tags");
  EXPECT_EQ(DescribeAction("incident.note", "[1,2]"), "note: ");
  EXPECT_EQ(DescribeAction("incident.status", "{not json"), "status  -> ");
}

}  // namespace
}  // namespace beffroi::report
