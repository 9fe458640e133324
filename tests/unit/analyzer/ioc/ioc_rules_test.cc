// The shipped lists in rules/ioc and rules/allowlist, a truncation sweep over every format,
// and a load of one million SHA-256 indicators.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "analyzer/ioc/ioc_set.h"
#include "common/hash.h"
#include "ioc_test_util.h"

namespace beffroi::ioc {
namespace {

using testing::ScratchDir;

const std::string kRules = std::string(BEFFROI_SOURCE_DIR) + "/rules";

TEST(ShippedRules, LoadWithoutWarnings) {
  IocSet set;
  ASSERT_TRUE(set.LoadDirectory(kRules + "/ioc").ok());
  ASSERT_TRUE(set.LoadAllowlist(kRules + "/allowlist/known-good.txt").ok());
  for (const std::string& warning : set.warnings())
    ADD_FAILURE() << warning;
  IocSummary s = set.summary();
  EXPECT_EQ(s.warnings, 0u);
  EXPECT_EQ(s.counts.md5, 2u);
  EXPECT_EQ(s.counts.sha1, 2u);
  EXPECT_EQ(s.counts.sha256, 2u);
  EXPECT_EQ(s.counts.filename, 14u);
  EXPECT_EQ(s.counts.allowlist(), 0u);  // the shipped allowlist holds commented examples only
  EXPECT_EQ(s.skipped_files, (std::vector<std::string>{kRules + "/ioc/README.md"}));
  EXPECT_TRUE(set.needs_md5());
  EXPECT_TRUE(set.needs_sha1());
}

TEST(ShippedRules, HashListFindsEicarAndTheCobaltStrikeCertificate) {
  IocSet set;
  ASSERT_TRUE(set.Load(kRules + "/ioc/hash-iocs.txt").ok());
  std::vector<IocHit> hits = set.MatchFile(
      "/tmp/eicar.com",
      Digests{"44d88612fea8a8f36de82e1278abb02f", "3395856ce81f2b7382dee72602f798b642f14140",
              "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"});
  ASSERT_EQ(hits.size(), 3u);
  for (const IocHit& hit : hits) {
    EXPECT_EQ(hit.score, 50);
    EXPECT_NE(hit.description.find("EICAR"), std::string::npos);
  }
  hits = set.MatchFile(
      "/tmp/cs.cer",
      Digests{"", "", "87f2085c32b6a2cc709b365f55873e207a9caa10bffecf2fd16d3cf9d94d390c"});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].indicator, "87f2085c32b6a2cc709b365f55873e207a9caa10bffecf2fd16d3cf9d94d390c");
  EXPECT_NE(hits[0].description.find("Cobalt Strike"), std::string::npos);
}

TEST(ShippedRules, FilenameListFlagsRansomNotesAndExtensions) {
  IocSet set;
  ASSERT_TRUE(set.Load(kRules + "/ioc/filename-iocs.txt").ok());
  const char* flagged[] = {
      "C:\\Users\\Public\\RyukReadMe.txt",
      "/srv/share/compta/RyukReadMe.html",
      "/srv/share/HOW_TO_DECRYPT.hta",
      "D:\\Data\\DECRYPT_INSTRUCTIONS.HTML",
      "/home/x/Desktop/@Please_Read_Me@.txt",
      "/srv/share/Restore-My-Files.txt",
      "/srv/share/HELP_DECRYPT_YOUR_FILES.txt",
      "/srv/share/!!!_Decrypt_Files_!!!.html",
      "/srv/share/_Locky_recover_instructions.txt",
      "/srv/share/ABCD-SORRY-FOR-FILES.html",
      "/srv/share/finance/rclone.conf",
      "/srv/share/finance/budget.xlsx.RYK",
      "/srv/share/finance/budget.xlsx.PLAY",
      "/srv/share/finance/budget.xlsx.royal",
      "/srv/share/finance/budget.xlsx.WNCRY",
  };
  for (const char* path : flagged)
    EXPECT_FALSE(set.MatchFile(path, {}).empty()) << path;
  const char* quiet[] = {
      "/home/ann/.config/rclone/rclone.conf",
      "C:\\Users\\ann\\.config\\rclone\\rclone.conf",
      "/srv/share/finance/budget.xlsx",
      "/srv/share/display.player",
      "/srv/share/ryk/notes.txt",
      "/srv/share/HOW_TO_DECRYPT/notes.txt",
  };
  for (const char* path : quiet)
    EXPECT_TRUE(set.MatchFile(path, {}).empty()) << path;
  std::vector<IocHit> hits = set.MatchFile("/share/RyukReadMe.txt", {});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].score, 85);
  EXPECT_NE(hits[0].description.find("Ryuk ransom note"), std::string::npos);
  EXPECT_TRUE(hits[0].source.ends_with("rules/ioc/filename-iocs.txt:7")) << hits[0].source;
}

// Every prefix of a sample of each format loads as every format without crashing; only the
// loader's own invariants are checked.
TEST(TruncationSweep, EveryPrefixOfEverySampleLoads) {
  const std::string sample =
      "\xEF\xBB\xBF# section\r\n"
      "0123456789abcdef0123456789abcdef;80;md5 \"quoted\", comma\n"
      "0123456789abcdef0123456789abcdef01234567;sha1 comment\n"
      "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n"
      "(?i)\\\\procdump(64)?\\.(exe|zip);50;(?i)(SysInternals\\\\)\n"
      "\\\\usbclass\\.sys;80\n"
      "suroot.com\n58.64.143.244;90\n10.0.0.0/8;20;net\n2001:db8::/32\n"
      "type,value,score,comment\n"
      "md5,\"0123456789abcdef0123456789abcdef\",70,\"multi\nline\"\n"
      "filename,\"a,b\\.txt$\",,\n"
      "ja4,t13d1516h2_8daaf6152771_b186095e22b6,20,x\n"
      "path:^/srv/backup/\n"
      "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef ok\n";
  const IocFormat formats[] = {IocFormat::kAuto,         IocFormat::kHashList,
                               IocFormat::kFilenameList, IocFormat::kNetworkList,
                               IocFormat::kCsv,          IocFormat::kTrustedHashList,
                               IocFormat::kAllowlist};
  std::size_t loads = 0;
  for (std::size_t n = 0; n <= sample.size(); ++n) {
    std::string_view prefix(sample.data(), n);
    for (IocFormat format : formats) {
      IocSet set;
      ASSERT_TRUE(set.LoadText("sample.txt", prefix, format).ok());
      IocSummary s = set.summary();
      ASSERT_EQ(s.files.size(), 1u);
      ASSERT_EQ(s.warnings, set.warnings().size());
      (void)set.MatchFile("C:\\SysInternals\\procdump64.exe",
                          Digests{"0123456789abcdef0123456789abcdef", "", ""});
      ++loads;
    }
  }
  EXPECT_EQ(loads, (sample.size() + 1) * std::size(formats));
}

// SplitMix64: a fast, deterministic stream of distinct-enough 64-bit values.
std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string RandomSha256Hex(std::uint64_t& state) {
  char text[65];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(text + 16 * i, 17, "%016llx", static_cast<unsigned long long>(SplitMix64(state)));
  }
  return std::string(text, 64);
}

long PeakRssKiB() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// Scale check, no timing assertion (shared CI machines vary): prints load time and memory.
TEST(Scale, LoadsAMillionSha256AndLooksUpAHundredThousand) {
  constexpr std::size_t kHashes = 1'000'000;
  constexpr std::size_t kLookups = 100'000;
  ScratchDir dir;
  std::string path = dir.path() + "/million-hash-iocs.txt";
  {
    std::ofstream out(path, std::ios::binary);
    std::uint64_t state = 1;
    std::string chunk;
    for (std::size_t i = 0; i < kHashes; ++i) {
      chunk += RandomSha256Hex(state);
      chunk += i % 2 == 0 ? ";80;generated\n" : "\n";
      if (chunk.size() > (1 << 20)) {
        out << chunk;
        chunk.clear();
      }
    }
    out << chunk;
    ASSERT_TRUE(out.good());
  }
  long rss_before = PeakRssKiB();
  auto start = std::chrono::steady_clock::now();
  IocSet set;
  ASSERT_TRUE(set.Load(path).ok());
  auto loaded = std::chrono::steady_clock::now();
  EXPECT_TRUE(set.warnings().empty());
  EXPECT_EQ(set.summary().counts.sha256, kHashes);

  // Half the lookups are listed hashes (every 20th generated), half are not.
  std::uint64_t listed_state = 1;
  std::uint64_t unlisted_state = 0xdeadbeef;
  std::size_t found = 0;
  for (std::size_t i = 0; i < kLookups / 2; ++i) {
    std::string listed;
    for (int skip = 0; skip < 20; ++skip)
      listed = RandomSha256Hex(listed_state);
    found += set.MatchFile("/x", Digests{"", "", listed}).size();
    found += set.MatchFile("/x", Digests{"", "", RandomSha256Hex(unlisted_state)}).size();
  }
  auto looked_up = std::chrono::steady_clock::now();
  EXPECT_EQ(found, kLookups / 2);
  using Ms = std::chrono::milliseconds;
  std::printf("[ scale    ] load %lld ms, %zu lookups %lld ms, peak RSS %ld -> %ld MiB\n",
              static_cast<long long>(std::chrono::duration_cast<Ms>(loaded - start).count()),
              kLookups,
              static_cast<long long>(std::chrono::duration_cast<Ms>(looked_up - loaded).count()),
              rss_before / 1024, PeakRssKiB() / 1024);
}

}  // namespace
}  // namespace beffroi::ioc
