// IPv4 and IPv6 header decoding: from the network-layer bytes of one frame to addresses,
// protocol, lengths and fragment fields.
//
// DecodeIp() reads the fixed header (IPv4 options are skipped; IPv6 extension headers are walked
// with a count limit) and returns spans into the caller's bytes: no copy, valid as long as they
// are. Lengths are taken from the headers, bounded by what was captured: a payload cut by the
// capture's snaplen sets `truncated` and is not an anomaly; a header cut or a length field that
// contradicts itself is. Header checksums are not verified: checksum offloading makes bad sums
// common on captures taken at an endpoint. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "agents/net/protocol/anomaly.h"
#include "agents/net/protocol/ip/address.h"

namespace beffroi::net::ip {

// IANA "Assigned Internet Protocol Numbers" used by the decoders.
inline constexpr std::uint8_t kProtoHopByHop = 0;
inline constexpr std::uint8_t kProtoIpInIp = 4;  // RFC 2003
inline constexpr std::uint8_t kProtoIpv6 = 41;   // RFC 4213 6in4
inline constexpr std::uint8_t kProtoRouting = 43;
inline constexpr std::uint8_t kProtoFragment = 44;
inline constexpr std::uint8_t kProtoEsp = 50;  // RFC 4303
inline constexpr std::uint8_t kProtoAh = 51;   // RFC 4302
inline constexpr std::uint8_t kProtoNoNextHeader = 59;
inline constexpr std::uint8_t kProtoDestinationOptions = 60;
inline constexpr std::uint8_t kProtoMobility = 135;     // RFC 6275
inline constexpr std::uint8_t kProtoHip = 139;          // RFC 7401
inline constexpr std::uint8_t kProtoShim6 = 140;        // RFC 5533
inline constexpr std::uint8_t kProtoExperiment1 = 253;  // RFC 3692
inline constexpr std::uint8_t kProtoExperiment2 = 254;

inline constexpr std::size_t kIpv4MinHeaderLength = 20;  // RFC 791 §3.1: IHL >= 5 words
inline constexpr std::size_t kIpv6HeaderLength = 40;     // RFC 8200 §3
// RFC 8200 §4.1 allows each extension header once (destination options twice) and lists eight
// kinds in the recommended order; ten leaves room for AH, HIP and shim6 without letting a chain
// of thousands of 8-byte headers drive the walk.
inline constexpr std::uint8_t kMaxIpv6ExtensionHeaders = 10;

enum class IpOutcome : std::uint8_t {
  kOk,         // header decoded; see `fragment` and `protocol`
  kMalformed,  // an anomaly was reported
  kEncrypted,  // IPv6 ESP (RFC 4303) in the extension chain: nothing more to decode
};

struct IpPacket {
  std::uint8_t version = 0;
  std::uint8_t ttl = 0;              // IPv6: hop limit
  std::uint8_t protocol = 0;         // upper-layer protocol (after IPv6 extension headers); for a
                                     // fragment, the protocol of the fragmented payload
  bool truncated = false;            // the capture holds fewer bytes than the header declares
  bool length_from_capture = false;  // length field 0 (Linux TSO / BIG TCP): wire length used
  IpAddress src;
  IpAddress dst;
  std::uint32_t total_length = 0;         // declared: IPv4 total length, IPv6 40 + payload length
  std::uint32_t header_length = 0;        // IPv4 IHL * 4; IPv6 40 + extension headers walked
  std::span<const std::uint8_t> payload;  // captured bytes after the headers, within declared
  std::uint32_t payload_length = 0;       // declared bytes after the headers

  // Fragment fields; `fragment` is false for unfragmented and IPv6 atomic (RFC 6946) packets.
  bool fragment = false;
  bool more_fragments = false;
  std::uint32_t fragment_id = 0;      // IPv4: 16 bits; IPv6: 32 bits
  std::uint32_t fragment_offset = 0;  // in bytes
  // Bytes that precede the fragmentable part and count against the 65535-byte limit of a
  // reassembled packet: IPv4 the header, IPv6 the extension headers before the fragment header.
  std::uint32_t unfragmentable_length = 0;
};

// `version_hint` is 4 or 6 when the link layer said so (the version nibble must agree), 0 to
// dispatch on the nibble. `wire_size` is the network-layer length on the wire (0 when unknown);
// it is only used when a length field is 0 (segmentation offload).
IpOutcome DecodeIp(std::span<const std::uint8_t> bytes, std::uint8_t version_hint,
                   std::size_t wire_size, std::uint8_t max_extension_headers, IpPacket& out,
                   AnomalySink& anomalies);
IpOutcome DecodeIpv4(std::span<const std::uint8_t> bytes, std::size_t wire_size, IpPacket& out,
                     AnomalySink& anomalies);
IpOutcome DecodeIpv6(std::span<const std::uint8_t> bytes, std::size_t wire_size,
                     std::uint8_t max_extension_headers, IpPacket& out, AnomalySink& anomalies);

// True for the IPv6 extension headers the walk steps over (not ESP, not no-next-header).
bool IsIpv6ExtensionHeader(std::uint8_t next_header);

struct Ipv6Walk {
  std::uint8_t protocol = 0;        // first non-extension next header
  std::size_t length = 0;           // bytes of extension headers walked
  std::size_t before_fragment = 0;  // bytes of extension headers before the fragment header
  bool fragment = false;            // stopped at a (non-atomic) fragment header
  bool more_fragments = false;
  std::uint32_t fragment_id = 0;
  std::uint32_t fragment_offset = 0;
};

// Walks the extension headers that start with `next_header` over `captured` (the bytes present)
// within `declared` bytes (what the IPv6 payload length allows). Used on the IPv6 payload and,
// after reassembly, on the fragmentable part. Stops after a fragment header that is not atomic.
IpOutcome WalkIpv6Extensions(std::uint8_t next_header, std::span<const std::uint8_t> captured,
                             std::size_t declared, std::uint8_t max_extension_headers,
                             Ipv6Walk& out, AnomalySink& anomalies);

}  // namespace beffroi::net::ip
