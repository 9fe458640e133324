#include "common/text.h"

#include <gtest/gtest.h>

namespace beffroi {
namespace {

TEST(Utf8, AcceptsValidAndRejectsMalformedSequences) {
  EXPECT_TRUE(IsValidUtf8("Liège — hôtel de ville"));
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_FALSE(IsValidUtf8("\xff\xfe"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xe2\x82"));       // truncated
}

TEST(Utf8, RepairReplacesEachBadByteWithReplacementCharacter) {
  EXPECT_EQ(ToValidUtf8("a\xffz"), "a\xEF\xBF\xBDz");
  EXPECT_EQ(ToValidUtf8("ok"), "ok");
  EXPECT_TRUE(IsValidUtf8(ToValidUtf8("\xe2\x82\xff\xc0")));
}

TEST(Timestamp, FormatsUtcWithMicroseconds) {
  EXPECT_EQ(FormatTimestampNs(0), "1970-01-01T00:00:00.000000Z");
  // Monday 21 June 2021, 06:00 UTC.
  EXPECT_EQ(FormatTimestampNs(1624255200LL * 1'000'000'000 + 123456789),
            "2021-06-21T06:00:00.123456Z");
}

TEST(Timestamp, DatesBeyond2262DoNotOverflow) {
  struct timespec far {};
  far.tv_sec = 10413792000;  // 2300-01-01T00:00:00Z
  EXPECT_EQ(FormatTimestamp(far), "2300-01-01T00:00:00.000000Z");
  EXPECT_EQ(TimespecToNs(far), INT64_MAX);
}

TEST(ParseDateOrAge, ParsesDatesTimesOffsetsAndAges) {
  const std::int64_t now = 1624255200LL * 1'000'000'000;
  EXPECT_EQ(ParseDateOrAge("2021-06-21", now), 1624233600LL * 1'000'000'000);
  EXPECT_EQ(ParseDateOrAge("2021-06-21T06:00:00Z", now), now);
  EXPECT_EQ(ParseDateOrAge("2021-06-21T08:00:00+02:00", now), now);
  EXPECT_EQ(ParseDateOrAge("2021-06-21T06:00:00.5Z", now), now + 500'000'000);
  EXPECT_EQ(ParseDateOrAge("7d", now), now - 7LL * 86400 * 1'000'000'000);
  EXPECT_EQ(ParseDateOrAge("12h", now), now - 12LL * 3600 * 1'000'000'000);
  EXPECT_FALSE(ParseDateOrAge("yesterday", now));
  EXPECT_FALSE(ParseDateOrAge("2021-13-01", now));
  EXPECT_FALSE(ParseDateOrAge("2021-06-21T25:00:00Z", now));
  EXPECT_FALSE(ParseDateOrAge("2021-06-21Tgarbage", now));
  EXPECT_FALSE(ParseDateOrAge("", now));
  EXPECT_FALSE(ParseDateOrAge("200000d", now));  // would overflow: refused, not wrapped
  EXPECT_FALSE(ParseDateOrAge("2300-01-01", now));
}

TEST(ParseByteSize, ParsesUnitsAndRejectsOverflow) {
  EXPECT_EQ(ParseByteSize("4096"), 4096u);
  EXPECT_EQ(ParseByteSize("64K"), 65536u);
  EXPECT_EQ(ParseByteSize("10M"), 10u << 20);
  EXPECT_EQ(ParseByteSize("2G"), 2ULL << 30);
  EXPECT_EQ(ParseByteSize("2GiB"), 2ULL << 30);
  EXPECT_EQ(ParseByteSize("1T"), 1ULL << 40);
  EXPECT_EQ(ParseByteSize("0"), 0u);
  EXPECT_FALSE(ParseByteSize("-1"));
  EXPECT_FALSE(ParseByteSize("12X"));
  EXPECT_FALSE(ParseByteSize(""));
  EXPECT_FALSE(ParseByteSize("99999999999999999999"));
  EXPECT_FALSE(ParseByteSize("99999999999T"));
}

}  // namespace
}  // namespace beffroi
