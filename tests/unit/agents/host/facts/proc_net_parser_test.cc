// Known-answer tests for ParseProcNetLine and ParseProcNet. The vectors are x86-64 procfs text,
// so they are parsed with std::endian::little whatever the build host.
#include <gtest/gtest.h>

#include <bit>

#include "agents/host/facts/parsers.h"
#include "fixtures.h"

namespace beffroi::host::facts {
namespace {

constexpr std::endian kX86 = std::endian::little;

TEST(ParseProcNet, Ipv4Table) {
  ProcNetTable t = ParseProcNet(testing::kProcNetTcp, kX86);
  ASSERT_EQ(t.sockets.size(), 3u);
  EXPECT_EQ(t.unparsed, 1u);  // "3: garbage"; the header is not counted

  // "0100007F:0035": the u32 0x0100007F in little-endian memory is 7F 00 00 01.
  EXPECT_FALSE(t.sockets[0].ipv6);
  EXPECT_EQ(t.sockets[0].local_ip, "127.0.0.1");
  EXPECT_EQ(t.sockets[0].local_port, 53);
  EXPECT_EQ(t.sockets[0].remote_ip, "0.0.0.0");
  EXPECT_EQ(t.sockets[0].state, kTcpStateListen);
  EXPECT_EQ(t.sockets[0].uid, 101u);
  EXPECT_EQ(t.sockets[0].inode, 20001u);

  EXPECT_EQ(t.sockets[1].local_ip, "0.0.0.0");
  EXPECT_EQ(t.sockets[1].local_port, 22);

  // "0F02000A:0016 0202000A:C350 01": 10.0.2.15:22 established with 10.0.2.2:50000.
  EXPECT_EQ(t.sockets[2].local_ip, "10.0.2.15");
  EXPECT_EQ(t.sockets[2].remote_ip, "10.0.2.2");
  EXPECT_EQ(t.sockets[2].remote_port, 50000);
  EXPECT_EQ(t.sockets[2].state, 0x01);
}

TEST(ParseProcNet, Ipv6TableConvertsEachWord) {
  ProcNetTable t = ParseProcNet(testing::kProcNetTcp6, kX86);
  ASSERT_EQ(t.sockets.size(), 4u);
  EXPECT_EQ(t.unparsed, 0u);
  // Word 4 "01000000" is the bytes 00 00 00 01: ::1.
  EXPECT_TRUE(t.sockets[0].ipv6);
  EXPECT_EQ(t.sockets[0].local_ip, "::1");
  EXPECT_EQ(t.sockets[0].local_port, 631);
  EXPECT_EQ(t.sockets[1].local_ip, "::");
  EXPECT_EQ(t.sockets[1].local_port, 8080);
  EXPECT_EQ(t.sockets[1].uid, 1000u);
  EXPECT_EQ(t.sockets[2].local_ip, "::ffff:127.0.0.1");
  // "B80D0120..." is 20 01 0d b8 in memory: 2001:db8::1.
  EXPECT_EQ(t.sockets[3].local_ip, "2001:db8::1");
  EXPECT_EQ(t.sockets[3].local_port, 443);
  EXPECT_EQ(t.sockets[3].remote_ip, "2001:db8::2");
  EXPECT_EQ(t.sockets[3].remote_port, 50001);
}

TEST(ParseProcNet, UdpStates) {
  ProcNetTable t = ParseProcNet(testing::kProcNetUdp, kX86);
  ASSERT_EQ(t.sockets.size(), 3u);
  EXPECT_EQ(t.sockets[0].local_ip, "127.0.0.53");
  EXPECT_EQ(t.sockets[0].state, kTcpStateClose);
  EXPECT_EQ(t.sockets[1].local_port, 68);
  EXPECT_EQ(t.sockets[2].remote_ip, "8.8.8.8");
  EXPECT_EQ(t.sockets[2].state, 0x01);
}

TEST(ParseProcNetLine, BigEndianHostsPrintNetworkOrder) {
  auto s = ParseProcNetLine(
      "0: 7F000001:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 7",
      std::endian::big);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->local_ip, "127.0.0.1");
  EXPECT_EQ(s->inode, 7u);
}

TEST(ParseProcNetLine, RejectsMalformedLines) {
  constexpr std::string_view kTail = " 0A 00000000:00000000 00:00000000 00000000 0 0 7";
  auto parse = [&](std::string head) { return ParseProcNetLine(head + std::string(kTail), kX86); };
  EXPECT_TRUE(parse("0: 0100007F:0035 00000000:0000").has_value());
  EXPECT_FALSE(parse("0 0100007F:0035 00000000:0000"));                       // slot without ':'
  EXPECT_FALSE(parse("0: 0100007F0035 00000000:0000"));                       // no port separator
  EXPECT_FALSE(parse("0: 0100007:0035 00000000:0000"));                       // 7 hex digits
  EXPECT_FALSE(parse("0: 0100007F:035 00000000:0000"));                       // 3-digit port
  EXPECT_FALSE(parse("0: 0100007G:0035 00000000:0000"));                      // not hex
  EXPECT_FALSE(parse("0: -100007F:0035 00000000:0000"));                      // sign
  EXPECT_FALSE(parse("0: 0100007F:0035 " + std::string(32, '0') + ":0000"));  // mixed families
  EXPECT_FALSE(ParseProcNetLine("0: 0100007F:0035 00000000:0000 0A", kX86));  // truncated
}

}  // namespace
}  // namespace beffroi::host::facts
