#include "common/byte_reader.h"

#include <gtest/gtest.h>

namespace beffroi {
namespace {

TEST(ByteReader, ReadsBigAndLittleEndianIntegers) {
  const std::uint8_t bytes[] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc};
  ByteReader r(bytes, sizeof bytes);
  std::uint16_t be = 0;
  std::uint32_t le = 0;
  ASSERT_TRUE(r.ReadU16Be(be));
  EXPECT_EQ(be, 0x1234);
  ASSERT_TRUE(r.ReadU32Le(le));
  EXPECT_EQ(le, 0xbc9a7856u);
  EXPECT_TRUE(r.empty());
}

TEST(ByteReader, FailedReadLeavesPositionUnchanged) {
  const std::uint8_t bytes[] = {1, 2, 3};
  ByteReader r(bytes, sizeof bytes);
  std::uint32_t v = 0;
  ASSERT_TRUE(r.Skip(1));
  EXPECT_FALSE(r.ReadU32Be(v));
  EXPECT_EQ(r.position(), 1u);
  EXPECT_FALSE(r.Skip(3));
  EXPECT_EQ(r.position(), 1u);
  EXPECT_FALSE(r.Seek(4));
}

TEST(ByteReader, SubReaderIsLimitedToItsField) {
  const std::uint8_t bytes[] = {2, 'h', 'i', 'x'};
  ByteReader r(bytes, sizeof bytes);
  std::uint8_t len = 0;
  ASSERT_TRUE(r.ReadU8(len));
  ByteReader field;
  ASSERT_TRUE(r.Sub(len, field));
  std::string_view s;
  EXPECT_FALSE(field.ReadString(3, s));
  ASSERT_TRUE(field.ReadString(2, s));
  EXPECT_EQ(s, "hi");
  EXPECT_EQ(r.remaining(), 1u);
  ByteReader too_long;
  EXPECT_FALSE(r.Sub(2, too_long));
}

TEST(ByteReader, TruncationSweepNeverReadsPastTheEnd) {
  const std::uint8_t bytes[] = {0, 4, 'a', 'b', 'c', 'd', 0xff, 0xff, 0xff, 0xff};
  for (std::size_t n = 0; n <= sizeof bytes; ++n) {
    ByteReader r(bytes, n);
    std::uint16_t len = 0;
    ByteReader sub;
    std::uint32_t tail = 0;
    bool ok = r.ReadU16Be(len) && r.Sub(len, sub) && r.ReadU32Be(tail);
    EXPECT_EQ(ok, n == sizeof bytes) << "prefix " << n;
  }
}

}  // namespace
}  // namespace beffroi
