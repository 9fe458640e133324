#include "common/synth/trace.h"

#include <algorithm>

namespace beffroi::synth {
namespace {

constexpr Mac kGatewayMac = {0x02, 0x42, 0x0a, 0x00, 0x00, 0x01};
constexpr std::uint16_t kFixtureVlan = 10;        // inner (customer) VLAN
constexpr std::uint16_t kFixtureOuterVlan = 100;  // outer (service) VLAN of QinQ
// The clock advances by a pseudo-random step with a nanosecond part, so that nanosecond
// captures really use their precision.
constexpr std::uint32_t kMinStepNs = 40'000;
constexpr std::uint32_t kStepSpreadNs = 3'000'000;

}  // namespace

Trace::Trace(Link link, std::uint64_t seed)
    : ip_id_(static_cast<std::uint16_t>(0x1000 + seed * 0x111)), rng_(seed) {
  link_.link = link;
  link_.vlan = kFixtureVlan;
  link_.outer_vlan = kFixtureOuterVlan;
}

void Trace::Expect(std::string_view kind, std::string_view value) {
  expected_.insert(std::string(kind) + "\t" + std::string(value));
}

void Trace::EmitIp(const Bytes& ip_packet, bool v6, bool from_client) {
  // The IP addresses sit at fixed offsets of the header we just built (12/16 for IPv4,
  // 8/24 for IPv6); the MACs follow from them.
  Addr src, dst;
  src.v6 = dst.v6 = v6;
  const std::size_t n = v6 ? 16 : 4;
  const std::size_t s = v6 ? 8 : 12;
  for (std::size_t i = 0; i < n; ++i) {
    src.b[i] = ip_packet[s + i];
    dst.b[i] = ip_packet[s + n + i];
  }
  LinkHeader lh = link_;
  lh.src_mac = from_client ? MacFor(src) : kGatewayMac;
  lh.dst_mac = from_client ? kGatewayMac : MacFor(dst);
  lh.outgoing = from_client;
  Frame f;
  f.ts_ns = now_ns_;
  AppendLinkHeader(f.data, lh, v6);
  PutBytes(f.data, ip_packet);
  PadLinkFrame(f.data, lh.link);
  frames_.push_back(std::move(f));
  now_ns_ += kMinStepNs + rng_.Below(kStepSpreadNs);
}

void Trace::Udp(const Addr& src, const Addr& dst, std::uint16_t sport, std::uint16_t dport,
                ByteSpan payload, bool from_client) {
  Bytes ip;
  AppendIpHeader(ip, src, dst, kProtoUdp, 8 + payload.size(), NextIpId());
  AppendUdp(ip, src, dst, sport, dport, payload);
  EmitIp(ip, src.v6, from_client);
}

void Trace::Icmp(const Addr& src, const Addr& dst, bool reply, std::uint16_t seq,
                 bool from_client) {
  Bytes data;
  for (unsigned i = 0; i < 32; ++i)
    Put8(data, 0x61 + i % 23);  // "abcdefghijklmnopqrstuvw..."
  Bytes l4;
  AppendIcmpEcho(l4, src, dst, reply, 0x0bef, seq, data);
  Bytes ip;
  AppendIpHeader(ip, src, dst, src.v6 ? kProtoIcmpv6 : kProtoIcmp, l4.size(), NextIpId());
  PutBytes(ip, l4);
  EmitIp(ip, src.v6, from_client);
}

Bytes Trace::ToPcap(TsResolution res) const {
  return ClassicPcap(frames_, LinkTypeOf(link_.link), res);
}

TcpSession::TcpSession(Trace& trace, const Addr& client, std::uint16_t client_port,
                       const Addr& server, std::uint16_t server_port, std::uint32_t client_isn,
                       std::uint32_t server_isn)
    : trace_(trace),
      addr_{client, server},
      port_{client_port, server_port},
      next_seq_{client_isn, server_isn} {}

void TcpSession::Emit(const Segment& segment) {
  const int from = segment.from_client ? 0 : 1;
  Bytes ip;
  AppendIpHeader(ip, addr_[from], addr_[1 - from], kProtoTcp,
                 TcpHeaderLength(segment.tcp) + segment.payload.size(), trace_.NextIpId());
  AppendTcp(ip, addr_[from], addr_[1 - from], segment.tcp, segment.payload);
  trace_.EmitIp(ip, addr_[0].v6, segment.from_client);
}

Segment TcpSession::Build(bool from_client, ByteSpan data, std::uint8_t extra_flags) {
  const int from = from_client ? 0 : 1;
  Segment s;
  s.from_client = from_client;
  s.tcp.sport = port_[from];
  s.tcp.dport = port_[1 - from];
  s.tcp.seq = next_seq_[from];
  s.tcp.ack = next_seq_[1 - from];
  s.tcp.flags = static_cast<std::uint8_t>(kTcpAck | extra_flags);
  s.payload.assign(data.begin(), data.end());
  next_seq_[from] += static_cast<std::uint32_t>(data.size());
  if ((extra_flags & (kTcpSyn | kTcpFin)) != 0) ++next_seq_[from];
  return s;
}

void TcpSession::Open() {
  Segment syn = Build(true, {}, kTcpSyn);
  syn.tcp.flags = kTcpSyn;  // the first SYN acknowledges nothing
  syn.tcp.ack = 0;
  syn.tcp.window = 64240;
  Emit(syn);
  Segment syn_ack = Build(false, {}, kTcpSyn);
  syn_ack.tcp.window = 65160;
  syn_ack.tcp.mss = addr_[0].v6 ? 1440 : 1460;
  Emit(syn_ack);
  Ack(true);
}

void TcpSession::Ack(bool from_client) {
  Emit(Build(from_client, {}, 0));
}

void TcpSession::Send(bool from_client, ByteSpan data, std::size_t max_segment) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    const std::size_t n = std::min(max_segment, data.size() - pos);
    const bool last = pos + n == data.size();
    Emit(Build(from_client, data.subspan(pos, n), last ? kTcpPsh : 0));
    pos += n;
  }
  Ack(!from_client);
}

void TcpSession::Send(bool from_client, std::string_view text, std::size_t max_segment) {
  Send(from_client, AsBytes(text), max_segment);
}

void TcpSession::Close() {
  Emit(Build(true, {}, kTcpFin));
  Emit(Build(false, {}, kTcpFin));
  Ack(true);
}

}  // namespace beffroi::synth
