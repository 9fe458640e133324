#include "agents/net/protocol/transport/transport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/agents/net/protocol/ip/test_util.h"

namespace beffroi::net::transport {
namespace {

using fixtures::Hex;
using fixtures::RecordingSink;

std::vector<std::uint8_t> TcpSynWithOptions() {
  return Hex(
      "c000 0050"               // ports 49152 > 80
      "00000001"                // seq
      "00000000"                // ack
      "a0 02"                   // data offset 10 (40 bytes), SYN
      "faf0"                    // window 64240
      "0000 0000"               // checksum, urgent pointer
      "020405b4"                // MSS 1460
      "0402"                    // SACK permitted
      "080a 00000064 00000000"  // timestamps 100, 0
      "01"                      // NOP
      "030307"                  // window scale 7
      "47455420");              // "GET " (TCP Fast Open style data)
}

std::vector<std::uint8_t> UdpDns() {
  return Hex(
      "d431 0035"                        // ports 54321 > 53
      "0014 0000"                        // length 20, checksum
      "abcd 0100 0001 0000 0000 0000");  // 12 bytes of a DNS header
}

std::vector<std::uint8_t> IcmpEcho() {
  return Hex(
      "08 00 f7fe"  // echo request, code 0, checksum
      "0001 0001"   // identifier 1, sequence 1
      "61626364");  // "abcd"
}

TEST(Tcp, DecodesHeaderAndOptions) {
  const auto bytes = TcpSynWithOptions();
  RecordingSink sink;
  TcpHeader tcp;
  ASSERT_EQ(DecodeTcp(bytes, static_cast<std::uint32_t>(bytes.size()), tcp, sink),
            TransportOutcome::kOk);
  EXPECT_TRUE(sink.names.empty());
  EXPECT_EQ(tcp.src_port, 49152);
  EXPECT_EQ(tcp.dst_port, 80);
  EXPECT_EQ(tcp.seq, 1u);
  EXPECT_EQ(tcp.flags, kTcpSyn);
  EXPECT_EQ(tcp.window, 64240);
  EXPECT_EQ(tcp.header_length, 40);
  EXPECT_EQ(tcp.options.size(), 20u);
  ASSERT_EQ(tcp.payload.size(), 4u);
  EXPECT_EQ(tcp.payload[0], 'G');
  EXPECT_EQ(tcp.payload_length, 4u);

  TcpOptions options;
  ASSERT_TRUE(ParseTcpOptions(tcp.options, options));
  EXPECT_TRUE(options.has_mss);
  EXPECT_EQ(options.mss, 1460);
  EXPECT_TRUE(options.sack_permitted);
  EXPECT_TRUE(options.has_timestamps);
  EXPECT_EQ(options.ts_value, 100u);
  EXPECT_TRUE(options.has_window_scale);
  EXPECT_EQ(options.window_scale, 7);
}

TEST(Tcp, MalformedOptionsStopTheParse) {
  TcpOptions options;
  const auto zero_length = Hex("020405b4 0300");  // MSS, then a kind with length 0
  EXPECT_FALSE(ParseTcpOptions(zero_length, options));
  EXPECT_TRUE(options.has_mss);
  const auto past_end = Hex("080a 0000");  // timestamps announced 10 bytes, 2 present
  EXPECT_FALSE(ParseTcpOptions(past_end, options));
  EXPECT_FALSE(options.has_timestamps);
  const auto eol = Hex("00 020405b4");  // end of list: what follows is padding
  EXPECT_TRUE(ParseTcpOptions(eol, options));
  EXPECT_FALSE(options.has_mss);
}

TEST(Tcp, BadDataOffsetAndTruncation) {
  auto low = TcpSynWithOptions();
  low[12] = 0x40;  // data offset 4
  RecordingSink sink;
  TcpHeader tcp;
  EXPECT_EQ(DecodeTcp(low, 44, tcp, sink), TransportOutcome::kMalformed);
  EXPECT_EQ(sink.names.back(), "tcp.bad_data_offset");

  const auto bytes = TcpSynWithOptions();
  // IP declares 30 bytes: a 40-byte header cannot fit.
  EXPECT_EQ(DecodeTcp(bytes, 30, tcp, sink), TransportOutcome::kMalformed);
  EXPECT_EQ(sink.names.back(), "tcp.bad_data_offset");
  // IP declares 10 bytes: not even the fixed header.
  EXPECT_EQ(DecodeTcp(bytes, 10, tcp, sink), TransportOutcome::kMalformed);
  EXPECT_EQ(sink.names.back(), "tcp.bad_data_offset");
  // IP declares 44 but the capture stops inside the options.
  EXPECT_EQ(DecodeTcp(std::span(bytes).first(30), 44, tcp, sink), TransportOutcome::kMalformed);
  EXPECT_EQ(sink.names.back(), "tcp.truncated");
  EXPECT_EQ(DecodeTcp(std::span(bytes).first(12), 44, tcp, sink), TransportOutcome::kMalformed);
  EXPECT_EQ(sink.names.back(), "tcp.truncated");
  EXPECT_EQ(sink.names.size(), 5u);
}

TEST(Tcp, SnaplenCutPayloadIsNotAnAnomaly) {
  const auto bytes = TcpSynWithOptions();
  RecordingSink sink;
  TcpHeader tcp;
  ASSERT_EQ(DecodeTcp(std::span(bytes).first(42), 1000, tcp, sink), TransportOutcome::kOk);
  EXPECT_EQ(tcp.payload.size(), 2u);
  EXPECT_EQ(tcp.payload_length, 960u);
  EXPECT_TRUE(sink.names.empty());
}

TEST(Udp, DecodesHeader) {
  const auto bytes = UdpDns();
  RecordingSink sink;
  UdpHeader udp;
  ASSERT_EQ(DecodeUdp(bytes, 20, udp, sink), TransportOutcome::kOk);
  EXPECT_EQ(udp.src_port, 54321);
  EXPECT_EQ(udp.dst_port, 53);
  EXPECT_EQ(udp.length, 20);
  EXPECT_EQ(udp.payload.size(), 12u);
  EXPECT_EQ(udp.payload_length, 12u);
  EXPECT_TRUE(sink.names.empty());
}

TEST(Udp, LengthMismatch) {
  auto bytes = UdpDns();
  RecordingSink sink;
  UdpHeader udp;
  bytes[5] = 0x40;  // length 64 > IP payload 20
  EXPECT_EQ(DecodeUdp(bytes, 20, udp, sink), TransportOutcome::kMalformed);
  ASSERT_EQ(sink.names.size(), 1u);
  EXPECT_EQ(sink.names[0], "udp.length_mismatch");
  EXPECT_EQ(udp.payload_length, 12u) << "bounded by the IP payload";
  EXPECT_EQ(udp.dst_port, 53) << "the header is still filled";
  bytes[5] = 0x04;  // length 4 < 8
  EXPECT_EQ(DecodeUdp(bytes, 20, udp, sink), TransportOutcome::kMalformed);
  EXPECT_EQ(sink.names.back(), "udp.length_mismatch");
  EXPECT_EQ(udp.payload_length, 12u);
  bytes[5] = 0x10;  // length 16 < IP payload 20: legal, the rest is surplus
  EXPECT_EQ(DecodeUdp(bytes, 20, udp, sink), TransportOutcome::kOk);
  EXPECT_EQ(udp.payload.size(), 8u);
  EXPECT_EQ(sink.names.size(), 2u);
}

TEST(Udp, Truncated) {
  const auto bytes = UdpDns();
  RecordingSink sink;
  UdpHeader udp;
  EXPECT_EQ(DecodeUdp(std::span(bytes).first(6), 20, udp, sink), TransportOutcome::kMalformed);
  EXPECT_EQ(sink.names.back(), "udp.truncated");
  EXPECT_EQ(DecodeUdp(bytes, 6, udp, sink), TransportOutcome::kMalformed);
  EXPECT_EQ(sink.names.back(), "udp.length_mismatch");
  // Payload cut by the snaplen: fine.
  EXPECT_EQ(DecodeUdp(std::span(bytes).first(10), 20, udp, sink), TransportOutcome::kOk);
  EXPECT_EQ(udp.payload.size(), 2u);
  EXPECT_EQ(udp.payload_length, 12u);
}

TEST(Icmp, EchoAndIcmpv6) {
  const auto bytes = IcmpEcho();
  RecordingSink sink;
  IcmpHeader icmp;
  ASSERT_EQ(DecodeIcmp(bytes, 12, false, icmp, sink), TransportOutcome::kOk);
  EXPECT_EQ(icmp.type, 8);
  EXPECT_EQ(icmp.code, 0);
  EXPECT_EQ(icmp.rest_of_header, 0x00010001u);
  EXPECT_EQ(icmp.payload.size(), 4u);
  const auto v6 = Hex("01 04 0000 00000000 6000");  // destination unreachable, port unreachable
  ASSERT_EQ(DecodeIcmp(v6, 10, true, icmp, sink), TransportOutcome::kOk);
  EXPECT_EQ(icmp.type, 1);
  EXPECT_EQ(icmp.code, 4);
  EXPECT_TRUE(sink.names.empty());
}

TEST(Icmp, TruncatedKeepsTypeAndCode) {
  const auto bytes = IcmpEcho();
  RecordingSink sink;
  IcmpHeader icmp;
  EXPECT_EQ(DecodeIcmp(std::span(bytes).first(4), 12, false, icmp, sink),
            TransportOutcome::kMalformed);
  ASSERT_EQ(sink.names.size(), 1u);
  EXPECT_EQ(sink.names[0], "icmp.truncated");
  EXPECT_EQ(icmp.type, 8);
}

TEST(Transport, TruncationSweep) {
  const std::vector<std::vector<std::uint8_t>> fixtures = {TcpSynWithOptions(), UdpDns(),
                                                           IcmpEcho()};
  for (std::size_t f = 0; f < fixtures.size(); ++f) {
    const auto& fixture = fixtures[f];
    const auto declared = static_cast<std::uint32_t>(fixture.size());
    for (std::size_t n = 0; n <= fixture.size(); ++n) {
      const std::vector<std::uint8_t> prefix(fixture.begin(), fixture.begin() + n);
      RecordingSink sink;
      TransportOutcome outcome;
      std::span<const std::uint8_t> payload;
      if (f == 0) {
        TcpHeader h;
        outcome = DecodeTcp(prefix, declared, h, sink);
        payload = h.payload;
      } else if (f == 1) {
        UdpHeader h;
        outcome = DecodeUdp(prefix, declared, h, sink);
        payload = h.payload;
      } else {
        IcmpHeader h;
        outcome = DecodeIcmp(prefix, declared, false, h, sink);
        payload = h.payload;
      }
      // Cut by the capture, never malformed: only *.truncated may be reported.
      if (outcome == TransportOutcome::kMalformed) {
        ASSERT_EQ(sink.names.size(), 1u);
        EXPECT_NE(sink.names[0].find(".truncated"), std::string::npos) << sink.names[0];
      } else {
        EXPECT_TRUE(sink.names.empty());
        if (!payload.empty()) {
          EXPECT_LE(payload.data() + payload.size(), prefix.data() + prefix.size());
        }
      }
    }
  }
}

}  // namespace
}  // namespace beffroi::net::transport
