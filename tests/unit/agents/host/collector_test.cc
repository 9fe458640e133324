#include "agents/host/collector.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "common/bundle.h"
#include "test_tree.h"

namespace beffroi::host {
namespace {

using testing::TestTree;

std::map<std::string, Event> FileEventsByName(const std::string& bundle) {
  std::map<std::string, Event> out;
  auto r = NdjsonReader::Open(bundle + "/events.ndjson");
  EXPECT_TRUE(r.ok());
  for (;;) {
    auto ev = (*r)->Next();
    EXPECT_TRUE(ev.ok());
    if (!ev.ok() || !ev->has_value()) break;
    if ((**ev).dataset() == "beffroi.file") out[(**ev).GetString("file.name")] = **ev;
  }
  return out;
}

CollectOptions Options(const TestTree& src, const TestTree& dst) {
  CollectOptions o;
  o.roots = {src.path()};
  o.out = dst.path("bundle");
  o.host_facts = false;
  o.progress = false;
  o.threads = 3;
  o.hashes = kSha256 | kMd5;
  return o;
}

TEST(Collect, HashesEveryFileSamplesByPolicyAndWritesAVerifiableBundle) {
  TestTree src("collect_src"), dst("collect_dst");
  src.Write("scripts/wipe.ps1", "vssadmin delete shadows /all /quiet\n");
  src.Write("copy/wipe.ps1", "vssadmin delete shadows /all /quiet\n");  // same content
  src.Write("docs/budget.docx", "PK\x03\x04 word/document.xml only");
  src.Write("docs/invoice.docx", "PK\x03\x04 word/vbaProject.bin inside");
  src.Write("docs/photo.jpg", "\xff\xd8\xff\xe0 jpeg");
  src.Write("abc.txt", "abc");
  CollectOptions o = Options(src, dst);
  o.samples.recent = false;
  auto s = Collect(o);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->files_seen, 6u);
  EXPECT_EQ(s->files_hashed, 6u);
  EXPECT_EQ(s->samples_stored, 2u);  // the script once, the macro document
  EXPECT_EQ(s->samples_duplicate, 1u);

  auto files = FileEventsByName(o.out);
  ASSERT_EQ(files.size(), 5u);  // wipe.ps1 twice under one name
  EXPECT_EQ(files["abc.txt"].GetString("file.hash.sha256"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(files["abc.txt"].GetString("file.hash.md5"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(files["abc.txt"].GetString("beffroi.file.magic"), "text");
  EXPECT_EQ(files["wipe.ps1"].GetString("beffroi.sample.reason"), "script");
  EXPECT_EQ(files["invoice.docx"].GetString("beffroi.sample.reason"), "macro_document");
  EXPECT_EQ(files["budget.docx"].Find("beffroi.sample.path"), nullptr);
  EXPECT_EQ(files["photo.jpg"].Find("beffroi.sample.path"), nullptr);
  EXPECT_EQ(files["photo.jpg"].GetString("file.extension"), "jpg");
  EXPECT_EQ(files["abc.txt"].GetString("agent.type"), "beffroi-host");

  auto report = VerifyBundle(o.out);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->manifest_sha256, s->manifest_sha256);
  auto manifest = ReadManifest(o.out);
  ASSERT_TRUE(manifest.ok());
  EXPECT_EQ(manifest->files.size(), 3u);  // events + 2 samples
  EXPECT_EQ(manifest->stats["files_hashed"], 6);
  // No partial sample copies are left behind.
  for (auto& e : std::filesystem::directory_iterator(o.out + "/samples")) {
    EXPECT_EQ(e.path().filename().string().rfind(".partial", 0), std::string::npos);
  }
}

TEST(Collect, LargeFilesAreRecordedWithoutBeingRead) {
  TestTree src("collect_large_src"), dst("collect_large_dst");
  src.Write("big.bin", std::string(5000, 'x'));
  src.Write("small.bin", "x");
  CollectOptions o = Options(src, dst);
  o.max_file_size = 4096;
  auto s = Collect(o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->files_hashed, 1u);
  EXPECT_EQ(s->skipped.at("too_large"), 1u);
  auto files = FileEventsByName(o.out);
  EXPECT_EQ(files["big.bin"].GetString("beffroi.file.hash_skipped"), "too_large");
  EXPECT_EQ(files["big.bin"].GetString("file.hash.sha256"), "");
}

TEST(Collect, RefusesToWriteTheBundleInsideTheScannedTree) {
  TestTree src("collect_inside");
  CollectOptions o;
  o.roots = {src.path()};
  o.out = src.path("evidence");
  auto s = Collect(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("lies inside the scanned path"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(o.out));
}

TEST(Collect, RecentFilesAreSampledWithinTheBudget) {
  TestTree src("collect_recent_src"), dst("collect_recent_dst");
  src.Write("a.dat", std::string(600, 'a'));
  src.Write("b.dat", std::string(600, 'b'));
  CollectOptions o = Options(src, dst);
  o.samples.recent_since_ns = 1;  // everything is recent
  o.samples.budget = 1000;        // room for one of the two
  auto s = Collect(o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->samples_stored, 1u);
  EXPECT_EQ(s->sample_budget_skips, 1u);
}

}  // namespace
}  // namespace beffroi::host
