#include "agents/net/protocol/transport/transport.h"

#include <algorithm>

#include "agents/net/protocol/ip/anomaly_format.h"
#include "common/byte_reader.h"

namespace beffroi::net::transport {
namespace {

// TCP option kinds (IANA "TCP Option Kind Numbers").
constexpr std::uint8_t kOptionEnd = 0;
constexpr std::uint8_t kOptionNop = 1;
constexpr std::uint8_t kOptionMss = 2;            // RFC 9293 §3.2, length 4
constexpr std::uint8_t kOptionWindowScale = 3;    // RFC 7323 §2.2, length 3
constexpr std::uint8_t kOptionSackPermitted = 4;  // RFC 2018 §2, length 2
constexpr std::uint8_t kOptionTimestamps = 8;     // RFC 7323 §3.2, length 10

std::span<const std::uint8_t> Clamp(std::span<const std::uint8_t> captured,
                                    std::uint32_t declared) {
  return captured.size() > declared ? captured.first(declared) : captured;
}

}  // namespace

TransportOutcome DecodeTcp(std::span<const std::uint8_t> captured, std::uint32_t declared,
                           TcpHeader& out, AnomalySink& anomalies) {
  out = TcpHeader{};
  captured = Clamp(captured, declared);
  if (declared < kTcpMinHeaderLength) {
    ReportAnomalyF(anomalies, "tcp.bad_data_offset",
                   "IP payload of %u bytes is shorter than a TCP header", declared);
    return TransportOutcome::kMalformed;
  }
  ByteReader reader(captured);
  if (kTcpMinHeaderLength > reader.remaining()) {
    ReportAnomalyF(anomalies, "tcp.truncated", "TCP header needs 20 bytes, %zu captured",
                   reader.remaining());
    return TransportOutcome::kMalformed;
  }
  std::uint8_t offset_byte = 0;
  std::uint16_t checksum = 0;
  (void)reader.ReadU16Be(out.src_port);
  (void)reader.ReadU16Be(out.dst_port);
  (void)reader.ReadU32Be(out.seq);
  (void)reader.ReadU32Be(out.ack);
  (void)reader.ReadU8(offset_byte);
  (void)reader.ReadU8(out.flags);
  (void)reader.ReadU16Be(out.window);
  (void)reader.ReadU16Be(checksum);  // not verified: offloading
  (void)reader.ReadU16Be(out.urgent_pointer);
  const std::uint32_t header_length = static_cast<std::uint32_t>(offset_byte >> 4) * 4;
  if (header_length < kTcpMinHeaderLength) {
    ReportAnomalyF(anomalies, "tcp.bad_data_offset", "data offset %u words is below 5",
                   header_length / 4);
    return TransportOutcome::kMalformed;
  }
  if (header_length > declared) {
    ReportAnomalyF(anomalies, "tcp.bad_data_offset",
                   "header of %u bytes is longer than the IP payload of %u", header_length,
                   declared);
    return TransportOutcome::kMalformed;
  }
  if (header_length > captured.size()) {
    ReportAnomalyF(anomalies, "tcp.truncated", "TCP header of %u bytes, %zu captured",
                   header_length, captured.size());
    return TransportOutcome::kMalformed;
  }
  out.header_length = static_cast<std::uint8_t>(header_length);
  out.options = captured.subspan(kTcpMinHeaderLength, header_length - kTcpMinHeaderLength);
  out.payload = captured.subspan(header_length);
  out.payload_length = declared - header_length;
  return TransportOutcome::kOk;
}

TransportOutcome DecodeUdp(std::span<const std::uint8_t> captured, std::uint32_t declared,
                           UdpHeader& out, AnomalySink& anomalies) {
  out = UdpHeader{};
  captured = Clamp(captured, declared);
  if (declared < kUdpHeaderLength) {
    ReportAnomalyF(anomalies, "udp.length_mismatch",
                   "IP payload of %u bytes is shorter than a UDP header", declared);
    return TransportOutcome::kMalformed;
  }
  ByteReader reader(captured);
  if (kUdpHeaderLength > reader.remaining()) {
    ReportAnomalyF(anomalies, "udp.truncated", "UDP header needs 8 bytes, %zu captured",
                   reader.remaining());
    return TransportOutcome::kMalformed;
  }
  std::uint16_t checksum = 0;
  (void)reader.ReadU16Be(out.src_port);
  (void)reader.ReadU16Be(out.dst_port);
  (void)reader.ReadU16Be(out.length);
  (void)reader.ReadU16Be(checksum);  // not verified: offloading
  bool mismatch = false;
  std::uint32_t udp_length = out.length;
  if (udp_length < kUdpHeaderLength || udp_length > declared) {
    // The length field is wrong; the IP payload is the better bound (the min of the two).
    ReportAnomalyF(anomalies, "udp.length_mismatch", "UDP length %u, IP payload %u", out.length,
                   declared);
    udp_length = udp_length < kUdpHeaderLength ? declared : std::min(udp_length, declared);
    mismatch = true;
  }
  // A UDP length below the IP payload is legal: the surplus is padding or UDP options.
  out.payload_length = udp_length - kUdpHeaderLength;
  out.payload = reader.Rest().first(std::min<std::size_t>(reader.remaining(), out.payload_length));
  return mismatch ? TransportOutcome::kMalformed : TransportOutcome::kOk;
}

TransportOutcome DecodeIcmp(std::span<const std::uint8_t> captured, std::uint32_t declared, bool v6,
                            IcmpHeader& out, AnomalySink& anomalies) {
  out = IcmpHeader{};
  captured = Clamp(captured, declared);
  const char* name = v6 ? "ICMPv6" : "ICMP";
  ByteReader reader(captured);
  if (declared < kIcmpHeaderLength) {
    ReportAnomalyF(anomalies, "icmp.truncated",
                   "IP payload of %u bytes is shorter than an %s header", declared, name);
    return TransportOutcome::kMalformed;
  }
  if (kIcmpHeaderLength > reader.remaining()) {
    // Type and code are still worth keeping when the capture holds them.
    (void)reader.ReadU8(out.type);
    (void)reader.ReadU8(out.code);
    ReportAnomalyF(anomalies, "icmp.truncated", "%s header needs 8 bytes, %zu captured", name,
                   captured.size());
    return TransportOutcome::kMalformed;
  }
  std::uint16_t checksum = 0;
  (void)reader.ReadU8(out.type);
  (void)reader.ReadU8(out.code);
  (void)reader.ReadU16Be(checksum);
  (void)reader.ReadU32Be(out.rest_of_header);
  out.payload = reader.Rest();
  out.payload_length = declared - kIcmpHeaderLength;
  return TransportOutcome::kOk;
}

bool ParseTcpOptions(std::span<const std::uint8_t> options, TcpOptions& out) {
  out = TcpOptions{};
  if (options.size() > kMaxTcpOptionBytes) options = options.first(kMaxTcpOptionBytes);
  ByteReader reader(options);
  // Every pass consumes at least one byte, so the loop runs at most kMaxTcpOptionBytes times.
  for (std::uint32_t pass = 0; pass < kMaxTcpOptionBytes && !reader.empty(); ++pass) {
    std::uint8_t kind = 0;
    (void)reader.ReadU8(kind);
    if (kind == kOptionEnd) return true;
    if (kind == kOptionNop) continue;
    std::uint8_t length = 0;
    ByteReader body;
    if (!reader.ReadU8(length) || length < 2 || !reader.Sub(length - 2u, body)) return false;
    if (kind == kOptionMss && length == 4) {
      out.has_mss = body.ReadU16Be(out.mss);
    } else if (kind == kOptionWindowScale && length == 3) {
      out.has_window_scale = body.ReadU8(out.window_scale);
    } else if (kind == kOptionSackPermitted && length == 2) {
      out.sack_permitted = true;
    } else if (kind == kOptionTimestamps && length == 10) {
      out.has_timestamps = body.ReadU32Be(out.ts_value) && body.ReadU32Be(out.ts_echo_reply);
    }
  }
  return true;
}

}  // namespace beffroi::net::transport
