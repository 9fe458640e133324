// IocSet: c2 lists, CSV, format detection and Loki-style directories.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzer/ioc/ioc_set.h"
#include "ioc_test_util.h"

namespace beffroi::ioc {
namespace {

using testing::ScratchDir;

constexpr char kMd5[] = "0123456789abcdef0123456789abcdef";
constexpr char kSha256[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// ---- c2 lists ----

TEST(C2List, ReadsDomainsAddressesAndBlocksForTheNetworkMatcher) {
  IocSet set;
  std::string text =
      "# FireEye Operation Snowman https://goo.gl/x1v7mT\n"  // 1
      "suroot.com\n"                                         // 2
      "58.64.143.244\n"                                      // 3
      "someotherdomain.biz;80\n"                             // 4
      "Mixed.Case.Example.;90;trailing dot\n"                // 5
      "10.1.2.3/8\n"                                         // 6
      "2001:DB8::1\n"                                        // 7
      "1.2.3.999\n"                                          // 8
      "bad_domain\n"                                         // 9
      "10.0.0.0/33\n";                                       // 10
  ASSERT_TRUE(set.LoadText("c2-iocs.txt", text).ok());
  const std::vector<NetworkIndicator>& n = set.network();
  ASSERT_EQ(n.size(), 6u);
  EXPECT_EQ(n[0].type, NetworkType::kDomain);
  EXPECT_EQ(n[0].value, "suroot.com");
  EXPECT_EQ(n[0].score, kDefaultNetworkScore);
  EXPECT_EQ(n[0].description, "FireEye Operation Snowman https://goo.gl/x1v7mT");
  EXPECT_EQ(n[0].source, "c2-iocs.txt:2");
  EXPECT_EQ(n[1].type, NetworkType::kIp);
  EXPECT_EQ(n[1].value, "58.64.143.244");
  EXPECT_EQ(n[2].score, 80);
  EXPECT_EQ(n[3].value, "mixed.case.example");
  EXPECT_EQ(n[3].description, "trailing dot");
  EXPECT_EQ(n[4].type, NetworkType::kCidr);
  EXPECT_EQ(n[4].value, "10.0.0.0/8");
  EXPECT_EQ(n[5].value, "2001:db8::1");

  std::vector<std::string> w = set.warnings();
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], "c2-iocs.txt:8: not an IPv4 or IPv6 address: '1.2.3.999'");
  EXPECT_TRUE(w[1].starts_with("c2-iocs.txt:9: not a domain name")) << w[1];
  EXPECT_TRUE(w[2].starts_with("c2-iocs.txt:10: not a CIDR block")) << w[2];
  // Network indicators are not matched against files.
  EXPECT_TRUE(set.MatchFile("/tmp/suroot.com", {}).empty());
}

// ---- CSV ----

TEST(Csv, ReadsEveryTypeWithAHeaderLine) {
  IocSet set;
  std::string text =
      "type,value,score,comment\n"
      "md5," +
      std::string(kMd5) +
      ",40,test md5\n"
      "SHA256," +
      std::string(kSha256) +
      ",,default score\n"
      "filename,\\\\HOW_TO_DECRYPT[^\\\\]*$,75,ransom note\n"
      "ip,192.0.2.7,80,\n"
      "cidr,198.51.100.0/24,70,\n"
      "domain,Evil.Example,80,\n"
      "url,HTTPS://evil.example/submit.php?id=1,80,\n"
      "ja3,72A589DA586844D7F0818CE684948EEA,20,weak\n"
      "ja4,t13d1516h2_8daaf6152771_b186095e22b6,30,\n"
      "user-agent,rclone/v1.62.2,60,rclone\n";
  ASSERT_TRUE(set.LoadText("feed.csv", text).ok());
  EXPECT_TRUE(set.warnings().empty()) << set.warnings().at(0);
  IocSummary s = set.summary();
  EXPECT_EQ(s.counts.md5, 1u);
  EXPECT_EQ(s.counts.sha256, 1u);
  EXPECT_EQ(s.counts.filename, 1u);
  EXPECT_EQ(s.counts.network(), 7u);
  EXPECT_EQ(s.files.at(0).format, IocFormat::kCsv);

  std::vector<IocHit> hits = set.MatchFile("/x", Digests{kMd5, "", kSha256});
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].score, 40);
  EXPECT_EQ(hits[0].description, "test md5");
  EXPECT_EQ(hits[0].source, "feed.csv:2");
  EXPECT_EQ(hits[1].score, kDefaultHashScore);
  hits = set.MatchFile("/share/HOW_TO_DECRYPT.hta", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].score, 75);

  const std::vector<NetworkIndicator>& n = set.network();
  ASSERT_EQ(n.size(), 7u);
  EXPECT_EQ(n[2].value, "evil.example");
  EXPECT_EQ(n[3].value, "https://evil.example/submit.php?id=1");
  EXPECT_EQ(n[4].type, NetworkType::kJa3);
  EXPECT_EQ(n[4].value, "72a589da586844d7f0818ce684948eea");
  EXPECT_EQ(n[5].type, NetworkType::kJa4);
  EXPECT_EQ(n[6].type, NetworkType::kUserAgent);
  EXPECT_EQ(n[6].value, "rclone/v1.62.2");
}

TEST(Csv, HonoursRfc4180Quoting) {
  IocSet set;
  std::string text =
      "type,value,score,comment\n"  // 1
      "sha256," +
      std::string(kSha256) +
      ",80,\"Ryuk, stage 2 \"\"loader\"\"\"\n"  // 2
      "md5,\"" +
      std::string(kMd5) +
      "\",70,\"two\n"                                     // 3
      "lines, with a comma\"\n"                           // 4
      "filename,\"a,b\\.txt$\",50,\"# not a comment\"\n"  // 5
      "domain,bad domain,50,\n";                          // 6
  ASSERT_TRUE(set.LoadText("quoted.csv", text).ok());
  ASSERT_EQ(set.warnings().size(), 1u);
  EXPECT_TRUE(set.warnings()[0].starts_with("quoted.csv:6: not a domain name"));
  std::vector<IocHit> hits = set.MatchFile("/x", Digests{kMd5, "", kSha256});
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].description, "two\nlines, with a comma");
  EXPECT_EQ(hits[0].source, "quoted.csv:3");
  EXPECT_EQ(hits[1].description, "Ryuk, stage 2 \"loader\"");
  hits = set.MatchFile("/tmp/a,b.txt", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].indicator, "a,b\\.txt$");
  EXPECT_EQ(hits[0].description, "# not a comment");
}

TEST(Csv, UnknownTypesAndMalformedRecordsAreWarnings) {
  IocSet set;
  std::string text =
      "type,value,score,comment\n"  // 1
      "mutex,Global\\xyz,50,\n"     // 2
      "sha256," +
      std::string(kMd5) +
      ",50,wrong length\n"  // 3
      "md5\n"               // 4
      "md5,\"" +
      std::string(kMd5) +
      "\"x,50,\n"  // 5
      "md5," +
      std::string(kMd5) +
      ",lots,\n"  // 6
      "md5," +
      std::string(kMd5) +
      ",50,ok\n"          // 7
      "ip,\"10.0.0.1\n";  // 8: never closed
  ASSERT_TRUE(set.LoadText("feed.csv", text).ok());
  std::vector<std::string> w = set.warnings();
  ASSERT_EQ(w.size(), 6u);
  EXPECT_TRUE(w[0].starts_with("feed.csv:2: unknown type 'mutex' (known: md5, sha1, sha256"))
      << w[0];
  EXPECT_EQ(w[1], "feed.csv:3: not a 64 digit hex SHA-256: '" + std::string(kMd5) + "'");
  EXPECT_EQ(w[2], "feed.csv:4: CSV record has 1 field(s); expected type,value[,score[,comment]]");
  EXPECT_EQ(w[3], "feed.csv:5: unexpected character after a closing quote");
  EXPECT_EQ(w[4], "feed.csv:6: score 'lots' is not an integer; line skipped");
  EXPECT_EQ(w[5], "feed.csv:8: unterminated quoted field at the end of the file");
  EXPECT_EQ(set.summary().counts.md5, 1u);
}

TEST(Csv, HeaderColumnsInAnyOrderAndAMissingHeaderIsAWarning) {
  IocSet reordered;
  ASSERT_TRUE(
      reordered.LoadText("r.csv", "comment,indicator,type\nmy note," + std::string(kMd5) + ",md5\n")
          .ok());
  EXPECT_TRUE(reordered.warnings().empty());
  std::vector<IocHit> hits = reordered.MatchFile("/x", Digests{kMd5, "", ""});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].description, "my note");
  EXPECT_EQ(hits[0].score, kDefaultHashScore);

  IocSet headless;
  ASSERT_TRUE(headless.LoadText("h.csv", "md5," + std::string(kMd5) + ",10,x\n").ok());
  ASSERT_EQ(headless.warnings().size(), 1u);
  EXPECT_EQ(headless.warnings()[0],
            "h.csv:1: no CSV header line; reading columns as type,value,score,comment");
  EXPECT_EQ(headless.summary().counts.md5, 1u);
}

// ---- format detection ----

TEST(Format, FromTheFileName) {
  EXPECT_EQ(FormatFromFileName("hash-iocs.txt"), IocFormat::kHashList);
  EXPECT_EQ(FormatFromFileName("/opt/loki/iocs/otx-hash-iocs.txt"), IocFormat::kHashList);
  EXPECT_EQ(FormatFromFileName("MyHashes.TXT"), IocFormat::kHashList);
  EXPECT_EQ(FormatFromFileName("falsepositive-hashes.txt"), IocFormat::kTrustedHashList);
  EXPECT_EQ(FormatFromFileName("trusted-hashes.txt"), IocFormat::kTrustedHashList);
  EXPECT_EQ(FormatFromFileName("filename-iocs.txt"), IocFormat::kFilenameList);
  EXPECT_EQ(FormatFromFileName("c2-iocs.txt"), IocFormat::kNetworkList);
  EXPECT_EQ(FormatFromFileName("otx-c2-iocs.txt"), IocFormat::kNetworkList);
  EXPECT_EQ(FormatFromFileName("bad-domains.txt"), IocFormat::kNetworkList);
  EXPECT_EQ(FormatFromFileName("abc2.txt"), IocFormat::kAuto);
  EXPECT_EQ(FormatFromFileName("feed.CSV"), IocFormat::kCsv);
  EXPECT_EQ(FormatFromFileName("hashes.csv"), IocFormat::kCsv);  // the extension wins
  EXPECT_EQ(FormatFromFileName("README.md"), IocFormat::kAuto);
}

TEST(Format, SniffedFromTheFirstDataLine) {
  EXPECT_EQ(SniffFormat("type,value,score,comment"), IocFormat::kCsv);
  EXPECT_EQ(SniffFormat(std::string(kMd5) + ";80;x"), IocFormat::kHashList);
  EXPECT_EQ(SniffFormat("10.0.0.1"), IocFormat::kNetworkList);
  EXPECT_EQ(SniffFormat("10.0.0.0/8;50"), IocFormat::kNetworkList);
  EXPECT_EQ(SniffFormat("evil.example"), IocFormat::kNetworkList);
  EXPECT_EQ(SniffFormat("\\\\evil\\.exe;80"), IocFormat::kFilenameList);
  EXPECT_EQ(SniffFormat("/tmp/[a-z]+\\.sh"), IocFormat::kFilenameList);

  IocSet set;
  ASSERT_TRUE(set.LoadText("list.txt", "# header\n\n" + std::string(kSha256) + ";80;x\n").ok());
  EXPECT_EQ(set.summary().files.at(0).format, IocFormat::kHashList);
  EXPECT_EQ(set.summary().counts.sha256, 1u);
  EXPECT_EQ(set.MatchFile("/x", Digests{"", "", kSha256}).at(0).description, "x");
}

TEST(Format, AnExplicitFormatOverridesTheName) {
  IocSet set;
  ASSERT_TRUE(set.LoadText("hash-iocs.txt", "\\\\evil\\.exe\n", IocFormat::kFilenameList).ok());
  EXPECT_TRUE(set.warnings().empty());
  EXPECT_EQ(set.summary().counts.filename, 1u);
}

// ---- directories ----

TEST(LoadDirectory, LoadsNamedListsInOrderAndSkipsTheRest) {
  ScratchDir dir;
  dir.Write("b-hash-iocs.txt", std::string(kSha256) + ";80;b\n");
  dir.Write("a-hash-iocs.txt", std::string(kSha256) + ";70;a\n");
  dir.Write("filename-iocs.txt", "\\\\evil\\.exe\n");
  dir.Write("c2-iocs.txt", "evil.example\n");
  dir.Write("falsepositive-hashes.txt", std::string(kMd5) + ";our tool\n");
  dir.Write("README.md", "# IOC lists\nSome prose.\n");
  dir.Write(".hidden-hash.txt", "junk\n");
  IocSet set;
  ASSERT_TRUE(set.LoadDirectory(dir.path()).ok());
  EXPECT_TRUE(set.warnings().empty()) << set.warnings().at(0);
  IocSummary s = set.summary();
  ASSERT_EQ(s.files.size(), 5u);
  EXPECT_EQ(s.files[0].path, dir.path() + "/a-hash-iocs.txt");
  EXPECT_EQ(s.files[1].path, dir.path() + "/b-hash-iocs.txt");
  EXPECT_EQ(s.files[3].format, IocFormat::kTrustedHashList);
  ASSERT_EQ(s.skipped_files.size(), 2u);
  EXPECT_EQ(s.skipped_files[0], dir.path() + "/.hidden-hash.txt");
  EXPECT_EQ(s.skipped_files[1], dir.path() + "/README.md");
  EXPECT_EQ(s.counts.allowlist_hash, 1u);
  EXPECT_TRUE(set.IsAllowlisted("/x", Digests{kMd5, "", ""}));
  std::vector<IocHit> hits = set.MatchFile("/x", Digests{"", "", kSha256});
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].description, "a");
}

TEST(LoadDirectory, AMissingDirectoryIsAnError) {
  IocSet set;
  Status status = set.LoadDirectory("/nonexistent/beffroi/iocs");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("/nonexistent/beffroi/iocs"), std::string::npos);
}

}  // namespace
}  // namespace beffroi::ioc
