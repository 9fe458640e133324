#include "agents/net/protocol/link/link_layer.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/unit/agents/net/protocol/ip/test_util.h"

namespace beffroi::net::link {
namespace {

using fixtures::Hex;
using fixtures::RecordingSink;

// 4 bytes standing for the start of an IP packet; the link layer never looks past them.
constexpr std::string_view kIpv4Start = "45 00 00 14";
constexpr std::string_view kIpv6Start = "60 00 00 00";

struct Fixture {
  const char* name;
  std::uint32_t dlt;
  std::vector<std::uint8_t> frame;
};

std::vector<Fixture> Fixtures() {
  return {
      {"ethernet", kDltEn10Mb,
       Hex(std::string("001122334455 66778899aabb"  // dst, src MAC
                       "0800") +                    // IPv4
           std::string(kIpv4Start))},
      {"vlan", kDltEn10Mb,
       Hex(std::string("001122334455 66778899aabb"
                       "8100 a064"  // 802.1Q, PCP 5, VLAN 100
                       "86dd") +    // IPv6
           std::string(kIpv6Start))},
      {"qinq", kDltEn10Mb,
       Hex(std::string("001122334455 66778899aabb"
                       "88a8 000a"  // 802.1ad service tag, VLAN 10
                       "8100 0014"  // 802.1Q customer tag, VLAN 20
                       "0800") +
           std::string(kIpv4Start))},
      {"sll", kDltLinuxSll,
       Hex(std::string("0000"               // packet type: to us
                       "0001"               // ARPHRD_ETHER
                       "0006"               // address length
                       "66778899aabb 0000"  // address, padded to 8
                       "0800") +            // protocol
           std::string(kIpv4Start))},
      {"sll2", kDltLinuxSll2,
       Hex(std::string("86dd"                  // protocol
                       "0000"                  // reserved
                       "00000002"              // interface index
                       "0001"                  // ARPHRD_ETHER
                       "04"                    // packet type: outgoing
                       "06"                    // address length
                       "66778899aabb 0000") +  // address
           std::string(kIpv6Start))},
      {"null_le", kDltNull, Hex(std::string("02000000") + std::string(kIpv4Start))},
      {"null_be", kDltNull, Hex(std::string("0000001e") + std::string(kIpv6Start))},
      {"loop", kDltLoop, Hex(std::string("00000018") + std::string(kIpv6Start))},
      {"raw", kDltRaw, Hex(kIpv4Start)},
      {"ipv6", kDltIpv6, Hex(kIpv6Start)},
  };
}

TEST(LinkLayer, EthernetCarriesIpv4) {
  const auto frame = Fixtures()[0].frame;
  RecordingSink sink;
  LinkFrame out;
  ASSERT_EQ(DecodeLink(kDltEn10Mb, frame, kMaxVlanTags, out, sink), LinkOutcome::kIp);
  EXPECT_EQ(out.ip_version, 4);
  EXPECT_EQ(out.ethertype, 0x0800);
  EXPECT_EQ(out.vlan_count, 0);
  ASSERT_EQ(out.network.size(), 4u);
  EXPECT_EQ(out.network.data(), frame.data() + 14);
  EXPECT_TRUE(sink.names.empty());
}

TEST(LinkLayer, SingleVlanTagKeepsItsId) {
  const auto frame = Fixtures()[1].frame;
  RecordingSink sink;
  LinkFrame out;
  ASSERT_EQ(DecodeLink(kDltEn10Mb, frame, kMaxVlanTags, out, sink), LinkOutcome::kIp);
  EXPECT_EQ(out.ip_version, 6);
  ASSERT_EQ(out.vlan_count, 1);
  EXPECT_EQ(out.vlan[0], 100);  // PCP bits masked off
  EXPECT_EQ(out.network.data(), frame.data() + 18);
}

TEST(LinkLayer, QinQKeepsOuterThenInner) {
  const auto frame = Fixtures()[2].frame;
  RecordingSink sink;
  LinkFrame out;
  ASSERT_EQ(DecodeLink(kDltEn10Mb, frame, kMaxVlanTags, out, sink), LinkOutcome::kIp);
  ASSERT_EQ(out.vlan_count, 2);
  EXPECT_EQ(out.vlan[0], 10);
  EXPECT_EQ(out.vlan[1], 20);
  EXPECT_EQ(out.network.data(), frame.data() + 22);
}

TEST(LinkLayer, ThreeTagsKeepTwoIds) {
  const auto frame =
      Hex("001122334455 66778899aabb"
          "9100 0001  88a8 0002  8100 0003"  // vendor QinQ, 802.1ad, 802.1Q
          "0800 45000014");
  RecordingSink sink;
  LinkFrame out;
  ASSERT_EQ(DecodeLink(kDltEn10Mb, frame, kMaxVlanTags, out, sink), LinkOutcome::kIp);
  EXPECT_EQ(out.vlan_count, 2);
  EXPECT_EQ(out.vlan[0], 1);
  EXPECT_EQ(out.vlan[1], 2);
  EXPECT_EQ(out.network.size(), 4u);
}

TEST(LinkLayer, TooManyVlanTagsIsAnAnomaly) {
  const auto frame =
      Hex("001122334455 66778899aabb"
          "8100 0001 8100 0002 8100 0003 8100 0004 8100 0005"  // five tags, limit four
          "0800 45000014");
  RecordingSink sink;
  LinkFrame out;
  EXPECT_EQ(DecodeLink(kDltEn10Mb, frame, kMaxVlanTags, out, sink), LinkOutcome::kMalformed);
  ASSERT_EQ(sink.names.size(), 1u);
  EXPECT_EQ(sink.names[0], "link.vlan_depth");
  // A lower configured limit applies too.
  RecordingSink sink2;
  const auto two = Fixtures()[2].frame;
  EXPECT_EQ(DecodeLink(kDltEn10Mb, two, 1, out, sink2), LinkOutcome::kMalformed);
}

TEST(LinkLayer, NonIpEthertypesAreNotAnomalies) {
  const auto arp =
      Hex("ffffffffffff 66778899aabb 0806"  // broadcast ARP
          "0001 0800 06 04 0001");
  const auto lldp = Hex("0180c200000e 66778899aabb 88cc 0207 04");
  const auto llc = Hex("0180c2000000 66778899aabb 0026 42 42 03");  // 802.3 length + STP LLC
  const auto vlan_arp = Hex("ffffffffffff 66778899aabb 8100 0005 0806 0001");
  for (const auto* frame : {&arp, &lldp, &llc, &vlan_arp}) {
    RecordingSink sink;
    LinkFrame out;
    EXPECT_EQ(DecodeLink(kDltEn10Mb, *frame, kMaxVlanTags, out, sink), LinkOutcome::kNotIp);
    EXPECT_TRUE(sink.names.empty());
  }
}

TEST(LinkLayer, LinuxCookedCaptures) {
  const auto fixtures = Fixtures();
  RecordingSink sink;
  LinkFrame out;
  ASSERT_EQ(DecodeLink(kDltLinuxSll, fixtures[3].frame, kMaxVlanTags, out, sink), LinkOutcome::kIp);
  EXPECT_EQ(out.ip_version, 4);
  EXPECT_EQ(out.network.data(), fixtures[3].frame.data() + 16);
  ASSERT_EQ(DecodeLink(kDltLinuxSll2, fixtures[4].frame, kMaxVlanTags, out, sink),
            LinkOutcome::kIp);
  EXPECT_EQ(out.ip_version, 6);
  EXPECT_EQ(out.network.data(), fixtures[4].frame.data() + 20);
  // LINUX_SLL_P_802_2 (4): not IP, not an anomaly.
  const auto llc = Hex("0000 0001 0006 66778899aabb0000 0004 4242");
  EXPECT_EQ(DecodeLink(kDltLinuxSll, llc, kMaxVlanTags, out, sink), LinkOutcome::kNotIp);
  // A VLAN tag left in the cooked header is walked like Ethernet's.
  const auto tagged = Hex("0000 0001 0006 66778899aabb0000 8100 0007 0800 45000014");
  ASSERT_EQ(DecodeLink(kDltLinuxSll, tagged, kMaxVlanTags, out, sink), LinkOutcome::kIp);
  EXPECT_EQ(out.vlan_count, 1);
  EXPECT_EQ(out.vlan[0], 7);
  EXPECT_TRUE(sink.names.empty());
}

TEST(LinkLayer, BsdLoopbackFamilies) {
  struct Case {
    std::uint32_t dlt;
    const char* header;
    LinkOutcome outcome;
    std::uint8_t version;
  };
  const Case cases[] = {
      {kDltNull, "02000000", LinkOutcome::kIp, 4},     // AF_INET, little-endian host
      {kDltNull, "00000002", LinkOutcome::kIp, 4},     // AF_INET, big-endian host
      {kDltNull, "18000000", LinkOutcome::kIp, 6},     // AF_INET6 24 (OpenBSD, NetBSD)
      {kDltNull, "1c000000", LinkOutcome::kIp, 6},     // AF_INET6 28 (FreeBSD)
      {kDltNull, "0000001e", LinkOutcome::kIp, 6},     // AF_INET6 30 (macOS), big-endian
      {kDltNull, "07000000", LinkOutcome::kNotIp, 0},  // some other family
      {kDltLoop, "00000002", LinkOutcome::kIp, 4},     // LOOP: network order
      {kDltLoop, "00000018", LinkOutcome::kIp, 6},
      {kDltLoop, "02000000", LinkOutcome::kNotIp, 0},  // LOOP is never host order
  };
  for (const Case& c : cases) {
    const auto frame = Hex(std::string(c.header) + "45000014");
    RecordingSink sink;
    LinkFrame out;
    EXPECT_EQ(DecodeLink(c.dlt, frame, kMaxVlanTags, out, sink), c.outcome) << c.header;
    EXPECT_EQ(out.ip_version, c.version) << c.header;
    EXPECT_EQ(out.network.size(), 4u) << c.header;
    EXPECT_TRUE(sink.names.empty());
  }
}

TEST(LinkLayer, RawIpLinkTypes) {
  const auto frame = Hex(kIpv4Start);
  RecordingSink sink;
  LinkFrame out;
  for (std::uint32_t dlt : {kDltRaw, kDltRawBsd, kLinktypeRaw}) {
    ASSERT_EQ(DecodeLink(dlt, frame, kMaxVlanTags, out, sink), LinkOutcome::kIp) << dlt;
    EXPECT_EQ(out.ip_version, 0) << "the IP layer reads the nibble";
    EXPECT_EQ(out.network.data(), frame.data());
  }
  ASSERT_EQ(DecodeLink(kDltIpv4, frame, kMaxVlanTags, out, sink), LinkOutcome::kIp);
  EXPECT_EQ(out.ip_version, 4);
  ASSERT_EQ(DecodeLink(kDltIpv6, frame, kMaxVlanTags, out, sink), LinkOutcome::kIp);
  EXPECT_EQ(out.ip_version, 6);
}

TEST(LinkLayer, UnsupportedLinkTypesAreNamed) {
  EXPECT_FALSE(IsSupportedLinkType(127));
  EXPECT_EQ(LinkTypeName(127), "IEEE802_11_RADIO");
  EXPECT_EQ(LinkTypeName(147), "USER0");
  EXPECT_EQ(LinkTypeName(162), "USER15");
  EXPECT_EQ(LinkTypeName(4000), "unknown");
  for (std::uint32_t dlt : {0u, 1u, 12u, 14u, 101u, 108u, 113u, 228u, 229u, 276u}) {
    EXPECT_TRUE(IsSupportedLinkType(dlt)) << dlt;
    EXPECT_NE(LinkTypeName(dlt), "unknown") << dlt;
  }
  EXPECT_EQ(LinkTypeName(1), "EN10MB");
  EXPECT_EQ(LinkTypeName(276), "LINUX_SLL2");
  const auto frame = Hex("00112233");
  RecordingSink sink;
  LinkFrame out;
  EXPECT_EQ(DecodeLink(127, frame, kMaxVlanTags, out, sink), LinkOutcome::kUnsupported);
  EXPECT_TRUE(sink.names.empty());
}

TEST(LinkLayer, TruncationSweep) {
  for (const Fixture& fixture : Fixtures()) {
    for (std::size_t n = 0; n <= fixture.frame.size(); ++n) {
      // A copy of exactly n bytes, so ASan sees any read past the prefix.
      const std::vector<std::uint8_t> prefix(fixture.frame.begin(), fixture.frame.begin() + n);
      RecordingSink sink;
      LinkFrame out;
      const LinkOutcome outcome = DecodeLink(fixture.dlt, prefix, kMaxVlanTags, out, sink);
      if (outcome == LinkOutcome::kMalformed) {
        ASSERT_EQ(sink.names.size(), 1u) << fixture.name << " prefix " << n;
        EXPECT_EQ(sink.names[0], "link.truncated") << fixture.name << " prefix " << n;
      } else {
        EXPECT_TRUE(sink.names.empty()) << fixture.name << " prefix " << n;
        ASSERT_EQ(outcome, LinkOutcome::kIp) << fixture.name << " prefix " << n;
        // The network span lies inside the prefix and ends with it.
        EXPECT_EQ(out.network.data() + out.network.size(), prefix.data() + prefix.size());
      }
      // The whole header present means IP; any shorter prefix is truncated.
      const std::size_t header = fixture.frame.size() - 4;
      EXPECT_EQ(outcome == LinkOutcome::kIp, n >= header) << fixture.name << " prefix " << n;
    }
  }
}

}  // namespace
}  // namespace beffroi::net::link
