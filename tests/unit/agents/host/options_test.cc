#include "agents/host/options.h"

#include <gtest/gtest.h>

namespace beffroi::host {
namespace {

TEST(WalkFlags, ConvertsAndNormalises) {
  WalkFlags f;
  f.only_ext = {"EXE,dll", ".ps1"};
  f.max_file_size = "64M";
  f.since = "2021-06-18";
  f.max_cpu = 20;
  CollectOptions o;
  ASSERT_TRUE(ApplyWalkFlags(f, o).ok());
  EXPECT_EQ(o.scope.only_extensions, (std::vector<std::string>{".exe", ".dll", ".ps1"}));
  EXPECT_EQ(o.max_file_size, 64u << 20);
  ASSERT_TRUE(o.scope.since_ns.has_value());
  EXPECT_EQ(*o.scope.since_ns, 1623974400LL * 1'000'000'000);
  EXPECT_EQ(o.max_cpu_percent, 20);
}

TEST(WalkFlags, ErrorsNameTheFlag) {
  CollectOptions o;
  WalkFlags bad_size;
  bad_size.max_file_size = "huge";
  EXPECT_EQ(ApplyWalkFlags(bad_size, o).error().message.rfind("--max-file-size:", 0), 0u);
  WalkFlags bad_since;
  bad_since.since = "last tuesday";
  EXPECT_EQ(ApplyWalkFlags(bad_since, o).error().message.rfind("--since:", 0), 0u);
  WalkFlags bad_cpu;
  bad_cpu.max_cpu = 150;
  EXPECT_EQ(ApplyWalkFlags(bad_cpu, o).error().message.rfind("--max-cpu:", 0), 0u);
}

TEST(SampleFlags, TypesRecentAndPatterns) {
  SampleFlags f;
  f.types = "script,note";
  f.recent = "off";
  f.ext = {"kdbx"};
  CollectOptions o;
  ASSERT_TRUE(ApplySampleFlags(f, o).ok());
  EXPECT_TRUE(o.samples.scripts);
  EXPECT_TRUE(o.samples.ransom_notes);
  EXPECT_FALSE(o.samples.executables);
  EXPECT_FALSE(o.samples.recent);
  EXPECT_EQ(o.samples.extra_extensions, std::vector<std::string>{".kdbx"});
  SampleFlags bad;
  bad.types = "everything";
  EXPECT_FALSE(ApplySampleFlags(bad, o).ok());
  SampleFlags bad_re;
  bad_re.name = {"[oops"};
  EXPECT_FALSE(ApplySampleFlags(bad_re, o).ok());
}

TEST(ParseHashList, AlwaysIncludesSha256) {
  EXPECT_EQ(*ParseHashList("md5"), kMd5 | kSha256);
  EXPECT_EQ(*ParseHashList("sha256,SHA1,md5"), kMd5 | kSha1 | kSha256);
  EXPECT_FALSE(ParseHashList("crc32").ok());
}

}  // namespace
}  // namespace beffroi::host
