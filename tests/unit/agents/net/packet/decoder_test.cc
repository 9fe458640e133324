#include "agents/net/packet/decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agents/net/protocol/transport/transport.h"
#include "tests/unit/agents/net/packet/frames.h"

namespace beffroi::net {
namespace {

using fixtures::Frame;
using fixtures::Hex;
using fixtures::RecordingSink;

constexpr std::int64_t kTs = 1'700'000'000'000'000'000;

struct Decoded {
  DecodeOutcome outcome;
  Packet packet;
  RecordingSink sink;
};

Decoded DecodeFrame(Decoder& decoder, std::uint32_t dlt, const std::vector<std::uint8_t>& bytes,
                    std::uint32_t wire_length = 0) {
  Decoded d;
  if (wire_length == 0) wire_length = static_cast<std::uint32_t>(bytes.size());
  d.outcome = decoder.Decode(dlt, bytes, wire_length, kTs, d.packet, d.sink);
  return d;
}

const Frame& FrameNamed(const std::vector<Frame>& frames, const std::string& name) {
  for (const Frame& f : frames) {
    if (f.name == name) return f;
  }
  ADD_FAILURE() << "no fixture " << name;
  return frames.front();
}

TEST(Decoder, EthernetIpv4Tcp) {
  const auto frames = fixtures::WellFormedFrames();
  const Frame& f = FrameNamed(frames, "ethernet_ipv4_tcp");
  Decoder decoder;
  Decoded d = DecodeFrame(decoder, f.dlt, f.bytes, 1514);
  ASSERT_EQ(d.outcome, DecodeOutcome::kTransport);
  const Packet& p = d.packet;
  EXPECT_EQ(p.ts_ns, kTs);
  EXPECT_EQ(p.wire_length, 1514u);
  EXPECT_EQ(p.ip_version, 4);
  EXPECT_EQ(p.ttl, 64);
  EXPECT_EQ(p.tuple.src.ToString(), "192.168.0.1");
  EXPECT_EQ(p.tuple.dst.ToString(), "192.168.0.2");
  EXPECT_EQ(p.tuple.src_port, 49152);
  EXPECT_EQ(p.tuple.dst_port, 80);
  EXPECT_EQ(p.tuple.protocol, kIpProtoTcp);
  EXPECT_EQ(p.ip_length, 56u);
  EXPECT_EQ(p.tcp_seq, 1u);
  EXPECT_EQ(p.tcp_ack, 2u);
  EXPECT_EQ(p.tcp_window, 64240);
  EXPECT_EQ(p.tcp_flags, transport::kTcpPsh | transport::kTcpAck);
  EXPECT_EQ(p.tcp_options.size(), 12u);
  ASSERT_EQ(p.payload.size(), 4u);
  EXPECT_EQ(std::string(p.payload.begin(), p.payload.end()), "GET ");
  EXPECT_EQ(p.payload.data(), f.bytes.data() + f.bytes.size() - 4) << "no copy";
  EXPECT_EQ(p.payload_length, 4u);
  EXPECT_FALSE(p.truncated);
  EXPECT_FALSE(p.reassembled);
  EXPECT_EQ(p.outer_src, p.tuple.src);
  EXPECT_TRUE(d.sink.names.empty());
  EXPECT_EQ(decoder.stats().frames, 1u);
  EXPECT_EQ(decoder.stats().ipv4, 1u);
  EXPECT_EQ(decoder.stats().tcp, 1u);
}

TEST(Decoder, EveryLinkTypeReachesTheTransport) {
  const auto frames = fixtures::WellFormedFrames();
  struct Expect {
    const char* name;
    std::uint8_t version;
    std::uint8_t protocol;
    std::uint16_t dst_port;
    std::uint8_t vlan_count;
  };
  const Expect cases[] = {
      {"vlan_ipv6_udp", 6, kIpProtoUdp, 53, 1},
      {"qinq_ipv4_tcp", 4, kIpProtoTcp, 80, 2},
      {"sll_ipv4_tcp", 4, kIpProtoTcp, 80, 0},
      {"sll2_ipv6_udp", 6, kIpProtoUdp, 53, 0},
      {"raw_ipv4_tcp", 4, kIpProtoTcp, 80, 0},
      {"raw101_ipv6_udp", 6, kIpProtoUdp, 53, 0},
      {"null_le_ipv4_tcp", 4, kIpProtoTcp, 80, 0},
      {"null_be_ipv6_udp", 6, kIpProtoUdp, 53, 0},
      {"loop_ipv6_udp", 6, kIpProtoUdp, 53, 0},
      {"ipv6_extensions_tcp", 6, kIpProtoTcp, 49153, 0},
  };
  Decoder decoder;
  for (const Expect& e : cases) {
    const Frame& f = FrameNamed(frames, e.name);
    Decoded d = DecodeFrame(decoder, f.dlt, f.bytes);
    ASSERT_EQ(d.outcome, DecodeOutcome::kTransport) << e.name;
    EXPECT_EQ(d.packet.ip_version, e.version) << e.name;
    EXPECT_EQ(d.packet.tuple.protocol, e.protocol) << e.name;
    EXPECT_EQ(d.packet.tuple.dst_port, e.dst_port) << e.name;
    EXPECT_EQ(d.packet.vlan_count, e.vlan_count) << e.name;
    EXPECT_TRUE(d.sink.names.empty()) << e.name;
  }
  const Frame& qinq = FrameNamed(frames, "qinq_ipv4_tcp");
  Decoded d = DecodeFrame(decoder, qinq.dlt, qinq.bytes);
  EXPECT_EQ(d.packet.vlan[0], 10);
  EXPECT_EQ(d.packet.vlan[1], 20);
  const Frame& v6 = FrameNamed(frames, "vlan_ipv6_udp");
  d = DecodeFrame(decoder, v6.dlt, v6.bytes);
  EXPECT_EQ(d.packet.vlan[0], 100);
  EXPECT_EQ(d.packet.tuple.src.ToString(), "2001:db8::1");
  EXPECT_EQ(d.packet.ip_length, 60u);
  EXPECT_EQ(d.packet.payload.size(), 12u);
}

TEST(Decoder, IcmpAndIcmpv6) {
  const auto frames = fixtures::WellFormedFrames();
  Decoder decoder;
  const Frame& v4 = FrameNamed(frames, "dlt_ipv4_icmp");
  Decoded d = DecodeFrame(decoder, v4.dlt, v4.bytes);
  ASSERT_EQ(d.outcome, DecodeOutcome::kTransport);
  EXPECT_EQ(d.packet.icmp_type, 8);
  EXPECT_EQ(d.packet.icmp_code, 0);
  EXPECT_EQ(d.packet.tuple.src_port, 0);
  EXPECT_EQ(d.packet.tuple.protocol, kIpProtoIcmp);
  const Frame& v6 = FrameNamed(frames, "dlt_ipv6_icmpv6");
  d = DecodeFrame(decoder, v6.dlt, v6.bytes);
  ASSERT_EQ(d.outcome, DecodeOutcome::kTransport);
  EXPECT_EQ(d.packet.icmp_type, 128);
  EXPECT_EQ(d.packet.tuple.protocol, kIpProtoIcmpV6);
  EXPECT_EQ(decoder.stats().icmp, 1u);
  EXPECT_EQ(decoder.stats().icmpv6, 1u);
}

TEST(Decoder, OtherOutcomesAreCountedNotReported) {
  const auto frames = fixtures::WellFormedFrames();
  Decoder decoder;
  const Frame& arp = FrameNamed(frames, "arp");
  Decoded d = DecodeFrame(decoder, arp.dlt, arp.bytes);
  EXPECT_EQ(d.outcome, DecodeOutcome::kNotIp);
  const Frame& gre = FrameNamed(frames, "ipv4_gre");
  d = DecodeFrame(decoder, gre.dlt, gre.bytes);
  EXPECT_EQ(d.outcome, DecodeOutcome::kIpOther);
  EXPECT_EQ(d.packet.tuple.protocol, 47);
  EXPECT_EQ(d.packet.payload.size(), 0u);
  for (const char* name : {"ipv4_esp", "ipv6_esp"}) {
    const Frame& esp = FrameNamed(frames, name);
    d = DecodeFrame(decoder, esp.dlt, esp.bytes);
    EXPECT_EQ(d.outcome, DecodeOutcome::kUndecodable) << name;
    EXPECT_EQ(d.packet.tuple.protocol, 50) << name;
    EXPECT_TRUE(d.sink.names.empty());
  }
  d = DecodeFrame(decoder, 127, arp.bytes);  // 802.11 radiotap: unsupported
  EXPECT_EQ(d.outcome, DecodeOutcome::kUndecodable);
  EXPECT_TRUE(d.sink.names.empty());
  const auto& s = decoder.stats();
  EXPECT_EQ(s.frames, 5u);
  EXPECT_EQ(s.not_ip, 1u);
  EXPECT_EQ(s.ip_other, 1u);
  EXPECT_EQ(s.undecodable, 2u);
  EXPECT_EQ(s.unsupported_link, 1u);
  EXPECT_EQ(s.malformed, 0u);
}

TEST(Decoder, TunnelsAreDecodedOnce) {
  const auto frames = fixtures::WellFormedFrames();
  Decoder decoder;
  const Frame& ipip = FrameNamed(frames, "ipip_icmp");
  Decoded d = DecodeFrame(decoder, ipip.dlt, ipip.bytes);
  ASSERT_EQ(d.outcome, DecodeOutcome::kTransport);
  EXPECT_EQ(d.packet.tunnel_depth, 1);
  EXPECT_EQ(d.packet.outer_src.ToString(), "192.0.2.1");
  EXPECT_EQ(d.packet.tuple.src.ToString(), "10.0.0.1");
  EXPECT_EQ(d.packet.icmp_type, 8);
  EXPECT_EQ(d.packet.ip_length, 28u);
  const Frame& six = FrameNamed(frames, "6in4_icmpv6");
  d = DecodeFrame(decoder, six.dlt, six.bytes);
  ASSERT_EQ(d.outcome, DecodeOutcome::kTransport);
  EXPECT_EQ(d.packet.ip_version, 6);
  EXPECT_EQ(d.packet.outer_dst.ToString(), "192.0.2.2");
  EXPECT_EQ(decoder.stats().tunnels, 2u);

  // IPIP inside IPIP goes past the default of two IP layers.
  const auto nested =
      Hex("45 00 0044 0006 0000 40 04 0000 c0000201 c0000202"  // outer, IPIP
          "45 00 0030 0004 0000 40 04 0000 c0000203 c0000204"  // middle, IPIP
          "45 00 001c 0001 0000 40 01 0000 0a000001 0a000002 0800f7fe00010001");
  d = DecodeFrame(decoder, 12, nested);
  EXPECT_EQ(d.outcome, DecodeOutcome::kMalformed);
  ASSERT_EQ(d.sink.names.size(), 1u);
  EXPECT_EQ(d.sink.names[0], "ip.tunnel_depth");
  // With three layers allowed it decodes; with one, the tunnel is opaque.
  DecoderLimits three;
  three.max_ip_layers = 3;
  Decoder deep(three);
  EXPECT_EQ(DecodeFrame(deep, 12, nested).outcome, DecodeOutcome::kTransport);
  DecoderLimits one;
  one.max_ip_layers = 1;
  Decoder flat(one);
  d = DecodeFrame(flat, 12, nested);
  EXPECT_EQ(d.outcome, DecodeOutcome::kIpOther);
  EXPECT_EQ(d.packet.tuple.protocol, 4);
}

TEST(Decoder, UdpLengthMismatchIsMalformedButFilled) {
  auto bytes = Hex(fixtures::Ipv6Udp());
  bytes[40 + 5] = 0x30;  // UDP length 48 > IPv6 payload 20
  Decoder decoder;
  Decoded d = DecodeFrame(decoder, 229, bytes);
  EXPECT_EQ(d.outcome, DecodeOutcome::kMalformed);
  ASSERT_EQ(d.sink.names.size(), 1u);
  EXPECT_EQ(d.sink.names[0], "udp.length_mismatch");
  EXPECT_EQ(d.packet.tuple.dst_port, 53);
  EXPECT_EQ(d.packet.payload_length, 12u);
  EXPECT_EQ(decoder.stats().malformed, 1u);
}

TEST(Decoder, SnaplenCutPayloadIsTruncatedNotMalformed) {
  const auto frames = fixtures::WellFormedFrames();
  const Frame& f = FrameNamed(frames, "ethernet_ipv4_tcp");
  const std::vector<std::uint8_t> cut(f.bytes.begin(), f.bytes.end() - 2);
  Decoder decoder;
  Decoded d = DecodeFrame(decoder, f.dlt, cut, static_cast<std::uint32_t>(f.bytes.size()));
  ASSERT_EQ(d.outcome, DecodeOutcome::kTransport);
  EXPECT_TRUE(d.packet.truncated);
  EXPECT_EQ(d.packet.payload.size(), 2u);
  EXPECT_EQ(d.packet.payload_length, 4u);
  EXPECT_TRUE(d.sink.names.empty());
  EXPECT_EQ(decoder.stats().truncated, 1u);
}

TEST(Decoder, ZeroIpLengthUsesTheWireLength) {
  // Linux TSO capture: total length 0; 70 bytes captured of a 9014-byte wire frame.
  auto bytes = Hex("001122334455 66778899aabb 0800" + fixtures::Ipv4Tcp());
  bytes[16] = 0;
  bytes[17] = 0;
  Decoder decoder;
  Decoded d = DecodeFrame(decoder, 1, bytes, 9014);
  ASSERT_EQ(d.outcome, DecodeOutcome::kTransport);
  EXPECT_EQ(d.packet.ip_length, 9000u);
  EXPECT_TRUE(d.packet.truncated);
  EXPECT_EQ(d.packet.payload_length, 9000u - 52u);
  EXPECT_EQ(decoder.stats().length_from_capture, 1u);
}

TEST(Decoder, MalformedLayersReportTheirNames) {
  struct Case {
    std::uint32_t dlt;
    std::string hex;
    const char* anomaly;
  };
  const std::string v4 = "45 00 0028 0001 0000 40 06 0000 0a000001 0a000002";  // TCP, 40
  const Case cases[] = {
      {1, "0011223344", "link.truncated"},
      {12, "45 00 0014 0000", "ip.truncated"},
      {12, "35 00 0014 0000 0000 40 06 0000 0a000001 0a000002", "ip.bad_version"},
      {228, "60000000", "ip.bad_version"},
      {12, v4 + "0050 0050 00000000 00000000 30 02 0000 0000 0000", "tcp.bad_data_offset"},
      {12, v4 + "0050 0050 00000000", "tcp.truncated"},
  };
  for (const Case& c : cases) {
    Decoder decoder;
    Decoded d = DecodeFrame(decoder, c.dlt, Hex(c.hex));
    EXPECT_EQ(d.outcome, DecodeOutcome::kMalformed) << c.anomaly;
    ASSERT_EQ(d.sink.names.size(), 1u) << c.anomaly;
    EXPECT_EQ(d.sink.names[0], c.anomaly);
    EXPECT_EQ(decoder.stats().malformed, 1u);
  }
}

// Every prefix of every fixture: a clean outcome, spans inside the prefix, and kMalformed exactly
// when an anomaly was reported. Run it under ASan (each prefix is its own allocation).
TEST(Decoder, TruncationSweep) {
  Decoder shared;
  for (const Frame& f : fixtures::WellFormedFrames()) {
    for (std::size_t n = 0; n <= f.bytes.size(); ++n) {
      const std::vector<std::uint8_t> prefix(f.bytes.begin(), f.bytes.begin() + n);
      Decoder fresh;
      for (Decoder* decoder : {&fresh, &shared}) {
        Decoded d =
            DecodeFrame(*decoder, f.dlt, prefix, static_cast<std::uint32_t>(f.bytes.size()));
        const bool reported = !d.sink.names.empty();
        EXPECT_EQ(d.outcome == DecodeOutcome::kMalformed, reported) << f.name << " prefix " << n;
        for (const auto& name : d.sink.names) {
          EXPECT_NE(name.find("truncated"), std::string::npos)
              << f.name << " prefix " << n << ": " << name;
        }
        const Packet& p = d.packet;
        EXPECT_LE(p.payload.size(), p.payload_length + 0u) << f.name << " prefix " << n;
        if (!p.payload.empty()) {
          EXPECT_GE(p.payload.data(), prefix.data());
          EXPECT_LE(p.payload.data() + p.payload.size(), prefix.data() + prefix.size());
        }
        if (n == f.bytes.size()) {
          EXPECT_FALSE(reported) << f.name;
        }
      }
    }
  }
}

}  // namespace
}  // namespace beffroi::net
