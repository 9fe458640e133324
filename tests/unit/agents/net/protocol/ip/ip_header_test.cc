#include "agents/net/protocol/ip/ip_header.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/agents/net/protocol/ip/test_util.h"

namespace beffroi::net::ip {
namespace {

using fixtures::Hex;
using fixtures::RecordingSink;

constexpr std::uint8_t kMaxExt = kMaxIpv6ExtensionHeaders;

const std::string kV6Addresses =
    "20010db8000000000000000000000001"   // src 2001:db8::1
    "20010db8000000000000000000000002";  // dst 2001:db8::2

std::vector<std::uint8_t> Ipv4WithOptions() {
  return Hex(
      "46"                  // version 4, IHL 6 (24 bytes)
      "00 0020"             // TOS, total length 32
      "1234 0000"           // id, no flags, offset 0
      "40 06 0000"          // TTL 64, TCP, checksum (not verified)
      "c0a80001 c0a80002"   // 192.168.0.1 > 192.168.0.2
      "01010100"            // options: NOP NOP NOP EOL
      "0102030405060708");  // 8 bytes of payload
}

std::vector<std::uint8_t> Ipv6WithExtensions() {
  return Hex("60000000 0020 00 40" + kV6Addresses +  // payload 32, next HBH, hop limit 64
             "3c 00 0104 00000000"                   // hop-by-hop: next dest-opts, len 0, PadN 4
             "2c 00 0104 00000000"                   // destination options: next fragment, PadN 4
             "11 00 0001 deadbeef"    // fragment: next UDP, offset 0, M=1, id 0xdeadbeef
             "0035 0035 0010 0000");  // first 8 bytes of the fragmentable part
}

TEST(Ipv4Header, DecodesHeaderWithOptions) {
  const auto bytes = Ipv4WithOptions();
  RecordingSink sink;
  IpPacket ip;
  ASSERT_EQ(DecodeIp(bytes, 0, 0, kMaxExt, ip, sink), IpOutcome::kOk);
  EXPECT_TRUE(sink.names.empty());
  EXPECT_EQ(ip.version, 4);
  EXPECT_EQ(ip.ttl, 64);
  EXPECT_EQ(ip.protocol, 6);
  EXPECT_EQ(ip.src.ToString(), "192.168.0.1");
  EXPECT_EQ(ip.dst.ToString(), "192.168.0.2");
  EXPECT_EQ(ip.header_length, 24u);
  EXPECT_EQ(ip.total_length, 32u);
  EXPECT_EQ(ip.payload_length, 8u);
  ASSERT_EQ(ip.payload.size(), 8u);
  EXPECT_EQ(ip.payload[0], 0x01);
  EXPECT_FALSE(ip.truncated);
  EXPECT_FALSE(ip.fragment);
}

TEST(Ipv4Header, SnaplenCutPayloadIsNotAnAnomaly) {
  auto bytes = Ipv4WithOptions();
  bytes.resize(28);  // header + 4 of 8 payload bytes
  RecordingSink sink;
  IpPacket ip;
  ASSERT_EQ(DecodeIpv4(bytes, 0, ip, sink), IpOutcome::kOk);
  EXPECT_TRUE(sink.names.empty());
  EXPECT_TRUE(ip.truncated);
  EXPECT_EQ(ip.payload.size(), 4u);
  EXPECT_EQ(ip.payload_length, 8u);
}

TEST(Ipv4Header, TrailingPaddingIsIgnored) {
  auto bytes = Ipv4WithOptions();
  bytes.insert(bytes.end(), 6, 0);  // Ethernet minimum-frame padding
  RecordingSink sink;
  IpPacket ip;
  ASSERT_EQ(DecodeIpv4(bytes, 0, ip, sink), IpOutcome::kOk);
  EXPECT_EQ(ip.payload.size(), 8u);
  EXPECT_FALSE(ip.truncated);
}

TEST(Ipv4Header, MalformedHeaders) {
  struct Case {
    const char* hex;
    const char* anomaly;
  };
  const Case cases[] = {
      {"45 00 0014 0000 0000 40 06 0000 0a000001", "ip.truncated"},                // 16 of 20 bytes
      {"46 00 0020 0000 0000 40 06 0000 0a000001 0a000002 0101", "ip.truncated"},  // options cut
      {"44 00 0014 0000 0000 40 06 0000 0a000001 0a000002", "ip.bad_header_length"},  // IHL 4
      {"45 00 0010 0000 0000 40 06 0000 0a000001 0a000002", "ip.bad_total_length"},   // 16 < 20
      {"4f 00 0020 0000 0000 40 06 0000 0a000001 0a000002 000000000000000000000000",
       "ip.bad_total_length"},  // IHL 60 > total 32
      {"55 00 0014 0000 0000 40 06 0000 0a000001 0a000002", "ip.bad_version"},
  };
  for (const Case& c : cases) {
    const auto bytes = Hex(c.hex);
    RecordingSink sink;
    IpPacket ip;
    EXPECT_EQ(DecodeIpv4(bytes, 0, ip, sink), IpOutcome::kMalformed) << c.hex;
    ASSERT_EQ(sink.names.size(), 1u) << c.hex;
    EXPECT_EQ(sink.names[0], c.anomaly) << c.hex;
  }
}

TEST(Ipv4Header, ZeroTotalLengthTakesTheWireLength) {
  // Linux TSO / BIG TCP: total length 0 on a locally sent packet.
  const auto bytes = Hex("45 00 0000 0000 4000 40 06 0000 0a000001 0a000002 aabbccdd");
  RecordingSink sink;
  IpPacket ip;
  ASSERT_EQ(DecodeIpv4(bytes, 100, ip, sink), IpOutcome::kOk);
  EXPECT_TRUE(ip.length_from_capture);
  EXPECT_EQ(ip.total_length, 100u);
  EXPECT_EQ(ip.payload.size(), 4u);
  EXPECT_TRUE(ip.truncated);
  ASSERT_EQ(DecodeIpv4(bytes, 0, ip, sink), IpOutcome::kOk);
  EXPECT_EQ(ip.total_length, 24u);
  EXPECT_FALSE(ip.truncated);
  EXPECT_TRUE(sink.names.empty());
}

TEST(Ipv4Header, FragmentFields) {
  // MF set, offset 185 * 8 = 1480.
  const auto bytes = Hex("45 00 0018 abcd 20b9 40 11 0000 0a000001 0a000002 0000000000000000");
  RecordingSink sink;
  IpPacket ip;
  ASSERT_EQ(DecodeIpv4(bytes, 0, ip, sink), IpOutcome::kOk);
  EXPECT_TRUE(ip.fragment);
  EXPECT_TRUE(ip.more_fragments);
  EXPECT_EQ(ip.fragment_offset, 1480u);
  EXPECT_EQ(ip.fragment_id, 0xabcdu);
  EXPECT_EQ(ip.unfragmentable_length, 20u);
  // DF alone is not a fragment.
  const auto df = Hex("45 00 0014 abcd 4000 40 11 0000 0a000001 0a000002");
  ASSERT_EQ(DecodeIpv4(df, 0, ip, sink), IpOutcome::kOk);
  EXPECT_FALSE(ip.fragment);
}

TEST(Ipv6Header, WalksHopByHopDestinationAndFragmentHeaders) {
  const auto bytes = Ipv6WithExtensions();
  RecordingSink sink;
  IpPacket ip;
  ASSERT_EQ(DecodeIp(bytes, 6, 0, kMaxExt, ip, sink), IpOutcome::kOk);
  EXPECT_TRUE(sink.names.empty());
  EXPECT_EQ(ip.version, 6);
  EXPECT_EQ(ip.ttl, 64);
  EXPECT_EQ(ip.src.ToString(), "2001:db8::1");
  EXPECT_EQ(ip.protocol, 17);
  EXPECT_EQ(ip.header_length, 64u);
  EXPECT_EQ(ip.total_length, 72u);
  EXPECT_EQ(ip.payload_length, 8u);
  ASSERT_EQ(ip.payload.size(), 8u);
  EXPECT_EQ(ip.payload[1], 0x35);
  EXPECT_TRUE(ip.fragment);
  EXPECT_TRUE(ip.more_fragments);
  EXPECT_EQ(ip.fragment_offset, 0u);
  EXPECT_EQ(ip.fragment_id, 0xdeadbeefu);
  EXPECT_EQ(ip.unfragmentable_length, 16u);  // hop-by-hop + destination options
}

TEST(Ipv6Header, AtomicFragmentIsAWholePacket) {
  const auto bytes = Hex("60000000 0010 2c 40" + kV6Addresses +
                         "06 00 0000 00000001"  // fragment: next TCP, offset 0, M=0
                         "0050c000 00000000");  // 8 bytes
  RecordingSink sink;
  IpPacket ip;
  ASSERT_EQ(DecodeIpv6(bytes, 0, kMaxExt, ip, sink), IpOutcome::kOk);
  EXPECT_FALSE(ip.fragment);
  EXPECT_EQ(ip.protocol, 6);
  EXPECT_EQ(ip.header_length, 48u);
}

TEST(Ipv6Header, AuthenticationHeaderLengthIsInFourByteUnits) {
  const auto bytes = Hex("60000000 0014 33 40" + kV6Addresses +
                         "3b 02 0000 00000001 00000002"  // AH: next none, len 2 -> 16 bytes
                         "00000000 aabbccdd");           // (ICV) + 4 trailing bytes
  RecordingSink sink;
  IpPacket ip;
  ASSERT_EQ(DecodeIpv6(bytes, 0, kMaxExt, ip, sink), IpOutcome::kOk);
  EXPECT_EQ(ip.protocol, kProtoNoNextHeader);
  EXPECT_EQ(ip.header_length, 56u);
  EXPECT_EQ(ip.payload.size(), 4u);
}

TEST(Ipv6Header, EspEndsDecoding) {
  const auto bytes = Hex("60000000 0008 32 40" + kV6Addresses + "00001000 00000001");
  RecordingSink sink;
  IpPacket ip;
  EXPECT_EQ(DecodeIpv6(bytes, 0, kMaxExt, ip, sink), IpOutcome::kEncrypted);
  EXPECT_TRUE(sink.names.empty());
  EXPECT_EQ(ip.protocol, kProtoEsp);
  EXPECT_EQ(ip.src.ToString(), "2001:db8::1");
}

TEST(Ipv6Header, ExtensionHeaderLimit) {
  std::string hex = "60000000 0058 3c 40" + kV6Addresses;  // 11 destination options headers
  for (int i = 0; i < 11; ++i)
    hex += (i < 10 ? "3c" : "3b") + std::string(" 00 0104 00000000");
  const auto bytes = Hex(hex);
  RecordingSink sink;
  IpPacket ip;
  EXPECT_EQ(DecodeIpv6(bytes, 0, kMaxExt, ip, sink), IpOutcome::kMalformed);
  ASSERT_EQ(sink.names.size(), 1u);
  EXPECT_EQ(sink.names[0], "ipv6.extension_header_limit");
  // Ten are fine.
  RecordingSink sink2;
  EXPECT_EQ(DecodeIpv6(bytes, 0, 11, ip, sink2), IpOutcome::kOk);
  EXPECT_EQ(ip.protocol, kProtoNoNextHeader);
}

TEST(Ipv6Header, ExtensionHeaderCutOrTooLong) {
  // Hop-by-hop of 16 bytes (len 1), but the capture stops after 8 of them.
  const auto cut = Hex("60000000 0010 00 40" + kV6Addresses + "3b 01 0000 00000000");
  RecordingSink sink;
  IpPacket ip;
  EXPECT_EQ(DecodeIpv6(cut, 0, kMaxExt, ip, sink), IpOutcome::kMalformed);
  ASSERT_EQ(sink.names.size(), 1u);
  EXPECT_EQ(sink.names[0], "ipv6.extension_header_truncated");
  // Hop-by-hop of 16 bytes in a payload declared as 8.
  const auto too_long =
      Hex("60000000 0008 00 40" + kV6Addresses + "3b 01 0000 00000000 0000000000000000");
  RecordingSink sink2;
  EXPECT_EQ(DecodeIpv6(too_long, 0, kMaxExt, ip, sink2), IpOutcome::kMalformed);
  ASSERT_EQ(sink2.names.size(), 1u);
  EXPECT_EQ(sink2.names[0], "ipv6.bad_extension_header_length");
}

TEST(Ipv6Header, JumbogramIsReported) {
  const auto bytes = Hex("60000000 0000 00 40" + kV6Addresses + "06 00 c204 00012000");
  RecordingSink sink;
  IpPacket ip;
  EXPECT_EQ(DecodeIpv6(bytes, 0, kMaxExt, ip, sink), IpOutcome::kMalformed);
  ASSERT_EQ(sink.names.size(), 1u);
  EXPECT_EQ(sink.names[0], "ipv6.jumbogram_unsupported");
}

TEST(IpHeader, VersionMustMatchTheLinkLayer) {
  const auto v4 = Ipv4WithOptions();
  RecordingSink sink;
  IpPacket ip;
  EXPECT_EQ(DecodeIp(v4, 6, 0, kMaxExt, ip, sink), IpOutcome::kMalformed);
  ASSERT_EQ(sink.names.size(), 1u);
  EXPECT_EQ(sink.names[0], "ip.bad_version");
  const auto v7 = Hex("70");
  EXPECT_EQ(DecodeIp(v7, 0, 0, kMaxExt, ip, sink), IpOutcome::kMalformed);
  EXPECT_EQ(sink.names.back(), "ip.bad_version");
}

TEST(IpHeader, TruncationSweep) {
  const std::vector<std::vector<std::uint8_t>> fixtures = {
      Ipv4WithOptions(), Ipv6WithExtensions(),
      Hex("60000000 0010 2c 40" + kV6Addresses + "06 00 0000 00000001 0050c000 00000000")};
  for (const auto& fixture : fixtures) {
    for (std::size_t n = 0; n <= fixture.size(); ++n) {
      const std::vector<std::uint8_t> prefix(fixture.begin(), fixture.begin() + n);
      RecordingSink sink;
      IpPacket ip;
      const IpOutcome outcome = DecodeIp(prefix, 0, 0, kMaxExt, ip, sink);
      if (outcome == IpOutcome::kMalformed) {
        ASSERT_EQ(sink.names.size(), 1u) << "prefix " << n;
        const std::string& name = sink.names[0];
        EXPECT_TRUE(name == "ip.truncated" || name == "ipv6.extension_header_truncated")
            << name << " at prefix " << n;
      } else {
        EXPECT_TRUE(sink.names.empty()) << "prefix " << n;
        EXPECT_EQ(outcome, IpOutcome::kOk);
        EXPECT_EQ(ip.truncated, n < fixture.size());
        EXPECT_LE(ip.payload.size(), ip.payload_length);
        if (!ip.payload.empty()) {
          EXPECT_LE(ip.payload.data() + ip.payload.size(), prefix.data() + prefix.size());
        }
      }
    }
  }
}

}  // namespace
}  // namespace beffroi::net::ip
