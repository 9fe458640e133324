#include "common/hash.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace beffroi {
namespace {

// Known-answer vectors: FIPS 180-4 examples (SHA-1, SHA-256) and RFC 1321 §A.5 (MD5).
TEST(MultiHasher, KnownAnswersForAbc) {
  MultiHasher h(kMd5 | kSha1 | kSha256);
  h.Update(std::string_view("abc"));
  Digests d = h.Finish();
  EXPECT_EQ(d.md5, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(d.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(d.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(MultiHasher, KnownAnswersForEmptyInput) {
  MultiHasher h(kMd5 | kSha1 | kSha256);
  Digests d = h.Finish();
  EXPECT_EQ(d.md5, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(d.sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(d.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(MultiHasher, MillionAsInUnevenChunksMatchesFips180Vector) {
  MultiHasher h(kSha256 | kSha1);
  std::string chunk(997, 'a');
  std::size_t left = 1'000'000;
  while (left > 0) {
    std::size_t n = std::min(left, chunk.size());
    h.Update(std::string_view(chunk.data(), n));
    left -= n;
  }
  Digests d = h.Finish();
  EXPECT_EQ(d.sha256, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(d.sha1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(MultiHasher, OnlyRequestedDigestsAreComputedAndFinishResets) {
  MultiHasher h(kSha256);
  h.Update(std::string_view("abc"));
  Digests first = h.Finish();
  EXPECT_TRUE(first.md5.empty());
  EXPECT_TRUE(first.sha1.empty());
  h.Update(std::string_view("abc"));
  EXPECT_EQ(h.Finish().sha256, first.sha256);
}

TEST(HashFile, HashesAFileAndReportsAMissingOne) {
  auto path = std::filesystem::temp_directory_path() / "beffroi_hash_test.bin";
  { std::ofstream(path) << "abc"; }
  auto d = HashFile(path.string(), kMd5 | kSha256);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->md5, "900150983cd24fb0d6963f7d28e17f72");
  std::filesystem::remove(path);
  auto missing = HashFile(path.string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find(path.string()), std::string::npos);
}

TEST(Hex, EncodesAndChecks) {
  const std::uint8_t bytes[] = {0x00, 0xab, 0xff};
  EXPECT_EQ(HexEncode(bytes), "00abff");
  EXPECT_TRUE(IsHex("00abFF", 6));
  EXPECT_FALSE(IsHex("00abFG", 6));
  EXPECT_FALSE(IsHex("00ab", 6));
}

}  // namespace
}  // namespace beffroi
