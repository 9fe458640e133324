#include "agents/host/walker.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>

#include "test_tree.h"

namespace beffroi::host {
namespace {

using testing::TestTree;

struct Recorder : WalkSink {
  std::vector<std::string> files, symlinks;
  std::map<std::string, int> skipped, anomalies;
  int directories = 0;
  void OnFile(WalkItem item) override { files.push_back(item.path); }
  void OnSymlink(const std::string& path, const struct stat&) override { symlinks.push_back(path); }
  void OnSkip(std::string_view reason) override { ++skipped[std::string(reason)]; }
  void OnAnomaly(Event e) override { ++anomalies[e.GetString("beffroi.anomaly.name")]; }
  void OnDirectory() override { ++directories; }
};

TEST(Walker, VisitsFilesInNameOrderAndNeverFollowsLinksOrOpensFifos) {
  TestTree t("walker_order");
  t.Write("b/2.txt", "2");
  t.Write("b/1.txt", "1");
  t.Write("a.txt", "a");
  std::filesystem::create_directory_symlink("..", t.path("b/up"));   // a loop if followed
  std::filesystem::create_symlink("/etc/passwd", t.path("passwd"));  // outside the scope
  ASSERT_EQ(::mkfifo(t.path("fifo").c_str(), 0600), 0);
  Recorder r;
  Walker(ScopeOptions{}).Walk({t.path()}, r);
  EXPECT_EQ(r.files,
            (std::vector<std::string>{t.path("a.txt"), t.path("b/1.txt"), t.path("b/2.txt")}));
  EXPECT_EQ(r.symlinks.size(), 2u);
  EXPECT_EQ(r.skipped["not_regular"], 1);
  EXPECT_EQ(r.directories, 2);
  EXPECT_TRUE(r.anomalies.empty());
}

TEST(Walker, AppliesExcludeExtensionAndSinceFilters) {
  TestTree t("walker_filters");
  t.Write("keep/report.PDF", "x");
  t.Write("keep/notes.txt", "x");
  t.Write("cache/big.pdf", "x");
  t.Write("old.pdf", "x");
  struct timespec old_times[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, t.path("old.pdf").c_str(), old_times, 0), 0);
  ScopeOptions scope;
  scope.excludes = {"cache"};
  scope.only_extensions = {".pdf"};
  // mtime is old but ctime is now (utimensat changed it): ctime keeps the file in scope,
  // which is what catches timestomping.
  scope.since_ns = 1500000000LL * 1'000'000'000;
  Recorder r;
  Walker(scope).Walk({t.path()}, r);
  // Files of a directory come before the contents of its subdirectories.
  EXPECT_EQ(r.files, (std::vector<std::string>{t.path("old.pdf"), t.path("keep/report.PDF")}));
  EXPECT_EQ(r.skipped["excluded"], 1);
  EXPECT_EQ(r.skipped["extension"], 1);
}

TEST(Walker, MissingRootAndUnreadableDirectoryAreAnomaliesAndTheWalkGoesOn) {
  TestTree t("walker_errors");
  t.Write("locked/secret.txt", "x");
  t.Write("open/file.txt", "x");
  ::chmod(t.path("locked").c_str(), 0);
  Recorder r;
  Walker(ScopeOptions{}).Walk({t.path("nope"), t.path()}, r);
  EXPECT_EQ(r.anomalies["root.not_found"], 1);
  if (::geteuid() != 0) {  // root reads through mode 000; the e2e test covers it as nobody
    EXPECT_EQ(r.anomalies["dir.permission_denied"], 1);
  }
  EXPECT_NE(std::find(r.files.begin(), r.files.end(), t.path("open/file.txt")), r.files.end());
}

TEST(Walker, ARootThatIsAFileIsCollected) {
  TestTree t("walker_file_root");
  std::string f = t.Write("one.txt", "1");
  Recorder r;
  Walker(ScopeOptions{}).Walk({f}, r);
  EXPECT_EQ(r.files, std::vector<std::string>{f});
}

TEST(Walker, EachDirectoryIsEnteredOnceEvenWhenNamedTwice) {
  TestTree t("walker_twice");
  t.Write("d/f.txt", "x");
  Recorder r;
  Walker(ScopeOptions{}).Walk({t.path(), t.path("d")}, r);
  EXPECT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.anomalies["dir.loop"], 1);
}

TEST(ScopeHelpers, ExtensionsAndExcludes) {
  EXPECT_EQ(LowerExtension("Report.PDF"), ".pdf");
  EXPECT_EQ(LowerExtension(".bashrc"), "");
  EXPECT_EQ(LowerExtension("noext"), "");
  EXPECT_EQ(LowerExtension("trailing."), "");
  EXPECT_EQ(BaseName("/a/b/c.txt"), "c.txt");
  EXPECT_EQ(BaseName("/"), "/");
  ScopeOptions s;
  s.excludes = {"*.tmp", "/srv/backup/*"};
  EXPECT_TRUE(IsExcluded(s, "/home/x/file.TMP") == false);  // globs are case-sensitive
  EXPECT_TRUE(IsExcluded(s, "/home/x/file.tmp"));
  EXPECT_TRUE(IsExcluded(s, "/srv/backup/2021/x"));
  EXPECT_FALSE(IsExcluded(s, "/srv/shares/x"));
}

}  // namespace
}  // namespace beffroi::host
