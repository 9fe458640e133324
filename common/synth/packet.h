// Hand-built packet headers for the capture generator: link layers (Ethernet, 802.1Q, QinQ,
// Linux SLL and SLL2, raw IP, BSD null and loop), IPv4/IPv6, UDP, TCP and ICMP echo, with
// correct lengths and checksums.
//
// Every function appends to a caller-owned Bytes so that the benchmark generator can reuse one
// buffer per frame. Nothing here parses anything: the fixtures must stay independent of the
// parsers they test. Thread-safe (no shared state).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/synth/bytes.h"

namespace beffroi::synth {

inline constexpr std::uint8_t kProtoIcmp = 1;
inline constexpr std::uint8_t kProtoTcp = 6;
inline constexpr std::uint8_t kProtoUdp = 17;
inline constexpr std::uint8_t kProtoIpv6Frag = 44;
inline constexpr std::uint8_t kProtoIcmpv6 = 58;
inline constexpr std::uint8_t kProtoIpv6HopByHop = 0;
inline constexpr std::uint8_t kProtoIpv6DestOpts = 60;

inline constexpr std::uint8_t kTcpFin = 0x01;
inline constexpr std::uint8_t kTcpSyn = 0x02;
inline constexpr std::uint8_t kTcpRst = 0x04;
inline constexpr std::uint8_t kTcpPsh = 0x08;
inline constexpr std::uint8_t kTcpAck = 0x10;

// An IPv4 or IPv6 address; IPv4 uses the first four bytes.
struct Addr {
  bool v6 = false;
  std::array<std::uint8_t, 16> b{};
};

constexpr Addr Ip4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  Addr r;
  r.b[0] = a;
  r.b[1] = b;
  r.b[2] = c;
  r.b[3] = d;
  return r;
}
// IPv6 from its eight 16-bit groups: Ip6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}) is 2001:db8::1.
constexpr Addr Ip6(const std::array<std::uint16_t, 8>& groups) {
  Addr r;
  r.v6 = true;
  for (std::size_t i = 0; i < 8; ++i) {
    r.b[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
    r.b[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xff);
  }
  return r;
}

using Mac = std::array<std::uint8_t, 6>;
// A locally administered MAC derived from an address, so a host keeps one MAC everywhere.
Mac MacFor(const Addr& a);

enum class Link { kEthernet, kVlan, kQinQ, kSll, kSll2, kRaw, kNull, kLoop };

// The pcap LINKTYPE_ value written in the file header for `link`.
std::uint32_t LinkTypeOf(Link link);

struct LinkHeader {
  Link link = Link::kEthernet;
  Mac src_mac{};
  Mac dst_mac{};
  std::uint16_t vlan = 0;        // 802.1Q VID (kVlan, and the inner tag of kQinQ)
  std::uint16_t outer_vlan = 0;  // 802.1ad service tag (kQinQ)
  bool outgoing = false;         // SLL/SLL2 packet type: 4 (outgoing) or 0 (to us)
};

void AppendLinkHeader(Bytes& out, const LinkHeader& link, bool v6);
// Ethernet-family frames shorter than 60 bytes are padded, as a NIC would (the IP total length,
// not the frame length, tells a parser where the packet ends).
void PadLinkFrame(Bytes& out, Link link);

void AppendIpv4Header(Bytes& out, const Addr& src, const Addr& dst, std::uint8_t proto,
                      std::size_t payload_len, std::uint16_t id, std::uint16_t frag_field = 0x4000,
                      std::uint8_t ttl = 64);
void AppendIpv6Header(Bytes& out, const Addr& src, const Addr& dst, std::uint8_t next_header,
                      std::size_t payload_len, std::uint8_t hop_limit = 64);
// IPv4 (DF set) or IPv6 by src.v6; `payload_len` counts everything after this header.
void AppendIpHeader(Bytes& out, const Addr& src, const Addr& dst, std::uint8_t proto,
                    std::size_t payload_len, std::uint16_t ip_id);

// Sum of the TCP/UDP/ICMPv6 pseudo-header (RFC 793 §3.1, RFC 8200 §8.1).
std::uint64_t PseudoHeaderSum(const Addr& src, const Addr& dst, std::uint8_t proto,
                              std::size_t l4_len);

void AppendUdp(Bytes& out, const Addr& src, const Addr& dst, std::uint16_t sport,
               std::uint16_t dport, ByteSpan payload);

struct TcpFields {
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 502;
  std::uint16_t mss = 1460;  // sent as an option on SYN segments only
};
std::size_t TcpHeaderLength(const TcpFields& tcp);
void AppendTcp(Bytes& out, const Addr& src, const Addr& dst, const TcpFields& tcp,
               ByteSpan payload);

// ICMP (IPv4) or ICMPv6 echo request/reply, by src.v6.
void AppendIcmpEcho(Bytes& out, const Addr& src, const Addr& dst, bool reply, std::uint16_t ident,
                    std::uint16_t seq, ByteSpan payload);

}  // namespace beffroi::synth
