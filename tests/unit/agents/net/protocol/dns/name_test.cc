#include "agents/net/protocol/dns/name.h"

#include <gtest/gtest.h>

#include <string>

#include "agents/net/protocol/dns/message.h"
#include "dns_fixtures.h"

namespace beffroi::net::dns {
namespace {

using testing::Hex;
using testing::RecordingSink;

// A query whose question name is given as hex.
std::vector<std::uint8_t> QueryFor(const std::string& name_hex) {
  return Hex("0001 0100 0001 0000 0000 0000" + name_hex + "0001 0001");
}

std::string Label(std::size_t length, char fill = 'a') {
  char buf[4];
  std::snprintf(buf, sizeof buf, "%02zx", length);
  std::string hex = buf;
  std::snprintf(buf, sizeof buf, "%02x", fill);
  for (std::size_t i = 0; i < length; ++i)
    hex += buf;
  return hex;
}

TEST(DnsName, EscapesOctetsOutsidePrintableAsciiAndDotsInLabels) {
  // One label "a.b c\xff\\" then "com".
  const auto bytes = QueryFor("08 612e622063ff5c 2d 03 636f6d 00");
  Message m;
  RecordingSink sink;
  ASSERT_TRUE(Parse(bytes, m, sink));
  EXPECT_EQ(m.questions[0].name, "a\\046b\\032c\\255\\092-.com");
}

TEST(DnsName, RootIsADot) {
  Message m;
  RecordingSink sink;
  ASSERT_TRUE(Parse(QueryFor("00"), m, sink));
  EXPECT_EQ(m.questions[0].name, ".");
}

TEST(DnsName, KeepsCaseAndLowersOnRequest) {
  Message m;
  RecordingSink sink;
  ASSERT_TRUE(Parse(QueryFor("03 577757 07 4558616d706c65 03 434f4d 00"), m, sink));
  EXPECT_EQ(m.questions[0].name, "WwW.EXample.COM");
  EXPECT_EQ(LowerName(m.questions[0].name), "www.example.com");
  EXPECT_EQ(LowerName("A\\255B"), "a\\255b");
}

TEST(DnsName, AcceptsNameOf255OctetsRejects256) {
  // 3 labels of 63 + one of 61: 3*64 + 62 + 1 (root) = 255 octets on the wire.
  const std::string n255 = Label(63) + Label(63) + Label(63) + Label(61) + "00";
  Message m;
  RecordingSink sink;
  ASSERT_TRUE(Parse(QueryFor(n255), m, sink));
  EXPECT_EQ(m.questions[0].name.size(), 63u * 3 + 61 + 3);
  EXPECT_TRUE(sink.names.empty());

  const std::string n256 = Label(63) + Label(63) + Label(63) + Label(62) + "00";
  EXPECT_FALSE(Parse(QueryFor(n256), m, sink));
  EXPECT_EQ(sink.names, std::vector<std::string>{"dns.name_too_long"});
}

TEST(DnsName, LongestNameFullyEscapedFitsTheBuffer) {
  // Every octet needs a 4-octet escape: the text form's worst case.
  const std::string n255 =
      Label(63, '\x01') + Label(63, '\x01') + Label(63, '\x01') + Label(61, '\x01') + "00";
  Message m;
  RecordingSink sink;
  ASSERT_TRUE(Parse(QueryFor(n255), m, sink));
  EXPECT_EQ(m.questions[0].name.size(), 4u * (63 * 3 + 61) + 3);
}

TEST(DnsName, AcceptsLabelOf63RejectsLengthOctet64) {
  Message m;
  RecordingSink sink;
  ASSERT_TRUE(Parse(QueryFor(Label(63) + "00"), m, sink));
  EXPECT_EQ(m.questions[0].name, std::string(63, 'a'));
  // 0x40 reads as length 64 or as the retired extended label type 01.
  EXPECT_FALSE(Parse(QueryFor(Label(64) + "00"), m, sink));
  EXPECT_EQ(sink.names, std::vector<std::string>{"dns.label_too_long"});
}

TEST(DnsName, RejectsLabelType80) {
  Message m;
  RecordingSink sink;
  EXPECT_FALSE(Parse(QueryFor("80 00"), m, sink));
  EXPECT_EQ(sink.names, std::vector<std::string>{"dns.label_type_unknown"});
}

TEST(DnsName, ReadNameLeavesReaderAfterFirstPointer) {
  // @0 "a" root; @3 "b" + pointer to @0; then a marker octet.
  const auto bytes = Hex("01 61 00 01 62 c000 ee");
  ByteReader r(bytes);
  ASSERT_TRUE(r.Seek(3));
  NameBuffer nb;
  RecordingSink sink;
  ASSERT_EQ(ReadName(r, nb, sink), NameStatus::kOk);
  EXPECT_EQ(nb.view(), "b.a");
  EXPECT_EQ(nb.wire_length, 5u);
  EXPECT_EQ(r.position(), 7u);
}

TEST(DnsName, FailedReadLeavesReaderUnchanged) {
  const auto bytes = Hex("03 6162");  // label of 3, two octets present
  ByteReader r(bytes);
  NameBuffer nb;
  RecordingSink sink;
  EXPECT_EQ(ReadName(r, nb, sink), NameStatus::kTruncated);
  EXPECT_EQ(r.position(), 0u);
  EXPECT_TRUE(sink.names.empty());
}

}  // namespace
}  // namespace beffroi::net::dns
