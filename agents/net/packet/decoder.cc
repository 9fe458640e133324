#include "agents/net/packet/decoder.h"

#include <algorithm>
#include <new>

#include "agents/net/protocol/ip/anomaly_format.h"
#include "agents/net/protocol/transport/transport.h"

namespace beffroi::net {
namespace {

static_assert(kMaxPacketVlanIds == link::kMaxKeptVlanIds);

// IPv6 headers that follow the fragment header belong to the fragmentable part: walk them once
// the payload is known (reassembled, or the captured part of a cut first fragment). Returns
// false with `outcome` set when the walk ends decoding.
bool WalkFragmentable(std::uint8_t max_headers, std::uint8_t& protocol,
                      std::span<const std::uint8_t>& payload, std::uint32_t& declared,
                      DecodeOutcome& outcome, AnomalySink& anomalies) {
  ip::Ipv6Walk walk;
  const ip::IpOutcome result =
      ip::WalkIpv6Extensions(protocol, payload, declared, max_headers, walk, anomalies);
  if (result == ip::IpOutcome::kMalformed) {
    outcome = DecodeOutcome::kMalformed;
    return false;
  }
  protocol = walk.protocol;
  if (result == ip::IpOutcome::kEncrypted) {
    outcome = DecodeOutcome::kUndecodable;
    return false;
  }
  if (walk.fragment) {
    anomalies.Report("ipv6.nested_fragment", "fragment header inside a fragmented payload");
    outcome = DecodeOutcome::kMalformed;
    return false;
  }
  payload = payload.subspan(std::min(walk.length, payload.size()));
  declared -= static_cast<std::uint32_t>(walk.length);
  return true;
}

}  // namespace

Decoder::Decoder(DecoderLimits limits) : limits_(limits), reassembler_(limits.fragments) {
  limits_.max_ip_layers = std::clamp<std::uint8_t>(limits_.max_ip_layers, 1, kMaxIpLayers);
  limits_.fragments = reassembler_.limits();
}

DecodeOutcome Decoder::Count(DecodeOutcome outcome) {
  switch (outcome) {
    case DecodeOutcome::kIpOther:
      ++stats_.ip_other;
      break;
    case DecodeOutcome::kNotIp:
      ++stats_.not_ip;
      break;
    case DecodeOutcome::kUndecodable:
      ++stats_.undecodable;
      break;
    case DecodeOutcome::kMalformed:
      ++stats_.malformed;
      break;
    case DecodeOutcome::kTransport:        // counted per protocol in DecodeTransport
    case DecodeOutcome::kFragmentPending:  // counted by the reassembler
      break;
  }
  return outcome;
}

DecodeOutcome Decoder::Decode(std::uint32_t dlt, std::span<const std::uint8_t> frame,
                              std::uint32_t wire_length, std::int64_t ts_ns, Packet& out,
                              AnomalySink& anomalies) {
  ++stats_.frames;
  out = Packet{};
  out.ts_ns = ts_ns;
  out.wire_length = wire_length;
  reassembler_.Advance(ts_ns);

  link::LinkFrame link_frame;
  const link::LinkOutcome link_outcome =
      link::DecodeLink(dlt, frame, limits_.max_vlan_tags, link_frame, anomalies);
  out.vlan_count = link_frame.vlan_count;
  std::copy_n(link_frame.vlan, kMaxPacketVlanIds, out.vlan);
  switch (link_outcome) {
    case link::LinkOutcome::kUnsupported:
      ++stats_.unsupported_link;
      return DecodeOutcome::kUndecodable;
    case link::LinkOutcome::kMalformed:
      return Count(DecodeOutcome::kMalformed);
    case link::LinkOutcome::kNotIp:
      return Count(DecodeOutcome::kNotIp);
    case link::LinkOutcome::kIp:
      break;
  }
  // The network layer's length on the wire, for IP length fields left 0 by offloading.
  const std::size_t link_header = frame.size() - link_frame.network.size();
  const std::size_t wire_size = wire_length > link_header ? wire_length - link_header : 0;
  const DecodeOutcome outcome =
      DecodeNetwork(link_frame.network, link_frame.ip_version, wire_size, 0, out, anomalies);
  if (out.truncated) ++stats_.truncated;
  return Count(outcome);
}

DecodeOutcome Decoder::DecodeNetwork(std::span<const std::uint8_t> bytes, std::uint8_t version_hint,
                                     std::size_t wire_size, std::uint8_t depth, Packet& out,
                                     AnomalySink& anomalies) {
  ip::IpPacket header;
  const ip::IpOutcome result = ip::DecodeIp(bytes, version_hint, wire_size,
                                            limits_.max_ipv6_extension_headers, header, anomalies);
  if (result == ip::IpOutcome::kMalformed) return DecodeOutcome::kMalformed;
  ++(header.version == 4 ? stats_.ipv4 : stats_.ipv6);
  if (header.length_from_capture) ++stats_.length_from_capture;
  out.ip_version = header.version;
  out.ttl = header.ttl;
  out.tuple.src = header.src;
  out.tuple.dst = header.dst;
  out.tuple.protocol = header.protocol;
  if (depth == 0) {
    out.outer_src = header.src;
    out.outer_dst = header.dst;
  }
  out.tunnel_depth = depth;
  out.ip_length = header.total_length;
  out.truncated = out.truncated || header.truncated;
  if (result == ip::IpOutcome::kEncrypted) return DecodeOutcome::kUndecodable;
  if (header.fragment) return DecodeFragment(header, depth, out, anomalies);
  return DecodeUpper(header.protocol, header.payload, header.payload_length, depth,
                     /*first_fragment_only=*/false, out, anomalies);
}

DecodeOutcome Decoder::DecodeFragment(const ip::IpPacket& header, std::uint8_t depth, Packet& out,
                                      AnomalySink& anomalies) {
  std::uint8_t protocol = header.protocol;
  std::span<const std::uint8_t> payload = header.payload;
  std::uint32_t declared = header.payload_length;
  if (header.truncated) {
    // The snaplen cut this fragment, so its datagram can never be completed: do not buffer it.
    // A cut first fragment still holds the transport header, which the flow table wants.
    ++stats_.fragments_truncated;
    if (header.fragment_offset != 0) return DecodeOutcome::kFragmentPending;
  } else {
    const ip::Fragment fragment{{header.src, header.dst, header.fragment_id, header.protocol},
                                header.fragment_offset,
                                header.more_fragments,
                                header.payload,
                                header.unfragmentable_length,
                                header.ttl};
    std::vector<std::uint8_t>& buffer = reassembled_[depth];
    ip::Reassembled info;
    ip::FragmentResult added = ip::FragmentResult::kDropped;
    try {
      added = reassembler_.Add(fragment, buffer, info, anomalies);
    } catch (const std::bad_alloc&) {
      // The only allocating path: out of memory drops this fragment, never the capture.
      anomalies.Report("ip.fragment_evicted", "out of memory while buffering a fragment");
    }
    switch (added) {
      case ip::FragmentResult::kPending:
        return DecodeOutcome::kFragmentPending;
      case ip::FragmentResult::kDropped:
        return DecodeOutcome::kMalformed;
      case ip::FragmentResult::kComplete:
        break;
    }
    out.reassembled = true;
    out.ttl = info.ttl;
    payload = buffer;
    declared = static_cast<std::uint32_t>(buffer.size());
    out.ip_length = static_cast<std::uint32_t>((header.version == 6 ? ip::kIpv6HeaderLength : 0) +
                                               header.unfragmentable_length + buffer.size());
  }
  if (header.version == 6) {
    DecodeOutcome outcome = DecodeOutcome::kMalformed;
    const bool walked = WalkFragmentable(limits_.max_ipv6_extension_headers, protocol, payload,
                                         declared, outcome, anomalies);
    out.tuple.protocol = protocol;
    if (!walked) return outcome;
  }
  return DecodeUpper(protocol, payload, declared, depth, header.truncated, out, anomalies);
}

DecodeOutcome Decoder::DecodeUpper(std::uint8_t protocol, std::span<const std::uint8_t> payload,
                                   std::uint32_t declared, std::uint8_t depth,
                                   bool first_fragment_only, Packet& out, AnomalySink& anomalies) {
  switch (protocol) {
    case kIpProtoTcp:
    case kIpProtoUdp:
    case kIpProtoIcmp:
    case kIpProtoIcmpV6:
      return DecodeTransport(protocol, payload, declared, first_fragment_only, out, anomalies);
    case ip::kProtoIpInIp:
    case ip::kProtoIpv6:
      if (limits_.max_ip_layers == 1) return DecodeOutcome::kIpOther;  // tunnels left opaque
      if (depth + 1 >= limits_.max_ip_layers) {
        ReportAnomalyF(anomalies, "ip.tunnel_depth", "more than %u nested IP headers",
                       static_cast<unsigned>(limits_.max_ip_layers));
        return DecodeOutcome::kMalformed;
      }
      ++stats_.tunnels;
      // Recursion bounded by max_ip_layers (at most kMaxIpLayers).
      return DecodeNetwork(payload, protocol == ip::kProtoIpInIp ? 4 : 6, declared,
                           static_cast<std::uint8_t>(depth + 1), out, anomalies);
    case ip::kProtoEsp:
      return DecodeOutcome::kUndecodable;
    default:
      return DecodeOutcome::kIpOther;
  }
}

DecodeOutcome Decoder::DecodeTransport(std::uint8_t protocol, std::span<const std::uint8_t> payload,
                                       std::uint32_t declared, bool first_fragment_only,
                                       Packet& out, AnomalySink& anomalies) {
  using transport::TransportOutcome;
  if (protocol == kIpProtoTcp) {
    transport::TcpHeader tcp;
    if (transport::DecodeTcp(payload, declared, tcp, anomalies) != TransportOutcome::kOk) {
      return DecodeOutcome::kMalformed;
    }
    ++stats_.tcp;
    out.tuple.src_port = tcp.src_port;
    out.tuple.dst_port = tcp.dst_port;
    out.tcp_seq = tcp.seq;
    out.tcp_ack = tcp.ack;
    out.tcp_window = tcp.window;
    out.tcp_flags = tcp.flags;
    out.tcp_options = tcp.options;
    out.payload = tcp.payload;
    out.payload_length = tcp.payload_length;
    return DecodeOutcome::kTransport;
  }
  if (protocol == kIpProtoUdp) {
    transport::UdpHeader udp;
    // The UDP length of a lone first fragment covers the whole datagram: bound it by the
    // largest datagram instead of this fragment.
    const std::uint32_t udp_declared =
        first_fragment_only ? std::max(declared, ip::kMaxReassembledLength) : declared;
    // A length mismatch still fills the header: the fields are kept for the anomaly's context.
    const TransportOutcome result = transport::DecodeUdp(payload, udp_declared, udp, anomalies);
    out.tuple.src_port = udp.src_port;
    out.tuple.dst_port = udp.dst_port;
    out.payload = udp.payload;
    out.payload_length = udp.payload_length;
    if (result != TransportOutcome::kOk) return DecodeOutcome::kMalformed;
    ++stats_.udp;
    return DecodeOutcome::kTransport;
  }
  transport::IcmpHeader icmp;
  const bool v6 = protocol == kIpProtoIcmpV6;
  const TransportOutcome result = transport::DecodeIcmp(payload, declared, v6, icmp, anomalies);
  out.icmp_type = icmp.type;
  out.icmp_code = icmp.code;
  out.payload = icmp.payload;
  out.payload_length = icmp.payload_length;
  if (result != TransportOutcome::kOk) return DecodeOutcome::kMalformed;
  ++(v6 ? stats_.icmpv6 : stats_.icmp);
  return DecodeOutcome::kTransport;
}

}  // namespace beffroi::net
