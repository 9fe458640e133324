// Feeds: the STIX pattern subset, JSON salvage of truncated feeds, MISP events and feed
// directories, STIX bundles, the warninglist, and stored feed indicators in an IocSet.
#include "analyzer/ioc/feed.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "analyzer/ioc/ioc_set.h"
#include "analyzer/ioc/json_salvage.h"
#include "analyzer/ioc/stix_pattern.h"
#include "analyzer/ioc/warninglist.h"
#include "ioc_test_util.h"

namespace beffroi::ioc {
namespace {

using testing::ScratchDir;

const std::string kSha = std::string(60, 'a') + "e91f";

std::vector<std::string> Pairs(const std::vector<StixComparison>& v) {
  std::vector<std::string> out;
  for (const auto& c : v)
    out.push_back(c.type + "=" + c.value);
  return out;
}

TEST(StixPattern, SupportedComparisonsJoinedByOr) {
  auto r =
      ParseStixPattern("[file:hashes.'SHA-256' = '" + kSha +
                       "'] OR [domain-name:value = 'evil.example' OR url:value = "
                       "'http://evil.example/a\\'b'] OR ([ipv4-addr:value = '198.51.100.0/24'])");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(Pairs(*r),
            (std::vector<std::string>{"sha256=" + kSha, "domain=evil.example",
                                      "url=http://evil.example/a'b", "cidr=198.51.100.0/24"}));
}

TEST(StixPattern, InListsIsSubsetAndHashSpellings) {
  auto r = ParseStixPattern(
      "[file:hashes.MD5 IN ('44d88612fea8a8f36de82e1278abb02f', "
      "'44d88612fea8a8f36de82e1278abb02e')] OR [ipv6-addr:value ISSUBSET '2001:db8::/32'] OR "
      "[file:hashes.'SHA-1' = 'x'] OR [file:name = 'ryuk.exe'] OR "
      "[network-traffic:dst_ref.value = '203.0.113.7']");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(Pairs(*r),
            (std::vector<std::string>{"md5=44d88612fea8a8f36de82e1278abb02f",
                                      "md5=44d88612fea8a8f36de82e1278abb02e", "cidr=2001:db8::/32",
                                      "sha1=x", "filename=ryuk.exe", "ip=203.0.113.7"}));
}

TEST(StixPattern, RefusesWhatIsNotOneLookupWithTheReason) {
  struct Case {
    const char* pattern;
    const char* says;
  };
  for (const Case& c : {
           Case{"[file:name = 'a' AND file:size = 3]", "AND inside an observation"},
           Case{"[file:name = 'a'] AND [url:value = 'http://x.example/']", "AND between"},
           Case{"[file:name = 'a'] FOLLOWEDBY [file:name = 'b']", "FOLLOWEDBY"},
           Case{"[file:name = 'a'] WITHIN 5 SECONDS", "WITHIN"},
           Case{"[file:name != 'a']", "operator '!='"},
           Case{"[file:name LIKE 'a%']", "operator 'LIKE'"},
           Case{"[process:name = 'x']", "property 'process:name'"},
           Case{"[file:name = 'unterminated]", "unterminated string"},
           Case{"[file:name = t'2021-01-01T00:00:00Z']", "timestamp"},
           Case{"[file:name = 'a'", "expected ']'"},
           Case{"", "expected '[' or '('"},
           Case{"[file:name NOT = 'a']", "NOT"},
       }) {
    auto r = ParseStixPattern(c.pattern);
    ASSERT_FALSE(r.ok()) << c.pattern;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos)
        << c.pattern << " -> " << r.error().message;
    EXPECT_EQ(r.error().message.rfind("position ", 0), 0u) << r.error().message;
  }
}

TEST(StixPattern, EveryPrefixAndDeepNestingFailCleanly) {
  std::string p = "([file:hashes.'SHA-256' = '" + kSha + "'] OR [domain-name:value = 'a.example'])";
  for (std::size_t n = 0; n < p.size(); ++n)
    EXPECT_FALSE(ParseStixPattern(p.substr(0, n)).ok()) << n;
  EXPECT_TRUE(ParseStixPattern(p).ok());
  std::string deep = std::string(200, '(') + "[file:name = 'a']" + std::string(200, ')');
  auto r = ParseStixPattern(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nested too deep"), std::string::npos);
}

TEST(JsonSalvage, KeepsCompleteArrayElementsBeforeTheCut) {
  std::string full = R"({"type":"bundle","objects":[{"id":1},{"id":2,"x":[1,2]},{"id":3}]})";
  auto whole = ParseJsonSalvage(full);
  EXPECT_TRUE(whole.complete);
  EXPECT_EQ(whole.value["objects"].size(), 3u);
  // Cut inside the third object: the first two stay, the third goes.
  auto cut = ParseJsonSalvage(full.substr(0, full.find("{\"id\":3") + 4));
  EXPECT_FALSE(cut.complete);
  EXPECT_GT(cut.offset, 0u);
  ASSERT_TRUE(cut.value["objects"].is_array());
  EXPECT_EQ(cut.value["objects"].size(), 2u);
  EXPECT_EQ(cut.value["type"], "bundle");
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto s = ParseJsonSalvage(full.substr(0, n));
    EXPECT_FALSE(s.complete) << n;
    if (s.value.is_object() && s.value.contains("objects")) {
      for (const auto& o : s.value["objects"])
        EXPECT_TRUE(o.contains("id")) << n;  // never a half-built element
    }
  }
  auto deep = ParseJsonSalvage(std::string(100000, '['));
  EXPECT_FALSE(deep.complete);
  EXPECT_NE(deep.error.find("nesting"), std::string::npos);
}

constexpr const char* kEvent = R"({"Event": {
  "uuid": "ev-1", "info": "Ryuk wave", "threat_level_id": "1",
  "Tag": [{"name": "misp-galaxy:mitre-attack-pattern=\"Data Encrypted for Impact - T1486\""},
          {"name": "misp-galaxy:ransomware=\"Ryuk\""}],
  "Attribute": [
    {"uuid": "a1", "type": "sha256", "value": "SHA", "to_ids": true, "comment": "loader"},
    {"uuid": "a2", "type": "domain", "value": "Evil.Example.", "to_ids": true},
    {"uuid": "a3", "type": "ip-dst", "value": "203.0.113.0/24", "to_ids": "1",
     "Tag": [{"name": "beffroi:score=\"40\""}, {"name": "mitre-attack:T1071.001"}]},
    {"uuid": "a4", "type": "regkey", "value": "HKLM\\Run", "to_ids": true},
    {"uuid": "a5", "type": "frobnicate", "value": "x", "to_ids": true},
    {"uuid": "a6", "type": "url", "value": "http://evil.example/", "to_ids": false},
    {"uuid": "a7", "type": "filename|md5", "value": "ryuk.exe|44D88612FEA8A8F36DE82E1278ABB02F", "to_ids": true},
    {"uuid": "a8", "type": "md5", "value": "not-hex", "to_ids": true},
    {"uuid": "a9", "type": "filename", "value": "readme.txt", "to_ids": true}
  ],
  "Object": [{"Attribute": [{"uuid": "o1", "type": "ip-dst|port", "value": "198.51.100.9|443", "to_ids": true}]}]
}})";

std::string EventText() {
  std::string s = kEvent;
  s.replace(s.find("\"SHA\""), 5, "\"" + kSha + "\"");
  return s;
}

const FeedIndicator* Find(const FeedContent& c, const std::string& type) {
  for (const auto& i : c.indicators)
    if (i.type == type) return &i;
  return nullptr;
}

TEST(Misp, EventAttributesWithToIdsTheirTagsAndWhatIsSkipped) {
  FeedContent c;
  ParseMispEvent("ev1.json", EventText(), c);
  ASSERT_EQ(c.indicators.size(), 6u);
  const FeedIndicator* sha = Find(c, "sha256");
  ASSERT_NE(sha, nullptr);
  EXPECT_EQ(sha->score, 85);  // threat level 1
  EXPECT_EQ(sha->comment, "Ryuk wave: loader");
  EXPECT_EQ(sha->techniques, std::vector<std::string>{"T1486"});
  EXPECT_EQ(sha->playbook, "ransomware");
  EXPECT_EQ(sha->ref, "ev1.json: event ev-1 attribute a1");
  EXPECT_EQ(Find(c, "domain")->value, "evil.example");
  const FeedIndicator* cidr = Find(c, "cidr");
  ASSERT_NE(cidr, nullptr);
  EXPECT_EQ(cidr->score, 40);
  EXPECT_EQ(cidr->techniques, (std::vector<std::string>{"T1071.001", "T1486"}));
  EXPECT_EQ(Find(c, "md5")->value, "44d88612fea8a8f36de82e1278abb02f");
  EXPECT_EQ(Find(c, "md5")->comment, "Ryuk wave: ryuk.exe");
  EXPECT_EQ(Find(c, "filename")->value, "(^|/)readme\\.txt$");
  EXPECT_EQ(Find(c, "ip")->value, "198.51.100.9");
  EXPECT_EQ(c.skipped["to_ids not set"], 1u);
  EXPECT_EQ(c.skipped["MISP type regkey: not matched by beffroi"], 1u);
  EXPECT_EQ(c.skipped["unknown MISP type"], 1u);
  EXPECT_EQ(c.skipped["invalid value"], 1u);
  auto warned = [&](const std::string& text) {
    return std::any_of(c.warnings.begin(), c.warnings.end(),
                       [&](const std::string& w) { return w.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(
      warned("ev1.json: event ev-1 attribute a5: unknown MISP attribute type 'frobnicate'"));
  EXPECT_TRUE(warned("attribute a8: not a hex md5 digest"));
  EXPECT_FALSE(warned("regkey"));  // known types are counted, not warned about
}

TEST(Misp, TruncatedEventKeepsTheAttributesBeforeTheCutAndSaysWhere) {
  std::string text = EventText();
  std::string cut = text.substr(0, text.find("\"a3\"") + 2);
  FeedContent c;
  ParseMispEvent("cut.json", cut, c);
  EXPECT_EQ(c.indicators.size(), 2u);  // a1 and a2
  EXPECT_EQ(c.skipped["truncated or invalid JSON"], 1u);
  ASSERT_FALSE(c.warnings.empty());
  EXPECT_NE(c.warnings.front().find("cut.json: not valid JSON at byte"), std::string::npos)
      << c.warnings.front();
  for (std::size_t n = 0; n < text.size(); n += 7) {
    FeedContent any;
    ParseMispEvent("prefix.json", text.substr(0, n), any);  // never crashes, never half values
    for (const auto& i : any.indicators)
      EXPECT_FALSE(i.value.empty());
  }
}

TEST(Misp, ResponseWrapperAndNotAnEvent) {
  FeedContent c;
  ParseMispEvent("r.json", "{\"response\": [" + EventText() + "]}", c);
  EXPECT_EQ(c.indicators.size(), 6u);
  FeedContent d;
  ParseMispEvent("x.json", R"({"hello": 1})", d);
  EXPECT_TRUE(d.indicators.empty());
  EXPECT_EQ(d.skipped["not a MISP event"], 1u);
}

TEST(Misp, FeedDirectoryReadsTheManifestsEventsAndRefusesPathsOutOfIt) {
  ScratchDir dir;
  dir.Write("manifest.json",
            R"({"5f1c0d3e-0000-4000-8000-000000000001": {"info": "x"},
                "5f1c0d3e-0000-4000-8000-000000000002": {"info": "missing"},
                "../../etc/passwd": {"info": "evil"}})");
  dir.Write("5f1c0d3e-0000-4000-8000-000000000001.json", EventText());
  FeedContent c;
  ASSERT_TRUE(LoadMispFeedDirectory(dir.path(), c).ok());
  EXPECT_EQ(c.indicators.size(), 6u);
  EXPECT_EQ(c.skipped["bad manifest entry"], 1u);
  EXPECT_EQ(c.skipped["missing event file"], 1u);
  FeedContent auto_detected;
  ASSERT_TRUE(LoadFeed({dir.path()}, FeedFormat::kAuto, auto_detected).ok());
  EXPECT_EQ(auto_detected.formats, std::vector<std::string>{"misp"});
  EXPECT_EQ(auto_detected.indicators.size(), 6u);
}

std::string Bundle(const std::string& extra = "") {
  return R"({"type":"bundle","id":"bundle--1","objects":[
    {"type":"indicator","spec_version":"2.1","id":"indicator--a","name":"Ryuk loader",
     "pattern_type":"stix","confidence":95,
     "pattern":"[file:hashes.'SHA-256' = ')" +
         kSha + R"('] OR [domain-name:value = 'c2.evil.example']"},
    {"type":"indicator","id":"indicator--b","pattern_type":"stix","pattern":"[file:name = 'a' AND file:size = 3]"},
    {"type":"indicator","id":"indicator--c","pattern_type":"sigma","pattern":"title: x"},
    {"type":"indicator","id":"indicator--d","pattern":"[url:value = 'http://x.example/p']","revoked":true},
    {"type":"indicator","id":"indicator--e","pattern":"[ipv4-addr:value = '198.51.100.7']",
     "labels":["malicious-activity","T1071"],
     "kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"command-and-control"}]},
    {"type":"attack-pattern","id":"attack-pattern--1","external_references":[{"source_name":"mitre-attack","external_id":"T1486"}]},
    {"type":"malware","id":"malware--1","name":"Ryuk","malware_types":["ransomware"],"is_family":true},
    {"type":"relationship","id":"relationship--1","relationship_type":"indicates","source_ref":"indicator--a","target_ref":"attack-pattern--1"},
    {"type":"relationship","id":"relationship--2","relationship_type":"indicates","source_ref":"indicator--a","target_ref":"malware--1"})" +
         extra + "]}";
}

TEST(Stix, IndicatorsWithTheirRelationshipsAndTheRefusedOnes) {
  FeedContent c;
  ParseStixBundle("b.json", Bundle(), c);
  ASSERT_EQ(c.indicators.size(), 3u);
  const FeedIndicator* sha = Find(c, "sha256");
  ASSERT_NE(sha, nullptr);
  EXPECT_EQ(sha->score, 95);
  EXPECT_EQ(sha->comment, "Ryuk loader");
  EXPECT_EQ(sha->techniques, std::vector<std::string>{"T1486"});
  EXPECT_EQ(sha->playbook, "ransomware");
  EXPECT_EQ(sha->ref, "b.json: indicator--a");
  EXPECT_EQ(Find(c, "domain")->playbook, "ransomware");
  const FeedIndicator* ip = Find(c, "ip");
  ASSERT_NE(ip, nullptr);
  EXPECT_EQ(ip->techniques, std::vector<std::string>{"T1071"});
  EXPECT_EQ(ip->score, kDefaultNetworkScore);
  EXPECT_EQ(c.skipped["STIX pattern not supported"], 1u);
  EXPECT_EQ(c.skipped["pattern type sigma: not supported"], 1u);
  EXPECT_EQ(c.skipped["revoked indicator"], 1u);
  bool named = std::any_of(c.warnings.begin(), c.warnings.end(), [](const std::string& w) {
    return w.find("b.json: indicator--b: pattern") != std::string::npos &&
           w.find("AND inside an observation") != std::string::npos;
  });
  EXPECT_TRUE(named);
}

TEST(Stix, TruncatedBundleKeepsTheIndicatorsBeforeTheCut) {
  std::string text = Bundle();
  FeedContent c;
  ParseStixBundle("cut.json", text.substr(0, text.find("indicator--e") + 5), c);
  EXPECT_EQ(c.indicators.size(), 2u);  // indicator--a's two values
  EXPECT_EQ(c.skipped["truncated or invalid JSON"], 1u);
  FeedContent garbage;
  ParseStixBundle("g.json", "\x01\x02 not json", garbage);
  EXPECT_TRUE(garbage.indicators.empty());
  EXPECT_EQ(garbage.skipped["truncated or invalid JSON"], 1u);
}

TEST(Warninglist, DropsResolversRangesTldsAndCdnSubdomains) {
  Warninglist w;
  w.LoadText("wl.txt",
             "# comment\nlist resolvers: public resolvers\nip 8.8.8.8\n"
             "list ranges: private\ncidr 10.0.0.0/8\ncidr fc00::/7\n"
             "list cdn: cdn\ndomain akamaiedge.net\nsha256 " +
                 std::string(64, 'e') + "\nbogus\nip not-an-ip\n");
  EXPECT_EQ(w.warnings().size(), 2u);
  auto covers = [&](const std::string& type, const std::string& value) {
    return w.Covers(FeedIndicator{type, value, 0, "", {}, "", ""}).value_or("");
  };
  EXPECT_EQ(covers("ip", "8.8.8.8"), "resolvers");
  EXPECT_EQ(covers("ip", "8.8.4.4"), "");
  EXPECT_EQ(covers("ip", "10.20.30.40"), "ranges");
  EXPECT_EQ(covers("cidr", "10.1.0.0/16"), "ranges");   // inside
  EXPECT_EQ(covers("cidr", "8.0.0.0/8"), "resolvers");  // contains 8.8.8.8
  EXPECT_EQ(covers("cidr", "0.0.0.0/0"), "address block too broad");
  EXPECT_EQ(covers("ip", "fd00::1"), "ranges");
  EXPECT_EQ(covers("domain", "a248.e.akamaiedge.net"), "cdn");
  EXPECT_EQ(covers("domain", "notakamaiedge.net"), "");
  EXPECT_EQ(covers("domain", "com"), "top-level domain");
  EXPECT_EQ(covers("sha256", std::string(64, 'e')), "cdn");
  EXPECT_EQ(covers("url", "http://8.8.8.8/"), "");
}

TEST(Feed, ContentHashIgnoresOrderAndMergeKeepsTheStrongest) {
  std::vector<FeedIndicator> a{{"sha256", kSha, 50, "x", {"T1486"}, "", "r1"},
                               {"domain", "evil.example", 75, "", {}, "", "r2"},
                               {"sha256", kSha, 90, "", {"T1490"}, "ransomware", "r3"}};
  std::vector<FeedIndicator> b{a[1], a[2], a[0]};
  EXPECT_EQ(MergeDuplicates(a), 1u);
  EXPECT_EQ(MergeDuplicates(b), 1u);
  EXPECT_EQ(FeedContentHash(a), FeedContentHash(b));
  ASSERT_EQ(a.size(), 2u);
  const FeedIndicator& merged = a[1];
  EXPECT_EQ(merged.score, 90);
  EXPECT_EQ(merged.techniques, (std::vector<std::string>{"T1486", "T1490"}));
  EXPECT_EQ(merged.playbook, "ransomware");
  std::vector<FeedIndicator> c = a;
  c[0].score = 76;
  EXPECT_NE(FeedContentHash(a), FeedContentHash(c));
}

TEST(Feed, TechniqueIdsAndFileNameRegex) {
  EXPECT_EQ(TechniqueIds("Data Encrypted for Impact - T1486, T1059.001; XT1000 T12345"),
            (std::vector<std::string>{"T1486", "T1059.001"}));
  EXPECT_EQ(FileNameRegex("a+b.exe"), "(^|/)a\\+b\\.exe$");
  EXPECT_EQ(FileNameRegex("C:\\tmp\\x.exe"), "C:\\\\tmp\\\\x\\.exe$");
  EXPECT_EQ(ExactFileName(FileNameRegex("Ryuk+ReadMe.HTML")), "ryuk+readme.html");
  EXPECT_EQ(ExactFileName("(^|/)a.exe$"), std::nullopt);  // '.' is any character there
  EXPECT_EQ(ExactFileName("(^|/)a\\.exe"), std::nullopt);
  EXPECT_EQ(ExactFileName(FileNameRegex("C:\\tmp\\x.exe")), std::nullopt);
  EXPECT_EQ(ExactFileName("(^|/)$"), std::nullopt);
}

TEST(Feed, LokiAndCsvListsComeThroughTheIocSetLoaders) {
  ScratchDir dir;
  std::string csv =
      dir.Write("feed.csv", "type,value,score,comment\nsha256," + kSha +
                                ",90,Ryuk T1486\ndomain,evil.example,,c2\nbogus,x,1,y\n");
  FeedContent c;
  ASSERT_TRUE(LoadFeed({csv}, FeedFormat::kAuto, c).ok());
  ASSERT_EQ(c.indicators.size(), 2u);
  EXPECT_EQ(Find(c, "sha256")->score, 90);
  EXPECT_EQ(Find(c, "sha256")->techniques, std::vector<std::string>{"T1486"});
  EXPECT_EQ(c.skipped["invalid line"], 1u);
  EXPECT_EQ(c.formats, std::vector<std::string>{"csv"});
  EXPECT_FALSE(LoadFeed({dir.path() + "/none"}, FeedFormat::kAuto, c).ok());
}

TEST(IocSetFeeds, StoredIndicatorsMatchWithTheirFeedAndMetadata) {
  IocSet set;
  EXPECT_TRUE(set.AddFeedIndicator(
      "feed cert v2",
      FeedIndicator{"sha256", kSha, 95, "Ryuk loader", {"T1486"}, "ransomware", ""}));
  EXPECT_TRUE(set.AddFeedIndicator(
      "feed cert v2", FeedIndicator{"filename", "(^|/)ryuk\\.exe$", 70, "name", {}, "", ""}));
  EXPECT_TRUE(set.AddFeedIndicator("feed cert v2",
                                   FeedIndicator{"domain", "evil.example", 80, "c2", {}, "", ""}));
  EXPECT_FALSE(set.AddFeedIndicator(
      "feed cert v2",
      FeedIndicator{"sha256",
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                    80,
                    "",
                    {},
                    "",
                    ""}));
  set.CommitFeed();
  EXPECT_TRUE(set.AddFeedIndicator(
      "feed cert v2", FeedIndicator{"filename", "readme\\.hta$", 60, "regex", {}, "", ""}));
  // Exact names are a lookup, case-insensitive, with either separator; a name ending
  // the same way is not the name.
  ASSERT_EQ(set.MatchFile("C:\\Users\\Public\\RYUK.EXE", Digests{}).size(), 1u);
  EXPECT_TRUE(set.MatchFile("/tmp/notryuk.exe", Digests{}).empty());
  EXPECT_EQ(set.MatchFile("/srv/readme.hta", Digests{}).size(), 1u);
  auto hits = set.MatchFile("/tmp/ryuk.exe", Digests{"", "", kSha});
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].kind, "ioc.hash");
  EXPECT_EQ(hits[0].source, "feed cert v2");
  EXPECT_EQ(hits[0].description, "Ryuk loader");
  EXPECT_EQ(hits[0].techniques, std::vector<std::string>{"T1486"});
  EXPECT_EQ(hits[0].playbook, "ransomware");
  EXPECT_EQ(hits[1].kind, "ioc.filename");
  ASSERT_EQ(set.network().size(), 1u);
  EXPECT_EQ(set.network()[0].source, "feed cert v2");
  EXPECT_EQ(set.warnings().size(), 1u);
  EXPECT_EQ(hits[1].indicator, "(^|/)ryuk\\.exe$");
  EXPECT_EQ(hits[1].source, "feed cert v2");
  auto exported = set.Indicators();
  EXPECT_EQ(exported.size(), 4u);
  EXPECT_EQ(set.summary().counts.filename, 2u);
}

}  // namespace
}  // namespace beffroi::ioc
