// Link-layer decoding: from one captured frame and its libpcap link type to the IP bytes inside.
//
// DecodeLink() strips Ethernet II (with 802.1Q / 802.1ad / QinQ tags), Linux cooked capture
// (SLL, SLL2), BSD loopback (NULL, LOOP) and raw-IP link headers, and hands back a span over the
// network-layer bytes of the caller's frame: no copy, valid as long as the frame. A frame that
// carries something other than IP (ARP, LLDP, 802.3/LLC, ...) is kNotIp, which is counted by the
// caller and is not an anomaly. The input is the captured bytes (caplen), never the wire length.
// Pure functions over bytes; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "agents/net/protocol/anomaly.h"

namespace beffroi::net::link {

// Link types as pcap_datalink() returns them on Linux (DLT_*; see pcap/dlt.h and
// https://www.tcpdump.org/linktypes.html for the LINKTYPE_* values of the file headers).
inline constexpr std::uint32_t kDltNull = 0;         // BSD loopback, host-order family
inline constexpr std::uint32_t kDltEn10Mb = 1;       // Ethernet II
inline constexpr std::uint32_t kDltRaw = 12;         // raw IP (Linux value)
inline constexpr std::uint32_t kDltRawBsd = 14;      // raw IP (OpenBSD / BSD/OS value)
inline constexpr std::uint32_t kLinktypeRaw = 101;   // raw IP as stored in pcap files
inline constexpr std::uint32_t kDltLoop = 108;       // OpenBSD loopback, network-order family
inline constexpr std::uint32_t kDltLinuxSll = 113;   // Linux cooked capture v1
inline constexpr std::uint32_t kDltIpv4 = 228;       // raw IPv4 only
inline constexpr std::uint32_t kDltIpv6 = 229;       // raw IPv6 only
inline constexpr std::uint32_t kDltLinuxSll2 = 276;  // Linux cooked capture v2

// Stacked VLAN tags accepted before the frame is reported as `link.vlan_depth`. IEEE 802.1ad
// QinQ uses two; four leaves room for provider backbone stacks without letting a frame of
// repeated 0x8100 tags drive the loop.
inline constexpr std::uint8_t kMaxVlanTags = 4;
// VLAN ids kept per frame (outer, inner): what the flow table and the events report.
inline constexpr std::uint8_t kMaxKeptVlanIds = 2;

// True when DecodeLink() understands `dlt`.
bool IsSupportedLinkType(std::uint32_t dlt);
// libpcap's short name of a link type ("EN10MB", "LINUX_SLL2", "IEEE802_11_RADIO", ...),
// known for unsupported types too, so that a caller can say "unsupported link type 127
// (IEEE802_11_RADIO)"; "unknown" otherwise.
std::string_view LinkTypeName(std::uint32_t dlt);

enum class LinkOutcome : std::uint8_t {
  kIp,           // `network` holds an IP packet
  kNotIp,        // a valid frame carrying something else (ARP, LLDP, 802.3 LLC, ...)
  kUnsupported,  // IsSupportedLinkType(dlt) is false; nothing reported
  kMalformed,    // an anomaly was reported (link.truncated, link.vlan_depth)
};

struct LinkFrame {
  std::span<const std::uint8_t> network;  // the bytes after the link header
  std::uint16_t ethertype = 0;            // ethertype / SLL protocol; 0 for raw and loopback
  std::uint8_t ip_version = 0;            // 4 or 6 from the link header; 0: read the IP nibble
  std::uint8_t vlan_count = 0;            // ids kept in `vlan` (at most kMaxKeptVlanIds)
  std::uint16_t vlan[kMaxKeptVlanIds]{};  // outermost first
};

// Decodes the link header of `frame`. `max_vlan_tags` bounds the stacked tags accepted.
LinkOutcome DecodeLink(std::uint32_t dlt, std::span<const std::uint8_t> frame,
                       std::uint8_t max_vlan_tags, LinkFrame& out, AnomalySink& anomalies);

}  // namespace beffroi::net::link
