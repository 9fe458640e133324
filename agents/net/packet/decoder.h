// Decoder: one captured frame in, one decoded Packet out (link, IP, fragments, transport).
//
// Decode() composes protocol/link, protocol/ip (with fragment reassembly) and
// protocol/transport. For an ordinary packet it copies nothing and allocates nothing: Packet's
// spans point into the caller's frame. For a datagram completed by reassembly they point into a
// buffer the Decoder owns, valid until the next Decode() call. IP-in-IP and IPv6-in-IPv4 (proto
// 4 and 41) are decoded: the Packet then describes the inner packet, with the outer addresses
// kept in outer_src/outer_dst. Malformed input is reported to the AnomalySink and Decode()
// returns kMalformed; bad input never throws and every loop is bounded (DecoderLimits).
// Fragment timeouts advance with the packets' timestamps. Not thread-safe: one per worker.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "agents/net/packet/packet.h"
#include "agents/net/protocol/anomaly.h"
#include "agents/net/protocol/ip/fragment_reassembler.h"
#include "agents/net/protocol/ip/ip_header.h"
#include "agents/net/protocol/link/link_layer.h"

namespace beffroi::net {

// Upper bound of DecoderLimits::max_ip_layers: one reassembly buffer is kept per layer.
inline constexpr std::uint8_t kMaxIpLayers = 4;

struct DecoderLimits {
  std::uint8_t max_vlan_tags = link::kMaxVlanTags;
  std::uint8_t max_ipv6_extension_headers = ip::kMaxIpv6ExtensionHeaders;
  // IP headers decoded per frame: 2 = the outer packet and one tunnelled inside it; 1 leaves
  // tunnels opaque (kIpOther). Clamped to [1, kMaxIpLayers].
  std::uint8_t max_ip_layers = 2;
  ip::FragmentLimits fragments;
};

enum class DecodeOutcome : std::uint8_t {
  kTransport,        // IP + TCP/UDP/ICMP/ICMPv6 decoded
  kIpOther,          // IP with another protocol (GRE, SCTP, no next header, ...)
  kNotIp,            // a valid frame that is not IP (ARP, LLDP, 802.3 LLC, ...)
  kFragmentPending,  // an IP fragment: nothing to hand on until its datagram completes
  kUndecodable,      // ESP payload, or a link type link::IsSupportedLinkType() rejects
  kMalformed,        // an anomaly was reported; fields are filled as far as decoding got
};

class Decoder {
 public:
  struct Stats {
    std::uint64_t frames = 0;
    std::uint64_t unsupported_link = 0;  // frames of a link type DecodeLink() does not know
    std::uint64_t not_ip = 0;
    std::uint64_t ipv4 = 0;  // IP headers decoded, tunnelled ones included
    std::uint64_t ipv6 = 0;
    std::uint64_t tcp = 0;  // transport headers decoded (kTransport outcomes)
    std::uint64_t udp = 0;
    std::uint64_t icmp = 0;
    std::uint64_t icmpv6 = 0;
    std::uint64_t ip_other = 0;             // kIpOther outcomes
    std::uint64_t undecodable = 0;          // ESP (unsupported link types counted above)
    std::uint64_t malformed = 0;            // kMalformed outcomes
    std::uint64_t truncated = 0;            // packets whose IP payload the snaplen cut
    std::uint64_t tunnels = 0;              // inner IP packets decoded
    std::uint64_t length_from_capture = 0;  // IP length field 0 (TSO / BIG TCP)
    std::uint64_t fragments_truncated = 0;  // fragments cut by the snaplen: not buffered
    ip::FragmentStats fragments;  // fragments, reassembled, timeouts, evictions, pending, ...
  };

  explicit Decoder(DecoderLimits limits = {});

  DecodeOutcome Decode(std::uint32_t dlt, std::span<const std::uint8_t> frame,
                       std::uint32_t wire_length, std::int64_t ts_ns, Packet& out,
                       AnomalySink& anomalies);

  // Counters so far; the fragment part is refreshed here, not on every packet.
  const Stats& stats() const {
    stats_.fragments = reassembler_.stats();
    return stats_;
  }
  const DecoderLimits& limits() const { return limits_; }

 private:
  DecodeOutcome DecodeNetwork(std::span<const std::uint8_t> bytes, std::uint8_t version_hint,
                              std::size_t wire_size, std::uint8_t depth, Packet& out,
                              AnomalySink& anomalies);
  DecodeOutcome DecodeFragment(const ip::IpPacket& header, std::uint8_t depth, Packet& out,
                               AnomalySink& anomalies);
  // `first_fragment_only`: the payload is fragment 0 of a datagram that will not be reassembled,
  // so lengths in the transport header may exceed `declared`.
  DecodeOutcome DecodeUpper(std::uint8_t protocol, std::span<const std::uint8_t> payload,
                            std::uint32_t declared, std::uint8_t depth, bool first_fragment_only,
                            Packet& out, AnomalySink& anomalies);
  DecodeOutcome DecodeTransport(std::uint8_t protocol, std::span<const std::uint8_t> payload,
                                std::uint32_t declared, bool first_fragment_only, Packet& out,
                                AnomalySink& anomalies);
  DecodeOutcome Count(DecodeOutcome outcome);

  DecoderLimits limits_;
  mutable Stats stats_;
  ip::FragmentReassembler reassembler_;
  // Completed datagrams, one buffer per IP layer, so that a tunnelled fragment can complete
  // while the outer datagram's buffer is still being read.
  std::array<std::vector<std::uint8_t>, kMaxIpLayers> reassembled_;
};

}  // namespace beffroi::net
