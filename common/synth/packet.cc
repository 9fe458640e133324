#include "common/synth/packet.h"

namespace beffroi::synth {
namespace {

constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;  // IEEE 802.1Q
constexpr std::uint16_t kEtherTypeQinQ = 0x88a8;  // IEEE 802.1ad
constexpr std::size_t kMinEthernetFrame = 60;     // 64 on the wire minus the FCS
// BSD address families: DLT_NULL uses the capturing host's byte order (little-endian here,
// like the file header) and DLT_LOOP network order; 24 is AF_INET6 on NetBSD/OpenBSD, one of
// the values every reader accepts.
constexpr std::uint32_t kBsdAfInet = 2;
constexpr std::uint32_t kBsdAfInet6 = 24;
constexpr std::uint16_t kArphrdEther = 1;

void PutAddr(Bytes& out, const Addr& a) {
  out.insert(out.end(), a.b.begin(), a.b.begin() + (a.v6 ? 16 : 4));
}

std::uint16_t EtherTypeFor(bool v6) {
  return v6 ? kEtherTypeIpv6 : kEtherTypeIpv4;
}

void AppendSll(Bytes& out, const LinkHeader& link, bool v6) {
  Put16(out, link.outgoing ? 4 : 0);  // packet type
  Put16(out, kArphrdEther);
  Put16(out, 6);  // link-layer address length
  PutBytes(out, link.src_mac);
  PutZeros(out, 2);  // address field is 8 bytes
  Put16(out, EtherTypeFor(v6));
}

void AppendSll2(Bytes& out, const LinkHeader& link, bool v6) {
  Put16(out, EtherTypeFor(v6));
  Put16(out, 0);  // reserved
  Put32(out, 2);  // interface index
  Put16(out, kArphrdEther);
  Put8(out, link.outgoing ? 4 : 0);
  Put8(out, 6);
  PutBytes(out, link.src_mac);
  PutZeros(out, 2);
}

}  // namespace

Mac MacFor(const Addr& a) {
  const std::size_t n = a.v6 ? 16 : 4;
  return {0x02, 0x42, a.b[n - 4], a.b[n - 3], a.b[n - 2], a.b[n - 1]};
}

std::uint32_t LinkTypeOf(Link link) {
  switch (link) {
    case Link::kEthernet:
    case Link::kVlan:
    case Link::kQinQ:
      return 1;
    case Link::kSll:
      return 113;
    case Link::kSll2:
      return 276;
    case Link::kRaw:
      return 101;
    case Link::kNull:
      return 0;
    case Link::kLoop:
      return 108;
  }
  return 1;
}

void AppendLinkHeader(Bytes& out, const LinkHeader& link, bool v6) {
  switch (link.link) {
    case Link::kEthernet:
    case Link::kVlan:
    case Link::kQinQ:
      PutBytes(out, link.dst_mac);
      PutBytes(out, link.src_mac);
      if (link.link == Link::kQinQ) {
        Put16(out, kEtherTypeQinQ);
        Put16(out, link.outer_vlan & 0x0fff);
      }
      if (link.link != Link::kEthernet) {
        Put16(out, kEtherTypeVlan);
        Put16(out, link.vlan & 0x0fff);
      }
      Put16(out, EtherTypeFor(v6));
      return;
    case Link::kSll:
      AppendSll(out, link, v6);
      return;
    case Link::kSll2:
      AppendSll2(out, link, v6);
      return;
    case Link::kRaw:
      return;
    case Link::kNull:
      PutLe32(out, v6 ? kBsdAfInet6 : kBsdAfInet);
      return;
    case Link::kLoop:
      Put32(out, v6 ? kBsdAfInet6 : kBsdAfInet);
      return;
  }
}

void PadLinkFrame(Bytes& out, Link link) {
  const bool ethernet = link == Link::kEthernet || link == Link::kVlan || link == Link::kQinQ;
  if (ethernet && out.size() < kMinEthernetFrame) out.resize(kMinEthernetFrame, 0);
}

void AppendIpv4Header(Bytes& out, const Addr& src, const Addr& dst, std::uint8_t proto,
                      std::size_t payload_len, std::uint16_t id, std::uint16_t frag_field,
                      std::uint8_t ttl) {
  const std::size_t start = out.size();
  Put8(out, 0x45);  // version 4, IHL 5
  Put8(out, 0);     // DSCP/ECN
  Put16(out, static_cast<unsigned>(20 + payload_len));
  Put16(out, id);
  Put16(out, frag_field);
  Put8(out, ttl);
  Put8(out, proto);
  Put16(out, 0);  // checksum, below
  PutAddr(out, src);
  PutAddr(out, dst);
  Set16(out, start + 10, ChecksumFinish(ChecksumAdd(0, ByteSpan(out).subspan(start, 20))));
}

void AppendIpv6Header(Bytes& out, const Addr& src, const Addr& dst, std::uint8_t next_header,
                      std::size_t payload_len, std::uint8_t hop_limit) {
  Put32(out, 0x60000000);  // version 6, traffic class 0, flow label 0
  Put16(out, static_cast<unsigned>(payload_len));
  Put8(out, next_header);
  Put8(out, hop_limit);
  PutAddr(out, src);
  PutAddr(out, dst);
}

void AppendIpHeader(Bytes& out, const Addr& src, const Addr& dst, std::uint8_t proto,
                    std::size_t payload_len, std::uint16_t ip_id) {
  if (src.v6) {
    AppendIpv6Header(out, src, dst, proto, payload_len);
  } else {
    AppendIpv4Header(out, src, dst, proto, payload_len, ip_id);
  }
}

std::uint64_t PseudoHeaderSum(const Addr& src, const Addr& dst, std::uint8_t proto,
                              std::size_t l4_len) {
  const std::size_t n = src.v6 ? 16 : 4;
  std::uint64_t sum = ChecksumAdd(0, ByteSpan(src.b.data(), n));
  sum = ChecksumAdd(sum, ByteSpan(dst.b.data(), n));
  sum += proto;
  sum += static_cast<std::uint64_t>(l4_len & 0xffff) + (static_cast<std::uint64_t>(l4_len) >> 16);
  return sum;
}

void AppendUdp(Bytes& out, const Addr& src, const Addr& dst, std::uint16_t sport,
               std::uint16_t dport, ByteSpan payload) {
  const std::size_t start = out.size();
  const std::size_t len = 8 + payload.size();
  Put16(out, sport);
  Put16(out, dport);
  Put16(out, static_cast<unsigned>(len));
  Put16(out, 0);
  PutBytes(out, payload);
  std::uint16_t sum = ChecksumFinish(
      ChecksumAdd(PseudoHeaderSum(src, dst, kProtoUdp, len), ByteSpan(out).subspan(start, len)));
  if (sum == 0) sum = 0xffff;  // RFC 768: zero means "no checksum"
  Set16(out, start + 6, sum);
}

std::size_t TcpHeaderLength(const TcpFields& tcp) {
  return (tcp.flags & kTcpSyn) != 0 ? 32 : 20;
}

void AppendTcp(Bytes& out, const Addr& src, const Addr& dst, const TcpFields& tcp,
               ByteSpan payload) {
  const std::size_t start = out.size();
  const std::size_t header = TcpHeaderLength(tcp);
  Put16(out, tcp.sport);
  Put16(out, tcp.dport);
  Put32(out, tcp.seq);
  Put32(out, tcp.ack);
  Put8(out, static_cast<unsigned>((header / 4) << 4));
  Put8(out, tcp.flags);
  Put16(out, tcp.window);
  Put16(out, 0);  // checksum, below
  Put16(out, 0);  // urgent pointer
  if ((tcp.flags & kTcpSyn) != 0) {
    Put8(out, 2);  // MSS
    Put8(out, 4);
    Put16(out, tcp.mss);
    Put32(out, 0x01010402);  // NOP, NOP, SACK permitted
    Put32(out, 0x01030307);  // NOP, window scale 7
  }
  PutBytes(out, payload);
  const std::size_t len = out.size() - start;
  Set16(out, start + 16,
        ChecksumFinish(ChecksumAdd(PseudoHeaderSum(src, dst, kProtoTcp, len),
                                   ByteSpan(out).subspan(start, len))));
}

void AppendIcmpEcho(Bytes& out, const Addr& src, const Addr& dst, bool reply, std::uint16_t ident,
                    std::uint16_t seq, ByteSpan payload) {
  const std::size_t start = out.size();
  if (src.v6) {
    Put8(out, reply ? 129 : 128);
  } else {
    Put8(out, reply ? 0 : 8);
  }
  Put8(out, 0);
  Put16(out, 0);
  Put16(out, ident);
  Put16(out, seq);
  PutBytes(out, payload);
  const std::size_t len = out.size() - start;
  std::uint64_t sum = src.v6 ? PseudoHeaderSum(src, dst, kProtoIcmpv6, len) : 0;
  Set16(out, start + 2, ChecksumFinish(ChecksumAdd(sum, ByteSpan(out).subspan(start, len))));
}

}  // namespace beffroi::synth
