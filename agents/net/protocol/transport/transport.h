// Transport headers: TCP, UDP, ICMP and ICMPv6, from the IP payload of one packet.
//
// Each decoder takes the captured IP payload (`captured`, at most what IP declares) and the
// length IP declares (`declared`), so it can tell a header cut by the capture (`*.truncated`)
// from a header that contradicts the IP length, and a payload cut by snaplen (normal: the span
// is shorter than `payload_length`) from a malformed one. Spans point into the caller's bytes.
// Checksums are not verified (offloading). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "agents/net/protocol/anomaly.h"

namespace beffroi::net::transport {

// TCP flag bits (RFC 9293 §3.1; ECE and CWR from RFC 3168).
inline constexpr std::uint8_t kTcpFin = 0x01;
inline constexpr std::uint8_t kTcpSyn = 0x02;
inline constexpr std::uint8_t kTcpRst = 0x04;
inline constexpr std::uint8_t kTcpPsh = 0x08;
inline constexpr std::uint8_t kTcpAck = 0x10;
inline constexpr std::uint8_t kTcpUrg = 0x20;
inline constexpr std::uint8_t kTcpEce = 0x40;
inline constexpr std::uint8_t kTcpCwr = 0x80;

inline constexpr std::uint32_t kTcpMinHeaderLength = 20;  // RFC 9293 §3.1: data offset >= 5
inline constexpr std::uint32_t kUdpHeaderLength = 8;      // RFC 768
inline constexpr std::uint32_t kIcmpHeaderLength = 8;     // RFC 792 / RFC 4443 §2.1 + body word
inline constexpr std::uint32_t kMaxTcpOptionBytes = 40;   // data offset 15 words - 20 bytes

enum class TransportOutcome : std::uint8_t { kOk, kMalformed /* an anomaly was reported */ };

struct TcpHeader {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t header_length = 0;  // data offset * 4
  std::uint8_t flags = 0;          // kTcp* bits
  std::uint16_t window = 0;        // unscaled
  std::uint16_t urgent_pointer = 0;
  std::span<const std::uint8_t> options;  // header_length - 20 bytes, see ParseTcpOptions
  std::span<const std::uint8_t> payload;  // captured payload
  std::uint32_t payload_length = 0;       // declared payload (>= payload.size())
};

struct UdpHeader {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint16_t length = 0;  // as declared in the header
  std::span<const std::uint8_t> payload;
  std::uint32_t payload_length = 0;  // min(UDP length, IP payload) - 8
};

// ICMP (RFC 792) and ICMPv6 (RFC 4443) share this shape: type, code, checksum, then a
// type-specific word (echo identifier and sequence, MTU, pointer, unused).
struct IcmpHeader {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint32_t rest_of_header = 0;
  std::span<const std::uint8_t> payload;  // after the 8-byte header (a quoted IP header for errors)
  std::uint32_t payload_length = 0;
};

TransportOutcome DecodeTcp(std::span<const std::uint8_t> captured, std::uint32_t declared,
                           TcpHeader& out, AnomalySink& anomalies);
TransportOutcome DecodeUdp(std::span<const std::uint8_t> captured, std::uint32_t declared,
                           UdpHeader& out, AnomalySink& anomalies);
// `v6` picks the anomaly wording only; both use `icmp.truncated`.
TransportOutcome DecodeIcmp(std::span<const std::uint8_t> captured, std::uint32_t declared, bool v6,
                            IcmpHeader& out, AnomalySink& anomalies);

struct TcpOptions {
  bool has_mss = false;
  bool has_window_scale = false;
  bool sack_permitted = false;
  bool has_timestamps = false;
  std::uint16_t mss = 0;          // RFC 9293 §3.2
  std::uint8_t window_scale = 0;  // RFC 7323 §2 (shift count as sent; > 14 means 14)
  std::uint32_t ts_value = 0;     // RFC 7323 §3
  std::uint32_t ts_echo_reply = 0;
};

// Parses the options of a TcpHeader. Returns false at the first malformed option (length below
// 2 or past the end); the options before it are kept. Not called by DecodeTcp: it costs a loop
// and only the SYN handling of the flow table needs it.
bool ParseTcpOptions(std::span<const std::uint8_t> options, TcpOptions& out);

}  // namespace beffroi::net::transport
