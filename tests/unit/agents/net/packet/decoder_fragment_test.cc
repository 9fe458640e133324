// Decoder tests for IPv4 and IPv6 fragments: reassembly, overlaps, limits and timeouts.
#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "agents/net/packet/decoder.h"
#include "tests/unit/agents/net/packet/frames.h"

namespace beffroi::net {
namespace {

using fixtures::Hex;
using fixtures::Ipv4Fragment;
using fixtures::Ipv6Fragment;
using fixtures::RecordingSink;

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::uint32_t kDltRaw = 12;

// A 32-byte UDP datagram 8080 > 8080 whose 24 payload bytes count 0, 1, 2, ...
std::vector<std::uint8_t> UdpDatagram() {
  std::vector<std::uint8_t> out = Hex("1f90 1f90 0020 0000");
  for (std::uint8_t i = 0; i < 24; ++i)
    out.push_back(i);
  return out;
}

std::span<const std::uint8_t> Part(const std::vector<std::uint8_t>& v, std::size_t offset,
                                   std::size_t length) {
  return std::span(v).subspan(offset, length);
}

class DecoderFragments : public ::testing::Test {
 protected:
  DecodeOutcome Feed(const std::vector<std::uint8_t>& frame, std::int64_t ts = 0,
                     std::uint32_t dlt = kDltRaw) {
    sink_ = RecordingSink();
    return decoder_.Decode(dlt, frame, static_cast<std::uint32_t>(frame.size()), ts, packet_,
                           sink_);
  }
  Decoder decoder_;
  Packet packet_;
  RecordingSink sink_;
};

TEST_F(DecoderFragments, Ipv4OutOfOrderFragmentsReassemble) {
  const auto udp = UdpDatagram();
  EXPECT_EQ(Feed(Ipv4Fragment(77, 16, false, Part(udp, 16, 16), 17, 60)),
            DecodeOutcome::kFragmentPending);
  EXPECT_EQ(packet_.tuple.src.ToString(), "10.0.0.1") << "addresses filled while pending";
  ASSERT_EQ(Feed(Ipv4Fragment(77, 0, true, Part(udp, 0, 16), 17, 61)), DecodeOutcome::kTransport);
  EXPECT_TRUE(sink_.names.empty());
  EXPECT_TRUE(packet_.reassembled);
  EXPECT_EQ(packet_.ttl, 61) << "the TTL of fragment 0";
  EXPECT_EQ(packet_.tuple.src_port, 8080);
  EXPECT_EQ(packet_.ip_length, 52u);
  ASSERT_EQ(packet_.payload.size(), 24u);
  for (std::size_t i = 0; i < 24; ++i)
    EXPECT_EQ(packet_.payload[i], i);
  const auto& s = decoder_.stats();
  EXPECT_EQ(s.fragments.fragments, 2u);
  EXPECT_EQ(s.fragments.reassembled, 1u);
  EXPECT_EQ(s.fragments.pending, 0u);
  EXPECT_EQ(s.udp, 1u);
}

TEST_F(DecoderFragments, Ipv4OverlapSameDataIsQuietDifferentDataIsReported) {
  const auto udp = UdpDatagram();
  EXPECT_EQ(Feed(Ipv4Fragment(1, 0, true, Part(udp, 0, 16))), DecodeOutcome::kFragmentPending);
  EXPECT_EQ(Feed(Ipv4Fragment(1, 8, true, Part(udp, 8, 16))), DecodeOutcome::kFragmentPending);
  EXPECT_TRUE(sink_.names.empty());
  EXPECT_EQ(Feed(Ipv4Fragment(1, 24, false, Part(udp, 24, 8))), DecodeOutcome::kTransport);
  EXPECT_EQ(packet_.payload[0], 0);

  // Same datagram again under another id, with a forged overlap of the UDP payload.
  auto forged = udp;
  for (std::size_t i = 8; i < 24; ++i)
    forged[i] = 0xEE;
  EXPECT_EQ(Feed(Ipv4Fragment(2, 0, true, Part(udp, 0, 16))), DecodeOutcome::kFragmentPending);
  EXPECT_EQ(Feed(Ipv4Fragment(2, 8, true, Part(forged, 8, 16))), DecodeOutcome::kFragmentPending);
  ASSERT_EQ(sink_.names.size(), 1u);
  EXPECT_EQ(sink_.names[0], "ip.fragment_overlap_mismatch");
  ASSERT_EQ(Feed(Ipv4Fragment(2, 24, false, Part(udp, 24, 8))), DecodeOutcome::kTransport);
  EXPECT_EQ(packet_.payload[0], 0) << "first data kept";
  EXPECT_EQ(packet_.payload[8], 0xEE) << "the gap [16,24) came from the second fragment";
  EXPECT_EQ(decoder_.stats().fragments.overlap_mismatches, 1u);
}

TEST_F(DecoderFragments, Ipv6FragmentsWithExtensionHeadersReassemble) {
  // Fragmentable part: destination options (next UDP), then the UDP datagram.
  std::vector<std::uint8_t> part = Hex("11 00 0104 00000000");
  const auto udp = UdpDatagram();
  part.insert(part.end(), udp.begin(), udp.end());  // 40 bytes
  EXPECT_EQ(Feed(Ipv6Fragment(0xdeadbeef, 0, true, Part(part, 0, 24), 60), 0, 229),
            DecodeOutcome::kFragmentPending);
  ASSERT_EQ(Feed(Ipv6Fragment(0xdeadbeef, 24, false, Part(part, 24, 16), 60), 0, 229),
            DecodeOutcome::kTransport);
  EXPECT_TRUE(sink_.names.empty());
  EXPECT_TRUE(packet_.reassembled);
  EXPECT_EQ(packet_.tuple.protocol, kIpProtoUdp);
  EXPECT_EQ(packet_.tuple.dst_port, 8080);
  EXPECT_EQ(packet_.ip_length, 40u + 8u + 40u);
  EXPECT_EQ(packet_.payload.size(), 24u);
  EXPECT_EQ(decoder_.stats().ipv6, 2u);
}

TEST_F(DecoderFragments, TimeoutAdvancesWithPacketTimestamps) {
  const auto udp = UdpDatagram();
  EXPECT_EQ(Feed(Ipv4Fragment(5, 0, true, Part(udp, 0, 16)), 1000 * kSecond),
            DecodeOutcome::kFragmentPending);
  // Any packet moves the clock: an unrelated frame 31 s later expires the datagram.
  const auto frames = fixtures::WellFormedFrames();
  EXPECT_EQ(Feed(frames[0].bytes, 1031 * kSecond, frames[0].dlt), DecodeOutcome::kTransport);
  EXPECT_EQ(decoder_.stats().fragments.timeouts, 1u);
  EXPECT_EQ(decoder_.stats().fragments.pending, 0u);
  EXPECT_EQ(Feed(Ipv4Fragment(5, 16, false, Part(udp, 16, 16)), 1032 * kSecond),
            DecodeOutcome::kFragmentPending);
}

TEST(DecoderFragmentLimits, FragmentLimitAndTooLarge) {
  DecoderLimits limits;
  limits.fragments.max_fragments_per_datagram = 2;
  Decoder decoder(limits);
  const auto udp = UdpDatagram();
  Packet packet;
  RecordingSink sink;
  for (std::uint32_t i = 0; i < 2; ++i) {
    const auto f = Ipv4Fragment(9, i * 8, true, Part(udp, i * 8, 8));
    EXPECT_EQ(decoder.Decode(kDltRaw, f, 0, 0, packet, sink), DecodeOutcome::kFragmentPending);
  }
  const auto third = Ipv4Fragment(9, 16, true, Part(udp, 16, 8));
  EXPECT_EQ(decoder.Decode(kDltRaw, third, 0, 0, packet, sink), DecodeOutcome::kMalformed);
  ASSERT_EQ(sink.names.size(), 1u);
  EXPECT_EQ(sink.names[0], "ip.fragment_limit");

  const auto far = Ipv4Fragment(10, 65528, false, Part(udp, 0, 16));  // 20 + 65528 + 16
  EXPECT_EQ(decoder.Decode(kDltRaw, far, 0, 0, packet, sink), DecodeOutcome::kMalformed);
  EXPECT_EQ(sink.names.back(), "ip.fragment_too_large");
  EXPECT_EQ(decoder.stats().malformed, 2u);
}

TEST(DecoderFragmentLimits, PendingLimitEvictsOldestFirst) {
  DecoderLimits limits;
  limits.fragments.max_pending_datagrams = 1;
  Decoder decoder(limits);
  const auto udp = UdpDatagram();
  Packet packet;
  RecordingSink sink;
  const auto a = Ipv4Fragment(1, 0, true, Part(udp, 0, 16));
  const auto b = Ipv4Fragment(2, 0, true, Part(udp, 0, 16));
  EXPECT_EQ(decoder.Decode(kDltRaw, a, 0, 0, packet, sink), DecodeOutcome::kFragmentPending);
  EXPECT_EQ(decoder.Decode(kDltRaw, b, 0, 0, packet, sink), DecodeOutcome::kFragmentPending);
  ASSERT_EQ(sink.names.size(), 1u);
  EXPECT_EQ(sink.names[0], "ip.fragment_evicted");
  EXPECT_EQ(decoder.stats().fragments.evictions, 1u);
  const auto b_end = Ipv4Fragment(2, 16, false, Part(udp, 16, 16));
  EXPECT_EQ(decoder.Decode(kDltRaw, b_end, 0, 0, packet, sink), DecodeOutcome::kTransport);
}

TEST_F(DecoderFragments, SnaplenCutFragmentsAreNotBuffered) {
  const auto udp = UdpDatagram();
  auto first = Ipv4Fragment(3, 0, true, Part(udp, 0, 16));
  first.resize(first.size() - 4);  // the snaplen cut 4 bytes
  ASSERT_EQ(Feed(first), DecodeOutcome::kTransport) << "the first fragment's header is usable";
  EXPECT_TRUE(packet_.truncated);
  EXPECT_EQ(packet_.tuple.dst_port, 8080);
  EXPECT_EQ(packet_.payload.size(), 4u);
  auto second = Ipv4Fragment(3, 16, false, Part(udp, 16, 16));
  second.resize(second.size() - 4);
  EXPECT_EQ(Feed(second), DecodeOutcome::kFragmentPending);
  EXPECT_EQ(decoder_.stats().fragments_truncated, 2u);
  EXPECT_EQ(decoder_.stats().fragments.pending, 0u);
  EXPECT_TRUE(sink_.names.empty());
}

TEST_F(DecoderFragments, TunnelledFragmentsReassembleInsideAReassembledOuter) {
  // Inner: a fragmented IPv4/UDP datagram; each inner fragment is itself carried in IPIP, and
  // the outer packet carrying the first inner fragment is fragmented too.
  const auto udp = UdpDatagram();
  const auto inner_a = Ipv4Fragment(40, 0, true, Part(udp, 0, 16));     // 36 bytes
  const auto inner_b = Ipv4Fragment(40, 16, false, Part(udp, 16, 16));  // 36 bytes
  EXPECT_EQ(Feed(Ipv4Fragment(50, 0, true, Part(inner_a, 0, 24), 4)),
            DecodeOutcome::kFragmentPending);
  EXPECT_EQ(Feed(Ipv4Fragment(50, 24, false, Part(inner_a, 24, 12), 4)),
            DecodeOutcome::kFragmentPending)
      << "outer complete, inner fragment pending";
  ASSERT_EQ(Feed(Ipv4Fragment(51, 0, false, inner_b, 4)), DecodeOutcome::kTransport);
  EXPECT_EQ(packet_.tunnel_depth, 1);
  EXPECT_TRUE(packet_.reassembled);
  EXPECT_EQ(packet_.payload.size(), 24u);
  EXPECT_EQ(packet_.payload[23], 23);
}

TEST(DecoderFragmentSweep, EveryPrefixOfEveryFragmentIsClean) {
  const auto udp = UdpDatagram();
  std::vector<std::uint8_t> part = Hex("11 00 0104 00000000");
  part.insert(part.end(), udp.begin(), udp.end());
  const std::vector<std::pair<std::uint32_t, std::vector<std::uint8_t>>> fixtures = {
      {kDltRaw, Ipv4Fragment(1, 0, true, Part(udp, 0, 16))},
      {kDltRaw, Ipv4Fragment(1, 16, false, Part(udp, 16, 16))},
      {229, Ipv6Fragment(2, 0, true, Part(part, 0, 24), 60)},
      {229, Ipv6Fragment(2, 24, false, Part(part, 24, 16), 60)},
  };
  Decoder shared;
  for (const auto& [dlt, frame] : fixtures) {
    for (std::size_t n = 0; n <= frame.size(); ++n) {
      const std::vector<std::uint8_t> prefix(frame.begin(), frame.begin() + n);
      Packet packet;
      RecordingSink sink;
      const DecodeOutcome outcome =
          shared.Decode(dlt, prefix, static_cast<std::uint32_t>(frame.size()), 0, packet, sink);
      if (outcome == DecodeOutcome::kMalformed) {
        EXPECT_FALSE(sink.names.empty()) << n;
      }
      if (!packet.payload.empty() && !packet.reassembled) {
        EXPECT_LE(packet.payload.data() + packet.payload.size(), prefix.data() + prefix.size());
      }
    }
  }
}

}  // namespace
}  // namespace beffroi::net
