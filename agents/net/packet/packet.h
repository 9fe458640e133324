// Packet: what the Decoder makes of one captured frame (link, IP and transport fields).
//
// A plain value filled by Decoder::Decode(). Its spans borrow either the caller's frame or the
// Decoder's reassembly buffer: they are valid until the frame is released or the next Decode()
// call, whichever comes first; copy what must live longer. Thread-compatible.
#pragma once

#include <cstdint>
#include <span>

#include "agents/net/protocol/ip/address.h"

namespace beffroi::net {

// VLAN ids kept per packet (outer, inner); the same as link::kMaxKeptVlanIds.
inline constexpr std::uint8_t kMaxPacketVlanIds = 2;

struct Packet {
  std::int64_t ts_ns = 0;
  std::uint32_t wire_length = 0;            // frame length on the wire (as given by the caller)
  std::uint16_t vlan[kMaxPacketVlanIds]{};  // outermost first
  std::uint8_t vlan_count = 0;              // ids in `vlan`
  std::uint8_t ip_version = 0;
  std::uint8_t ttl = 0;           // hop limit for IPv6; for a reassembled datagram, fragment 0's
  bool reassembled = false;       // built from IP fragments
  bool truncated = false;         // the capture (snaplen) cut the IP payload
  std::uint8_t tunnel_depth = 0;  // 0: no tunnel; 1: the fields describe the tunnelled packet
  IpAddress outer_src;            // the outermost IP addresses (equal to tuple's without tunnel)
  IpAddress outer_dst;
  FiveTuple tuple;              // ports 0 for ICMP/other; protocol = IP protocol number
  std::uint32_t ip_length = 0;  // IP total length as declared (innermost; reassembled total)
  // TCP
  std::uint32_t tcp_seq = 0;
  std::uint32_t tcp_ack = 0;
  std::uint16_t tcp_window = 0;  // unscaled
  std::uint8_t tcp_flags = 0;    // FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128
  std::span<const std::uint8_t> tcp_options;  // see transport::ParseTcpOptions
  // ICMP / ICMPv6
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
  std::span<const std::uint8_t> payload;  // the transport payload actually captured
  std::uint32_t payload_length = 0;       // what the headers declare (>= payload.size())
};

}  // namespace beffroi::net
