#include "common/bundle.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/fs.h"
#include "common/hash.h"

namespace beffroi {
namespace {

namespace fs = std::filesystem;

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("beffroi_bundle_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    for (auto& e : fs::recursive_directory_iterator(dir_, ec)) {
      fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
    fs::remove_all(dir_, ec);
  }

  // A bundle with two events and two samples (one offered twice).
  std::string MakeBundle() {
    auto w = BundleWriter::Create(dir_.string());
    EXPECT_TRUE(w.ok());
    EXPECT_TRUE((*w)->events().Write(Event::Make("event", "beffroi.test")).ok());
    EXPECT_TRUE((*w)->events().Write(Event::Make("event", "beffroi.test")).ok());
    for (const std::string content : {"sample one", "sample two", "sample one"}) {
      auto partial = (*w)->NewPartialSample();
      EXPECT_TRUE(partial.ok());
      EXPECT_TRUE(WriteAll(partial->fd.get(), content.data(), content.size(), "sample").ok());
      ::fchmod(partial->fd.get(), 0440);
      partial->fd = UniqueFd();
      auto stored = (*w)->CommitSample(*partial, Sha256Hex(content), content.size());
      EXPECT_TRUE(stored.ok());
      EXPECT_FALSE(fs::exists(dir_ / "samples" / partial->name));
    }
    EXPECT_EQ((*w)->samples_stored(), 2u);
    BundleInfo info;
    info.bundle_id = RandomUuid();
    info.agent_name = "beffroi-test";
    info.agent_version = "0";
    info.host_name = "fs01";
    info.started = info.ended = "2021-06-21T06:00:00.000000Z";
    auto sha = (*w)->Finish(info, {{"files", 2}});
    EXPECT_TRUE(sha.ok());
    return sha.ok() ? *sha : "";
  }

  fs::path dir_;
};

TEST_F(BundleTest, FreshBundleVerifiesAndManifestHashIsReported) {
  std::string sha = MakeBundle();
  auto report = VerifyBundle(dir_.string());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->files_checked, 3u);
  EXPECT_EQ(report->manifest_sha256, sha);
  auto m = ReadManifest(dir_.string());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->info.host_name, "fs01");
  EXPECT_EQ(m->stats["files"], 2);
  auto mode = fs::status(dir_ / "samples" / Sha256Hex("sample one")).permissions();
  EXPECT_EQ(mode & fs::perms::owner_exec, fs::perms::none);
}

TEST_F(BundleTest, TamperingIsNamedFileByFile) {
  MakeBundle();
  // One byte changed, one file removed, one added.
  {
    std::fstream f(dir_ / "events.ndjson", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(5);
    f.put('X');
  }
  fs::remove(dir_ / "samples" / Sha256Hex("sample two"));
  { std::ofstream(dir_ / "samples" / "planted") << "x"; }
  auto report = VerifyBundle(dir_.string());
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok());
  ASSERT_EQ(report->altered.size(), 1u);
  EXPECT_EQ(report->altered[0].rfind("events.ndjson: expected sha256", 0), 0u);
  ASSERT_EQ(report->missing.size(), 1u);
  EXPECT_EQ(report->missing[0], "samples/" + Sha256Hex("sample two"));
  ASSERT_EQ(report->added.size(), 1u);
  EXPECT_EQ(report->added[0], "samples/planted");
}

TEST_F(BundleTest, SymlinkPlantedInBundleIsReportedNotFollowed) {
  MakeBundle();
  fs::create_symlink("/etc/passwd", dir_ / "samples" / "link");
  auto report = VerifyBundle(dir_.string());
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->added.size(), 1u);
  EXPECT_EQ(report->added[0], "samples/link (not a regular file)");
}

TEST_F(BundleTest, MissingManifestMeansIncomplete) {
  auto w = BundleWriter::Create(dir_.string());
  ASSERT_TRUE(w.ok());
  auto report = VerifyBundle(dir_.string());
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find("manifest.json: missing"), std::string::npos);
}

TEST_F(BundleTest, CreateRefusesANonEmptyDirectory) {
  fs::create_directories(dir_);
  { std::ofstream(dir_ / "something") << "x"; }
  auto w = BundleWriter::Create(dir_.string());
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find("never overwritten"), std::string::npos);
}

TEST_F(BundleTest, AnExpectedManifestHashFromTheCustodyRecordIsChecked) {
  std::string sha = MakeBundle();
  auto good = VerifyBundle(dir_.string(), sha);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(good->ok());
  auto bad = VerifyBundle(dir_.string(), std::string(64, '0'));
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->ok());
  ASSERT_EQ(bad->errors.size(), 1u);
  EXPECT_NE(bad->errors[0].find("is not the expected"), std::string::npos);
}

TEST_F(BundleTest, DegenerateOrDeeplyNestedManifestsAreRefused) {
  MakeBundle();
  auto rewrite = [&](const std::string& text) {
    fs::permissions(dir_ / "manifest.json", fs::perms::owner_write, fs::perm_options::add);
    std::ofstream(dir_ / "manifest.json", std::ios::trunc) << text;
  };
  auto manifest = ManifestToJson(*ReadManifest(dir_.string()));
  auto empty = manifest;
  empty["files"] = nlohmann::json::array();
  rewrite(empty.dump());
  auto r1 = VerifyBundle(dir_.string());
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.error().message.find("does not list events.ndjson"), std::string::npos);

  auto misnamed = manifest;
  for (auto& f : misnamed["files"]) {
    if (f["path"].get<std::string>().rfind("samples/", 0) == 0) f["sha256"] = std::string(64, 'a');
  }
  rewrite(misnamed.dump());
  auto r2 = VerifyBundle(dir_.string());
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("is not named by its sha256"), std::string::npos);

  auto nested = manifest;
  rewrite(nested.dump().substr(0, nested.dump().size() - 1) +
          ",\"stats\":" + std::string(200000, '[') + std::string(200000, ']') + "}");
  auto r3 = VerifyBundle(dir_.string());
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.error().message.find("nested deeper than"), std::string::npos) << r3.error().message;
}

TEST_F(BundleTest, ARefusedOutputDirectoryIsOneSomeoneElseControls) {
  fs::create_directories(dir_);
  ::chmod(dir_.c_str(), 0777);  // anyone could swap samples/ for a link
  auto w = BundleWriter::Create(dir_.string());
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find("writable by others"), std::string::npos);
  ::chmod(dir_.c_str(), 0700);
  EXPECT_TRUE(BundleWriter::Create(dir_.string()).ok());
}

TEST(BundlePaths, OnlyPlainRelativePathsAreSafe) {
  EXPECT_TRUE(IsSafeBundlePath("events.ndjson"));
  EXPECT_TRUE(IsSafeBundlePath("samples/abc"));
  EXPECT_FALSE(IsSafeBundlePath(""));
  EXPECT_FALSE(IsSafeBundlePath("/etc/shadow"));
  EXPECT_FALSE(IsSafeBundlePath("../outside"));
  EXPECT_FALSE(IsSafeBundlePath("samples/../../x"));
  EXPECT_FALSE(IsSafeBundlePath("samples//x"));
  EXPECT_FALSE(IsSafeBundlePath("./x"));
  EXPECT_FALSE(IsSafeBundlePath("samples\\x"));
  EXPECT_FALSE(IsSafeBundlePath(std::string_view("a\0b", 3)));
}

TEST(ManifestFromJson, RejectsHostileOrBrokenManifestsWithAReason) {
  nlohmann::json good = {
      {"schema", "beffroi-bundle/1"},
      {"bundle_id", "x"},
      {"started", "s"},
      {"ended", "e"},
      {"agent", {{"name", "a"}, {"version", "1"}}},
      {"host", {{"name", "h"}}},
      {"files", nlohmann::json::array(
                    {{{"path", "events.ndjson"}, {"size", 1}, {"sha256", std::string(64, 'a')}}})}};
  ASSERT_TRUE(ManifestFromJson(good, "m.json").ok());

  auto bad_path = good;
  bad_path["files"][0]["path"] = "../../etc/shadow";
  auto r = ManifestFromJson(bad_path, "m.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "m.json: files[0]: unsafe path \"../../etc/shadow\"");

  auto dup = good;
  dup["files"].push_back(dup["files"][0]);
  EXPECT_FALSE(ManifestFromJson(dup, "m.json").ok());

  auto bad_hash = good;
  bad_hash["files"][0]["sha256"] = "zz";
  EXPECT_FALSE(ManifestFromJson(bad_hash, "m.json").ok());

  auto negative = good;
  negative["files"][0]["size"] = -1;
  EXPECT_FALSE(ManifestFromJson(negative, "m.json").ok());

  auto schema = good;
  schema["schema"] = "other/2";
  EXPECT_EQ(ManifestFromJson(schema, "m.json").error().code, ErrorCode::kUnsupported);
  EXPECT_FALSE(ManifestFromJson(nlohmann::json::array(), "m.json").ok());
}

TEST(RandomUuid, IsVersion4AndUnique) {
  std::string a = RandomUuid(), b = RandomUuid();
  EXPECT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace beffroi
