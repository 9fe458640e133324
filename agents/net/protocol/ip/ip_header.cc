#include "agents/net/protocol/ip/ip_header.h"

#include <algorithm>

#include "agents/net/protocol/ip/anomaly_format.h"
#include "common/byte_reader.h"

namespace beffroi::net::ip {
namespace {

constexpr std::uint16_t kIpv4MoreFragments = 0x2000;  // RFC 791 §3.1 flags: bit 2 (MF)
constexpr std::uint16_t kIpv4OffsetMask = 0x1FFF;     // fragment offset in 8-byte units
constexpr std::uint16_t kIpv6OffsetMask = 0xFFF8;     // RFC 8200 §4.5: offset << 3 = bytes
constexpr std::uint16_t kIpv6MoreFragments = 0x0001;
constexpr std::size_t kIpv6FragmentHeaderLength = 8;  // RFC 8200 §4.5
constexpr std::size_t kIpv6MinExtensionLength = 8;    // RFC 8200 §4: multiples of 8 octets

IpOutcome Malformed() {
  return IpOutcome::kMalformed;
}

// Length of the extension header whose first two bytes are `first2`.
std::size_t ExtensionLength(std::uint8_t next_header, std::span<const std::uint8_t> first2) {
  if (next_header == kProtoFragment) return kIpv6FragmentHeaderLength;
  // RFC 4302 §2.2: AH length is in 4-octet units, minus 2.
  if (next_header == kProtoAh) return (static_cast<std::size_t>(first2[1]) + 2) * 4;
  // RFC 8200 §4.3-4.6: Hdr Ext Len in 8-octet units, not counting the first 8.
  return (static_cast<std::size_t>(first2[1]) + 1) * 8;
}

// Reads a fragment header that ReadExtension already bounds-checked.
void ReadFragmentHeader(ByteReader& reader, std::uint8_t& next, Ipv6Walk& out) {
  std::uint8_t reserved = 0;
  std::uint16_t offset_flags = 0;
  (void)reader.ReadU8(next);
  (void)reader.ReadU8(reserved);
  (void)reader.ReadU16Be(offset_flags);
  (void)reader.ReadU32Be(out.fragment_id);
  out.fragment_offset = offset_flags & kIpv6OffsetMask;
  out.more_fragments = (offset_flags & kIpv6MoreFragments) != 0;
}

// The fixed 20 bytes of an IPv4 header (RFC 791 §3.1), read once the caller checked they are
// all present.
struct Ipv4Fixed {
  std::uint8_t version_ihl = 0;
  std::uint16_t total_length = 0;
  std::uint16_t id = 0;
  std::uint16_t flags_offset = 0;
  std::span<const std::uint8_t> src;
  std::span<const std::uint8_t> dst;
};

void ReadIpv4Fixed(ByteReader& reader, Ipv4Fixed& fixed, IpPacket& out) {
  std::uint8_t tos = 0;
  std::uint16_t checksum = 0;  // not verified: offloading makes bad sums common
  (void)reader.ReadU8(fixed.version_ihl);
  (void)reader.ReadU8(tos);
  (void)reader.ReadU16Be(fixed.total_length);
  (void)reader.ReadU16Be(fixed.id);
  (void)reader.ReadU16Be(fixed.flags_offset);
  (void)reader.ReadU8(out.ttl);
  (void)reader.ReadU8(out.protocol);
  (void)reader.ReadU16Be(checksum);
  (void)reader.ReadBytes(4, fixed.src);
  (void)reader.ReadBytes(4, fixed.dst);
}

}  // namespace

bool IsIpv6ExtensionHeader(std::uint8_t next_header) {
  switch (next_header) {
    case kProtoHopByHop:
    case kProtoRouting:
    case kProtoFragment:
    case kProtoAh:
    case kProtoDestinationOptions:
    case kProtoMobility:
    case kProtoHip:
    case kProtoShim6:
    case kProtoExperiment1:
    case kProtoExperiment2:
      return true;
    default:
      return false;
  }
}

IpOutcome WalkIpv6Extensions(std::uint8_t next_header, std::span<const std::uint8_t> captured,
                             std::size_t declared, std::uint8_t max_extension_headers,
                             Ipv6Walk& out, AnomalySink& anomalies) {
  out = Ipv6Walk{};
  if (captured.size() > declared) captured = captured.first(declared);
  ByteReader reader(captured);
  std::uint8_t next = next_header;
  for (std::uint8_t count = 0; IsIpv6ExtensionHeader(next); ++count) {
    if (count >= max_extension_headers) {
      ReportAnomalyF(anomalies, "ipv6.extension_header_limit", "more than %u extension headers",
                     static_cast<unsigned>(max_extension_headers));
      return Malformed();
    }
    const std::size_t declared_left = declared - reader.position();
    std::span<const std::uint8_t> first2;
    if (kIpv6MinExtensionLength > declared_left) {
      ReportAnomalyF(anomalies, "ipv6.bad_extension_header_length",
                     "extension header %u at offset %zu past the payload length", next,
                     reader.position());
      return Malformed();
    }
    if (!reader.Peek(2, first2)) {
      ReportAnomalyF(anomalies, "ipv6.extension_header_truncated",
                     "extension header %u cut by the capture at offset %zu", next,
                     reader.position());
      return Malformed();
    }
    const std::size_t length = ExtensionLength(next, first2);
    if (length > declared_left) {
      ReportAnomalyF(anomalies, "ipv6.bad_extension_header_length",
                     "extension header %u of %zu bytes, payload length leaves %zu", next, length,
                     declared_left);
      return Malformed();
    }
    if (length > reader.remaining()) {
      ReportAnomalyF(anomalies, "ipv6.extension_header_truncated",
                     "extension header %u of %zu bytes, %zu captured", next, length,
                     reader.remaining());
      return Malformed();
    }
    if (next == kProtoFragment) {
      const std::size_t before = reader.position();
      ReadFragmentHeader(reader, next, out);
      // RFC 6946: offset 0 without M is an atomic fragment, a whole packet; walk on.
      if (out.fragment_offset == 0 && !out.more_fragments) continue;
      out.fragment = true;
      out.before_fragment = before;
      break;  // what follows belongs to the fragmentable part
    }
    next = first2[0];
    (void)reader.Skip(length);
  }
  out.protocol = next;
  out.length = reader.position();
  return next == kProtoEsp ? IpOutcome::kEncrypted : IpOutcome::kOk;
}

IpOutcome DecodeIpv4(std::span<const std::uint8_t> bytes, std::size_t wire_size, IpPacket& out,
                     AnomalySink& anomalies) {
  out = IpPacket{};
  ByteReader reader(bytes);
  if (kIpv4MinHeaderLength > reader.remaining()) {
    ReportAnomalyF(anomalies, "ip.truncated", "IPv4 header needs 20 bytes, %zu captured",
                   reader.remaining());
    return Malformed();
  }
  Ipv4Fixed fixed;
  ReadIpv4Fixed(reader, fixed, out);
  out.version = static_cast<std::uint8_t>(fixed.version_ihl >> 4);
  if (out.version != 4) {
    ReportAnomalyF(anomalies, "ip.bad_version", "version %u in an IPv4 header", out.version);
    return Malformed();
  }
  const std::size_t header_length = static_cast<std::size_t>(fixed.version_ihl & 0x0F) * 4;
  if (header_length < kIpv4MinHeaderLength) {
    ReportAnomalyF(anomalies, "ip.bad_header_length", "IHL %zu bytes is below 20", header_length);
    return Malformed();
  }
  std::size_t total_length = fixed.total_length;
  if (total_length == 0) {
    // Linux TSO and BIG TCP (>64 KiB GSO) leave the field 0 on locally sent packets; like
    // tcpdump, take the length from the frame.
    total_length = std::max(wire_size, bytes.size());
    out.length_from_capture = true;
  }
  if (total_length < header_length) {
    ReportAnomalyF(anomalies, "ip.bad_total_length", "total length %zu below header length %zu",
                   total_length, header_length);
    return Malformed();
  }
  if (header_length > bytes.size()) {
    ReportAnomalyF(anomalies, "ip.truncated", "IPv4 header of %zu bytes, %zu captured",
                   header_length, bytes.size());
    return Malformed();
  }
  out.src = IpAddress::V4(fixed.src.data());
  out.dst = IpAddress::V4(fixed.dst.data());
  const std::size_t captured = std::min(bytes.size(), total_length);
  out.truncated = captured < total_length;
  out.total_length = static_cast<std::uint32_t>(total_length);
  out.header_length = static_cast<std::uint32_t>(header_length);
  out.payload = bytes.subspan(header_length, captured - header_length);
  out.payload_length = static_cast<std::uint32_t>(total_length - header_length);
  out.more_fragments = (fixed.flags_offset & kIpv4MoreFragments) != 0;
  out.fragment_offset = static_cast<std::uint32_t>(fixed.flags_offset & kIpv4OffsetMask) * 8;
  out.fragment = out.more_fragments || out.fragment_offset != 0;
  out.fragment_id = fixed.id;
  out.unfragmentable_length = out.header_length;
  return IpOutcome::kOk;
}

IpOutcome DecodeIpv6(std::span<const std::uint8_t> bytes, std::size_t wire_size,
                     std::uint8_t max_extension_headers, IpPacket& out, AnomalySink& anomalies) {
  out = IpPacket{};
  ByteReader reader(bytes);
  if (kIpv6HeaderLength > reader.remaining()) {
    ReportAnomalyF(anomalies, "ip.truncated", "IPv6 header needs 40 bytes, %zu captured",
                   reader.remaining());
    return Malformed();
  }
  std::uint32_t version_class_flow = 0;
  std::uint16_t payload_length = 0;
  std::uint8_t next_header = 0;
  std::span<const std::uint8_t> src, dst;
  (void)reader.ReadU32Be(version_class_flow);
  (void)reader.ReadU16Be(payload_length);
  (void)reader.ReadU8(next_header);
  (void)reader.ReadU8(out.ttl);
  (void)reader.ReadBytes(16, src);
  (void)reader.ReadBytes(16, dst);
  out.version = static_cast<std::uint8_t>(version_class_flow >> 28);
  if (out.version != 6) {
    ReportAnomalyF(anomalies, "ip.bad_version", "version %u in an IPv6 header", out.version);
    return Malformed();
  }
  out.src = IpAddress::V6(src.data());
  out.dst = IpAddress::V6(dst.data());
  std::size_t declared = payload_length;
  if (payload_length == 0) {
    if (next_header == kProtoHopByHop) {
      // RFC 2675: payload length 0 with a hop-by-hop header announces a jumbo payload option.
      anomalies.Report("ipv6.jumbogram_unsupported", "payload length 0 with hop-by-hop options");
      return Malformed();
    }
    // Linux BIG TCP (6.3+) sends >64 KiB GSO packets with payload length 0 and no jumbo option.
    declared = std::max(wire_size, bytes.size()) - kIpv6HeaderLength;
    out.length_from_capture = true;
  }
  const std::size_t captured = std::min(reader.remaining(), declared);
  out.truncated = captured < declared;
  out.total_length = static_cast<std::uint32_t>(kIpv6HeaderLength + declared);
  Ipv6Walk walk;
  const IpOutcome walked = WalkIpv6Extensions(next_header, reader.Rest().first(captured), declared,
                                              max_extension_headers, walk, anomalies);
  out.protocol = walk.protocol;
  if (walked != IpOutcome::kOk) return walked;
  out.header_length = static_cast<std::uint32_t>(kIpv6HeaderLength + walk.length);
  out.payload = reader.Rest().subspan(walk.length, captured - walk.length);
  out.payload_length = static_cast<std::uint32_t>(declared - walk.length);
  out.fragment = walk.fragment;
  out.more_fragments = walk.more_fragments;
  out.fragment_id = walk.fragment_id;
  out.fragment_offset = walk.fragment_offset;
  out.unfragmentable_length = static_cast<std::uint32_t>(walk.before_fragment);
  return IpOutcome::kOk;
}

IpOutcome DecodeIp(std::span<const std::uint8_t> bytes, std::uint8_t version_hint,
                   std::size_t wire_size, std::uint8_t max_extension_headers, IpPacket& out,
                   AnomalySink& anomalies) {
  if (bytes.empty()) {
    out = IpPacket{};
    anomalies.Report("ip.truncated", "no IP header captured");
    return Malformed();
  }
  const auto version = static_cast<std::uint8_t>(bytes[0] >> 4);
  if (version_hint != 0 && version != version_hint) {
    out = IpPacket{};
    ReportAnomalyF(anomalies, "ip.bad_version", "link layer announces IPv%u, header says %u",
                   version_hint, version);
    return Malformed();
  }
  if (version == 4) return DecodeIpv4(bytes, wire_size, out, anomalies);
  if (version == 6) return DecodeIpv6(bytes, wire_size, max_extension_headers, out, anomalies);
  out = IpPacket{};
  ReportAnomalyF(anomalies, "ip.bad_version", "IP version %u", version);
  return Malformed();
}

}  // namespace beffroi::net::ip
