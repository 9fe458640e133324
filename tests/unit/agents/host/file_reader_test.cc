#include "agents/host/file_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "test_tree.h"

namespace beffroi::host {
namespace {

using testing::TestTree;

WalkItem Listed(const std::string& path) {
  WalkItem item{path, {}};
  EXPECT_EQ(::lstat(path.c_str(), &item.st), 0);
  return item;
}

TEST(ReadEvidenceFile, ReadsEveryByteOnceAndLeavesTimesAlone) {
  TestTree t("reader_ok");
  std::string content(700'000, 'z');
  std::string p = t.Write("f.bin", content);
  struct timespec times[2] = {{1600000000, 0}, {1600000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, p.c_str(), times, 0), 0);
  WalkItem item = Listed(p);
  std::vector<std::uint8_t> buffer(4096);
  std::string seen;
  ReadOutcome out = ReadEvidenceFile(
      item, buffer,
      [&](std::span<const std::uint8_t> c) {
        seen.append(reinterpret_cast<const char*>(c.data()), c.size());
      },
      nullptr);
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_EQ(seen, content);
  struct stat after {};
  ASSERT_EQ(::lstat(p.c_str(), &after), 0);
  EXPECT_EQ(after.st_atim.tv_sec, 1600000000);  // O_NOATIME: we own the file
  EXPECT_EQ(after.st_mtim.tv_sec, 1600000000);
}

TEST(ReadEvidenceFile, AFileGrowingDuringTheReadIsReported) {
  TestTree t("reader_changed");
  std::string p = t.Write("log.txt", std::string(100'000, 'a'));
  WalkItem item = Listed(p);
  std::vector<std::uint8_t> buffer(4096);
  bool appended = false;
  ReadOutcome out = ReadEvidenceFile(
      item, buffer,
      [&](std::span<const std::uint8_t>) {
        if (!appended) {
          std::ofstream(p, std::ios::app) << "more";
          appended = true;
        }
      },
      nullptr);
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.anomaly, "file.changed_during_read");
  EXPECT_NE(out.message.find(p), std::string::npos);
}

TEST(ReadEvidenceFile, AFileThatVanishedIsReported) {
  TestTree t("reader_vanished");
  std::string p = t.Write("gone.txt", "x");
  WalkItem item = Listed(p);
  ASSERT_EQ(::unlink(p.c_str()), 0);
  std::vector<std::uint8_t> buffer(4096);
  ReadOutcome out = ReadEvidenceFile(
      item, buffer, [](std::span<const std::uint8_t>) {}, nullptr);
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.anomaly, "file.vanished");
}

TEST(ReadEvidenceFile, AFileReplacedBetweenListingAndOpeningIsNotRead) {
  TestTree t("reader_replaced");
  std::string p = t.Write("doc.txt", "original");
  WalkItem item = Listed(p);
  ASSERT_EQ(::unlink(p.c_str()), 0);
  t.Write("keep-inode-busy.txt", "x");
  t.Write("doc.txt", "replacement");
  struct stat now {};
  ASSERT_EQ(::lstat(p.c_str(), &now), 0);
  if (now.st_ino == item.st.st_ino) GTEST_SKIP() << "file system reused the inode";
  std::vector<std::uint8_t> buffer(4096);
  bool consumed = false;
  ReadOutcome out = ReadEvidenceFile(
      item, buffer, [&](std::span<const std::uint8_t>) { consumed = true; }, nullptr);
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.anomaly, "file.replaced");
  EXPECT_FALSE(consumed);
}

TEST(ReadEvidenceFile, ASymlinkSwappedInIsNotFollowed) {
  TestTree t("reader_symlink");
  std::string p = t.Write("doc.txt", "original");
  WalkItem item = Listed(p);
  ASSERT_EQ(::unlink(p.c_str()), 0);
  ASSERT_EQ(::symlink("/etc/hostname", p.c_str()), 0);
  std::vector<std::uint8_t> buffer(4096);
  ReadOutcome out = ReadEvidenceFile(
      item, buffer, [](std::span<const std::uint8_t>) {}, nullptr);
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.anomaly, "file.replaced");
}

TEST(LooksSparse, FlagsHolesOnlyInLargeFiles) {
  TestTree t("reader_sparse");
  std::string p = t.path("sparse.img");
  int fd = ::open(p.c_str(), O_CREAT | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 1LL << 30), 0);
  ::close(fd);
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_TRUE(LooksSparse(st));
  std::string small = t.Write("small.txt", "x");
  ASSERT_EQ(::stat(small.c_str(), &st), 0);
  EXPECT_FALSE(LooksSparse(st));
}

}  // namespace
}  // namespace beffroi::host
