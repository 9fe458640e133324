// IocSet: Loki/THOR hash and filename lists, the allowlist, matching, limits and load errors.
#include "analyzer/ioc/ioc_set.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzer/ioc/line_reader.h"
#include "analyzer/ioc/path_regex.h"
#include "ioc_test_util.h"

namespace beffroi::ioc {
namespace {

using testing::ScratchDir;

constexpr char kMd5[] = "0123456789abcdef0123456789abcdef";
constexpr char kSha1[] = "0123456789abcdef0123456789abcdef01234567";
constexpr char kSha256[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr char kOtherSha256[] = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

Digests Sha256Only(std::string hex) {
  return Digests{"", "", std::move(hex)};
}

std::vector<std::string> Warnings(const IocSet& set) {
  return set.warnings();
}

// ---- hash lists ----

TEST(HashList, ReadsThreeColumnTwoColumnAndBareLines) {
  IocSet set;
  std::string text = std::string(kSha256) + ";90;Sakula dropper; seen in 2015\n" + kSha1 +
                     ";DEEP PANDA Sakula Malware - http://goo.gl/R3e6eG\n" + kMd5 + "\n";
  ASSERT_TRUE(set.LoadText("hash-iocs.txt", text).ok());
  EXPECT_TRUE(set.warnings().empty());

  std::vector<IocHit> hits = set.MatchFile("/x", Sha256Only(kSha256));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].kind, "ioc.hash");
  EXPECT_EQ(hits[0].indicator, kSha256);
  EXPECT_EQ(hits[0].matched_field, "file.hash.sha256");
  EXPECT_EQ(hits[0].score, 90);
  EXPECT_EQ(hits[0].description, "Sakula dropper; seen in 2015");
  EXPECT_EQ(hits[0].source, "hash-iocs.txt:1");

  hits = set.MatchFile("/x", Digests{"", kSha1, ""});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].matched_field, "file.hash.sha1");
  EXPECT_EQ(hits[0].score, kDefaultHashScore);
  EXPECT_EQ(hits[0].description, "DEEP PANDA Sakula Malware - http://goo.gl/R3e6eG");
  EXPECT_EQ(hits[0].source, "hash-iocs.txt:2");

  hits = set.MatchFile("/x", Digests{kMd5, "", ""});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].matched_field, "file.hash.md5");
  EXPECT_EQ(hits[0].score, kDefaultHashScore);
  EXPECT_EQ(hits[0].description, "");
  EXPECT_EQ(hits[0].source, "hash-iocs.txt:3");

  EXPECT_TRUE(set.MatchFile("/x", Sha256Only(kOtherSha256)).empty());
}

TEST(HashList, InfersTheTypeFromTheLengthAndStoresLowerCase) {
  IocSet set;
  std::string upper_sha256 = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF";
  ASSERT_TRUE(set.LoadText("h-hash.txt", upper_sha256 + ";50;upper\n").ok());
  IocSummary summary = set.summary();
  EXPECT_EQ(summary.counts.sha256, 1u);
  EXPECT_EQ(summary.counts.md5, 0u);
  std::vector<IocHit> hits = set.MatchFile("/x", Sha256Only(kSha256));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].indicator, kSha256);  // lower case
  // A digest handed over in upper case matches too.
  EXPECT_EQ(set.MatchFile("/x", Sha256Only(upper_sha256)).size(), 1u);

  IocSet lengths;
  ASSERT_TRUE(
      lengths.LoadText("hash-iocs.txt", std::string(kMd5) + "\n" + kSha1 + "\n" + kSha256 + "\n")
          .ok());
  EXPECT_EQ(lengths.summary().counts.md5, 1u);
  EXPECT_EQ(lengths.summary().counts.sha1, 1u);
  EXPECT_EQ(lengths.summary().counts.sha256, 1u);
}

TEST(HashList, BadLinesAreWarningsWithFileAndLineAndGoodLinesLoad) {
  IocSet set;
  std::string text = std::string("# header\n") +             // 1
                     "not-a-hash;80;junk\n" +                // 2
                     kSha256 + ";80;good\n" +                // 3
                     std::string(kMd5) + "0;75;33\n" +       // 4: 33 digits
                     "0123456789abcdeg0123456789abcdef\n" +  // 5: a 'g'
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n" +  // 6
                     kMd5 + ";bad score?;comment\n";  // 7: a comment, not a score
  ASSERT_TRUE(set.LoadText("rules/ioc/hash-iocs.txt", text).ok());
  std::vector<std::string> warnings = Warnings(set);
  ASSERT_EQ(warnings.size(), 4u);
  EXPECT_EQ(warnings[0],
            "rules/ioc/hash-iocs.txt:2: not a 32, 40 or 64 digit hex hash: 'not-a-hash'");
  EXPECT_EQ(warnings[1], "rules/ioc/hash-iocs.txt:4: not a 32, 40 or 64 digit hex hash: '" +
                             std::string(kMd5) + "0'");
  EXPECT_TRUE(warnings[2].starts_with("rules/ioc/hash-iocs.txt:5: not a 32, 40 or 64"));
  EXPECT_TRUE(warnings[3].starts_with("rules/ioc/hash-iocs.txt:6: hash of empty content"));
  EXPECT_EQ(set.summary().counts.sha256, 1u);
  EXPECT_EQ(set.summary().counts.md5, 1u);
  EXPECT_EQ(set.summary().warnings, 4u);
  std::vector<IocHit> hits = set.MatchFile("/x", Digests{kMd5, "", ""});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].description, "bad score?;comment");
}

TEST(HashList, AnEmptyScoreColumnTakesTheDefault) {
  IocSet set;
  ASSERT_TRUE(set.LoadText("hash-iocs.txt", std::string(kSha256) + ";;no score given\n").ok());
  EXPECT_TRUE(set.warnings().empty());
  std::vector<IocHit> hits = set.MatchFile("/x", Sha256Only(kSha256));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].score, kDefaultHashScore);
  EXPECT_EQ(hits[0].description, "no score given");
}

TEST(HashList, OutOfRangeScoresAreClampedWithAWarning) {
  IocSet set;
  std::string text = std::string(kSha256) + ";150;too high\n" + kMd5 + ";-30;THOR down-rank\n";
  ASSERT_TRUE(set.LoadText("hashes.txt", text).ok());
  ASSERT_EQ(set.warnings().size(), 2u);
  EXPECT_EQ(set.warnings()[0], "hashes.txt:1: score 150 outside 0..100, clamped to 100");
  EXPECT_EQ(set.warnings()[1], "hashes.txt:2: score -30 outside 0..100, clamped to 0");
  EXPECT_EQ(set.MatchFile("/x", Sha256Only(kSha256)).at(0).score, 100);
  EXPECT_EQ(set.MatchFile("/x", Digests{kMd5, "", ""}).at(0).score, 0);
}

TEST(HashList, TheCommentLineAboveDescribesEntriesWithoutTheirOwnComment) {
  IocSet set;
  std::string text = std::string("# Ryuk loader\n# ------\n") + kSha256 + "\n" + kOtherSha256 +
                     ";80;own comment\n";
  ASSERT_TRUE(set.LoadText("hash-iocs.txt", text).ok());
  EXPECT_EQ(set.MatchFile("/x", Sha256Only(kSha256)).at(0).description, "Ryuk loader");
  EXPECT_EQ(set.MatchFile("/x", Sha256Only(kOtherSha256)).at(0).description, "own comment");
}

TEST(HashList, RepeatsWithinAFileCountOnceAndEachFileReportsItsOwnHit) {
  IocSet set;
  std::string line = std::string(kSha256) + ";70;first\n";
  ASSERT_TRUE(set.LoadText("a-hashes.txt", line + line + kSha256 + ";90;third\n").ok());
  ASSERT_TRUE(set.LoadText("b-hashes.txt", std::string(kSha256) + ";60;other feed\n").ok());
  IocSummary summary = set.summary();
  EXPECT_EQ(summary.counts.sha256, 2u);
  EXPECT_EQ(summary.duplicates, 2u);
  EXPECT_EQ(summary.files.at(0).counts.sha256, 1u);
  std::vector<IocHit> hits = set.MatchFile("/x", Sha256Only(kSha256));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].source, "a-hashes.txt:1");  // the first listing of the repeat is kept
  EXPECT_EQ(hits[1].source, "b-hashes.txt:1");
}

TEST(HashList, NeedsMd5AndSha1OnlyWhenSuchHashesAreLoaded) {
  IocSet set;
  EXPECT_FALSE(set.needs_md5());
  EXPECT_FALSE(set.needs_sha1());
  ASSERT_TRUE(set.LoadText("hash-iocs.txt", std::string(kSha256) + "\n").ok());
  ASSERT_TRUE(set.LoadText("filename-iocs.txt", "\\\\evil\\.exe\n").ok());
  EXPECT_FALSE(set.needs_md5());
  EXPECT_FALSE(set.needs_sha1());
  ASSERT_TRUE(set.LoadText("md5-hashes.txt", std::string(kMd5) + "\n").ok());
  EXPECT_TRUE(set.needs_md5());
  EXPECT_FALSE(set.needs_sha1());
  // An allowlisted SHA-1 needs the SHA-1 of every file as well.
  ASSERT_TRUE(
      set.LoadText("known-good.txt", std::string(kSha1) + "\n", IocFormat::kAllowlist).ok());
  EXPECT_TRUE(set.needs_sha1());
}

// ---- filename lists ----

TEST(FilenameList, ReadsTheThreeFormsWithSectionComments) {
  IocSet set;
  std::string text =
      "# Regin\n"                                                          // 1
      "\\\\usbclass\\.sys;80\n"                                            // 2
      "# Sysinternals procdump outside the Sysinternals folder\n"          // 3
      "(?i)\\\\procdump(64)?(a)?\\.(exe|zip);50;(?i)(SysInternals\\\\)\n"  // 4
      "\n"                                                                 // 5
      "\\\\mimikatz\\.exe\n";                                              // 6
  ASSERT_TRUE(set.LoadText("filename-iocs.txt", text).ok());
  EXPECT_TRUE(set.warnings().empty());
  EXPECT_EQ(set.summary().counts.filename, 3u);

  std::vector<IocHit> hits = set.MatchFile("C:\\Windows\\System32\\USBCLASS.SYS", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].kind, "ioc.filename");
  EXPECT_EQ(hits[0].indicator, "\\\\usbclass\\.sys");
  EXPECT_EQ(hits[0].matched_field, "file.path");
  EXPECT_EQ(hits[0].score, 80);
  EXPECT_EQ(hits[0].description, "Regin");
  EXPECT_EQ(hits[0].source, "filename-iocs.txt:2");

  hits = set.MatchFile("C:\\Temp\\procdump64.exe", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].score, 50);
  EXPECT_EQ(hits[0].description, "Sysinternals procdump outside the Sysinternals folder");

  hits = set.MatchFile("/home/x/mimikatz.exe", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].score, kDefaultFilenameScore);
  // Blank lines do not end a section (Loki keeps the last comment).
  EXPECT_EQ(hits[0].description, "Sysinternals procdump outside the Sysinternals folder");
}

TEST(FilenameList, FalsePositiveRegexCancelsTheHit) {
  IocSet set;
  ASSERT_TRUE(set.LoadText("filename-iocs.txt",
                           "\\\\rclone\\.conf$;60;\\\\\\.config\\\\rclone\\\\rclone\\.conf$\n")
                  .ok());
  EXPECT_EQ(set.MatchFile("/srv/share/finance/rclone.conf", {}).size(), 1u);
  EXPECT_TRUE(set.MatchFile("/home/ann/.config/rclone/rclone.conf", {}).empty());
  EXPECT_TRUE(set.MatchFile("C:\\Users\\ann\\.config\\rclone\\rclone.conf", {}).empty());
  EXPECT_EQ(set.MatchFile("C:\\Users\\Public\\rclone.conf", {}).size(), 1u);
}

TEST(FilenameList, MatchesCaseInsensitivelyAnywhereInThePathWithEitherSeparator) {
  IocSet set;
  ASSERT_TRUE(
      set.LoadText("filename-iocs.txt", "\\\\RyukReadMe\\.(txt|html?)$;85\n/tmp/[a-z]+\\.sh$\n")
          .ok());
  EXPECT_EQ(set.MatchFile("/mnt/share/ryukreadme.TXT", {}).size(), 1u);
  EXPECT_EQ(set.MatchFile("D:\\Data\\RyukReadMe.html", {}).size(), 1u);
  EXPECT_TRUE(set.MatchFile("/mnt/share/RyukReadMe.txt.bak", {}).empty());
  EXPECT_TRUE(set.MatchFile("/mnt/share/NotRyukReadMe.txt", {}).empty());
  EXPECT_EQ(set.MatchFile("C:\\tmp\\dropper.sh", {}).size(), 1u);
  EXPECT_EQ(set.MatchFile("/var/tmp/x.sh", {}).size(), 1u);
}

TEST(FilenameList, BadRegexesAndScoresAreWarningsNamingFileAndLine) {
  IocSet set;
  std::string too_long(kMaxRegexLength + 1, 'a');
  std::string text =
      "\\\\good\\.exe;70\n"         // 1
      "foo(bar;70\n"                // 2: unbalanced
      "\\\\x\\.exe;high\n"          // 3: score not an integer
      + too_long + "\n" +           // 4
      "(a)\\1\n"                    // 5: back-reference
      "((a{100}){100}){100}\n"      // 6: expands too far
      "\\\\y\\.exe;70;[unclosed\n"  // 7: bad FP regex
      ";70\n"                       // 8: empty regex
      "\\\\also_good\\.exe\n";      // 9
  ASSERT_TRUE(set.LoadText("filename-iocs.txt", text).ok());
  std::vector<std::string> w = Warnings(set);
  ASSERT_EQ(w.size(), 7u);
  EXPECT_TRUE(w[0].starts_with("filename-iocs.txt:2: bad regex: ")) << w[0];
  EXPECT_EQ(w[1], "filename-iocs.txt:3: score 'high' is not an integer; line skipped");
  EXPECT_TRUE(w[2].starts_with("filename-iocs.txt:4: regex longer than 4096 bytes")) << w[2];
  EXPECT_TRUE(w[3].starts_with("filename-iocs.txt:5: bad regex: ")) << w[3];
  EXPECT_TRUE(w[4].starts_with("filename-iocs.txt:6: regex too complex")) << w[4];
  EXPECT_TRUE(w[5].starts_with("filename-iocs.txt:7: false-positive bad regex")) << w[5];
  EXPECT_EQ(w[6], "filename-iocs.txt:8: empty regex");
  EXPECT_EQ(set.summary().counts.filename, 2u);
  EXPECT_EQ(set.MatchFile("/a/also_good.exe", {}).size(), 1u);
}

// ---- allowlist ----

TEST(Allowlist, ByHashInEveryAcceptedSpelling) {
  IocSet set;
  std::string iocs = std::string(kSha256) + ";90;bad\n" + kMd5 + ";90;bad\n" + kSha1 + "\n";
  ASSERT_TRUE(set.LoadText("hash-iocs.txt", iocs).ok());
  ASSERT_TRUE(set.MatchFile("/x", Sha256Only(kSha256)).size() == 1u);
  std::string allow = std::string("# known good\n") + "sha256:" + kSha256 + "  our tool v1\n" +
                      "MD5 " + kMd5 + ";comment\n" + kSha1 + " # bare\n";
  ASSERT_TRUE(set.LoadText("known-good.txt", allow, IocFormat::kAllowlist).ok());
  EXPECT_TRUE(set.warnings().empty()) << set.warnings().at(0);
  EXPECT_TRUE(set.IsAllowlisted("/x", Sha256Only(kSha256)));
  EXPECT_TRUE(set.IsAllowlisted("/x", Digests{kMd5, "", ""}));
  EXPECT_TRUE(set.IsAllowlisted("/x", Digests{"", kSha1, ""}));
  EXPECT_FALSE(set.IsAllowlisted("/x", Sha256Only(kOtherSha256)));
  EXPECT_TRUE(set.MatchFile("/x", Sha256Only(kSha256)).empty());
  EXPECT_EQ(set.summary().counts.allowlist_hash, 3u);
}

TEST(Allowlist, ByPathRegexBeforeReporting) {
  ScratchDir dir;
  IocSet set;
  ASSERT_TRUE(set.LoadText("filename-iocs.txt", "\\\\rclone\\.conf$;60\n").ok());
  ASSERT_TRUE(set.LoadText("hash-iocs.txt", std::string(kSha256) + "\n").ok());
  std::string path = dir.Write("known-good.txt", "path:^/srv/backup/rclone/\n");
  ASSERT_TRUE(set.LoadAllowlist(path).ok());
  EXPECT_TRUE(set.warnings().empty());
  EXPECT_TRUE(set.IsAllowlisted("/srv/backup/rclone/rclone.conf", {}));
  EXPECT_TRUE(set.MatchFile("/srv/backup/rclone/rclone.conf", Sha256Only(kSha256)).empty());
  EXPECT_EQ(set.MatchFile("/srv/share/rclone.conf", Sha256Only(kSha256)).size(), 2u);
  EXPECT_EQ(set.summary().counts.allowlist_path, 1u);
}

TEST(Allowlist, BadLinesAreWarnings) {
  IocSet set;
  std::string text = std::string("path:foo(\n") + "sha1:" + kSha256 + "\n" + "nothing\n";
  ASSERT_TRUE(set.LoadText("known-good.txt", text, IocFormat::kAllowlist).ok());
  std::vector<std::string> w = Warnings(set);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_TRUE(w[0].starts_with("known-good.txt:1: bad regex")) << w[0];
  EXPECT_EQ(w[1], "known-good.txt:2: not a 40 digit hex SHA-1: '" + std::string(kSha256) + "'");
  EXPECT_EQ(w[2], "known-good.txt:3: not a 32, 40 or 64 digit hex hash, nor path:REGEX: 'nothing'");
}

// ---- files, limits ----

TEST(Load, MissingOrNonRegularFileIsAnError) {
  ScratchDir dir;
  IocSet set;
  Status missing = set.Load(dir.path() + "/hash-iocs.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("hash-iocs.txt"), std::string::npos);
  EXPECT_FALSE(set.Load(dir.path()).ok());
  EXPECT_FALSE(set.LoadAllowlist(dir.path() + "/none.txt").ok());
}

TEST(Load, ReadsAFileWithCrlfAndAByteOrderMark) {
  ScratchDir dir;
  IocSet set;
  std::string path =
      dir.Write("hash-iocs.txt", "\xEF\xBB\xBF" + std::string(kSha256) + ";80;crlf\r\n" + kMd5);
  ASSERT_TRUE(set.Load(path).ok());
  EXPECT_TRUE(set.warnings().empty());
  std::vector<IocHit> hits = set.MatchFile("/x", Sha256Only(kSha256));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].description, "crlf");
  EXPECT_EQ(hits[0].source, path + ":1");
  EXPECT_EQ(set.summary().counts.md5, 1u);  // last line without a newline
}

TEST(Load, ALineOverTheLimitIsSkippedAndTheFileGoesOn) {
  ScratchDir dir;
  IocSet set;
  std::string huge(kMaxLineLength * 3, 'a');
  std::string path =
      dir.Write("hash-iocs.txt", std::string(kMd5) + "\n" + huge + "\n" + kSha256 + "\n" + huge);
  ASSERT_TRUE(set.Load(path).ok());
  ASSERT_EQ(set.warnings().size(), 2u);
  EXPECT_EQ(set.warnings()[0], path + ":2: line longer than 65536 bytes skipped");
  EXPECT_EQ(set.warnings()[1], path + ":4: line longer than 65536 bytes skipped");
  EXPECT_EQ(set.summary().counts.md5, 1u);
  EXPECT_EQ(set.summary().counts.sha256, 1u);
}

TEST(Load, StopsAFileAtTheEntryLimitWithAWarning) {
  IocSet set(IocLimits{3});
  std::string text;
  for (char c : std::string("12345"))
    text += std::string(63, '0') + c + "\n";
  ASSERT_TRUE(set.LoadText("hash-iocs.txt", text).ok());
  ASSERT_TRUE(set.LoadText("more-hashes.txt", std::string(kSha256) + "\n").ok());
  IocSummary summary = set.summary();
  EXPECT_EQ(summary.counts.sha256, 4u);
  ASSERT_EQ(summary.files.size(), 2u);
  EXPECT_TRUE(summary.files[0].truncated);
  EXPECT_FALSE(summary.files[1].truncated);
  ASSERT_EQ(set.warnings().size(), 1u);
  EXPECT_EQ(set.warnings()[0],
            "hash-iocs.txt:4: more than 3 entries; the rest of the file is ignored");
}

TEST(Load, KeepsAtMostAThousandWarningsPerFileButCountsThemAll) {
  IocSet set;
  std::string text;
  for (int i = 0; i < 1500; ++i)
    text += "junk\n";
  ASSERT_TRUE(set.LoadText("hash-iocs.txt", text).ok());
  EXPECT_EQ(set.warnings().size(), kMaxStoredWarningsPerFile);
  EXPECT_EQ(set.summary().warnings, 1500u);
  EXPECT_EQ(set.summary().files.at(0).warnings, 1500u);
}

TEST(Summary, CountsPerTypePerFileAndWarnings) {
  IocSet set;
  ASSERT_TRUE(set.LoadText("hash-iocs.txt", std::string(kMd5) + "\n" + kSha256 + "\nbad\n").ok());
  ASSERT_TRUE(set.LoadText("filename-iocs.txt", "\\\\a\\.exe\n\\\\b\\.exe\n").ok());
  ASSERT_TRUE(set.LoadText("c2-iocs.txt", "evil.example\n10.1.2.3\n").ok());
  IocSummary s = set.summary();
  EXPECT_EQ(s.counts.md5, 1u);
  EXPECT_EQ(s.counts.sha256, 1u);
  EXPECT_EQ(s.counts.filename, 2u);
  EXPECT_EQ(s.counts.domain, 1u);
  EXPECT_EQ(s.counts.ip, 1u);
  EXPECT_EQ(s.counts.total(), 6u);
  EXPECT_EQ(s.warnings, 1u);
  ASSERT_EQ(s.files.size(), 3u);
  EXPECT_EQ(s.files[0].path, "hash-iocs.txt");
  EXPECT_EQ(s.files[0].format, IocFormat::kHashList);
  EXPECT_EQ(s.files[0].counts.hashes(), 2u);
  EXPECT_EQ(s.files[0].warnings, 1u);
  EXPECT_EQ(s.files[1].format, IocFormat::kFilenameList);
  EXPECT_EQ(s.files[2].format, IocFormat::kNetworkList);
  EXPECT_EQ(s.files[2].counts.network(), 2u);
}

TEST(MatchFile, HashAndFilenameHitsTogetherAndLongPathsByHashOnly) {
  IocSet set;
  ASSERT_TRUE(set.LoadText("hash-iocs.txt", std::string(kSha256) + "\n").ok());
  ASSERT_TRUE(set.LoadText("filename-iocs.txt", "evil\n").ok());
  std::vector<IocHit> hits = set.MatchFile("/tmp/evil.bin", Sha256Only(kSha256));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].kind, "ioc.hash");
  EXPECT_EQ(hits[1].kind, "ioc.filename");
  std::string long_path = "/" + std::string(kMaxMatchedPathLength, 'a') + "/evil";
  hits = set.MatchFile(long_path, Sha256Only(kSha256));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].kind, "ioc.hash");
  // Malformed digests from a caller are ignored, not trusted.
  EXPECT_TRUE(set.MatchFile("/x", Sha256Only("zz")).empty());
}

}  // namespace
}  // namespace beffroi::ioc
