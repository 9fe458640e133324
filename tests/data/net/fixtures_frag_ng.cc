// frag.pcap, mixed.pcapng and nanosecond.pcap.
#include "common/synth/app_builders.h"
#include "fixtures.h"

namespace beffroi::testdata::net {
namespace {

constexpr std::uint16_t kIpv4MoreFragments = 0x2000;
constexpr std::size_t kIpv4FragmentSize = 376;  // a multiple of 8 (RFC 791 fragment offset unit)
constexpr std::uint32_t kPcapngLocalBlockType = 0x8BEF0001;  // local-use range: readers skip it

// A DNS TXT response large enough to need fragmentation (about 1.1 KB).
Bytes LargeTxtResponse(std::uint16_t id, std::string_view name) {
  DnsMessage r(id, kDnsFlagsResponse);
  r.Question(name, kDnsTypeTxt);
  for (int i = 0; i < 12; ++i) {
    r.Txt(DnsSection::kAnswer, name, 600,
          {"document-" + std::to_string(i) + "=proces-verbal du conseil communal, seance " +
           std::to_string(i + 1) + ", version publique"});
  }
  return r.bytes();
}

void Ipv4FragmentedResponse(Trace& t) {
  const std::string_view name = "documents.example-commune.be";
  DnsMessage q(0x3001, kDnsFlagsQuery);
  q.Question(name, kDnsTypeTxt);
  t.Udp(kClient4, kResolver4, 52001, 53, q.bytes(), true);
  t.ExpectDns(name);

  Bytes udp;
  AppendUdp(udp, kResolver4, kClient4, 53, 52001, LargeTxtResponse(0x3001, name));
  const std::uint16_t id = t.NextIpId();
  std::vector<Bytes> fragments;
  for (std::size_t off = 0; off < udp.size(); off += kIpv4FragmentSize) {
    const std::size_t n = std::min(kIpv4FragmentSize, udp.size() - off);
    const bool more = off + n < udp.size();
    Bytes ip;
    AppendIpv4Header(ip, kResolver4, kClient4, kProtoUdp, n, id,
                     static_cast<std::uint16_t>((more ? kIpv4MoreFragments : 0) | (off / 8)));
    PutBytes(ip, ByteSpan(udp).subspan(off, n));
    fragments.push_back(std::move(ip));
  }
  // Three fragments, sent last, first, middle.
  t.EmitIp(fragments[2], false, false);
  t.EmitIp(fragments[0], false, false);
  t.EmitIp(fragments[1], false, false);
}

void Ipv6FragmentedResponse(Trace& t) {
  const std::string_view name = "fragmente6.example-commune.be";
  DnsMessage q(0x3002, kDnsFlagsQuery);
  q.Question(name, kDnsTypeTxt);
  t.Udp(kClient6, kResolver6, 52002, 53, q.bytes(), true);
  t.ExpectDns(name);

  Bytes udp;
  AppendUdp(udp, kResolver6, kClient6, 53, 52002, LargeTxtResponse(0x3002, name));
  const std::size_t first = 640;  // a multiple of 8 (RFC 8200 §4.5)
  const std::uint32_t ident = 0x6e0f0001;
  for (std::size_t off : {std::size_t{0}, first}) {
    const std::size_t n = off == 0 ? first : udp.size() - first;
    Bytes ip;
    AppendIpv6Header(ip, kResolver6, kClient6, kProtoIpv6Frag, 8 + n);
    Put8(ip, kProtoUdp);  // fragment header: next header, reserved, offset + M flag, id
    Put8(ip, 0);
    Put16(ip, static_cast<unsigned>(off | (off == 0 ? 1 : 0)));
    Put32(ip, ident);
    PutBytes(ip, ByteSpan(udp).subspan(off, n));
    t.EmitIp(ip, true, false);
  }
}

// Hop-by-hop options, then destination options, then UDP (RFC 8200 §4.1 order).
void Ipv6ExtensionHeaders(Trace& t) {
  const std::string_view name = "options.example-commune.be";
  DnsMessage q(0x3003, kDnsFlagsQuery);
  q.Question(name, 28);
  Bytes udp;
  AppendUdp(udp, kClient6, kResolver6, 52003, 53, q.bytes());
  Bytes ip;
  AppendIpv6Header(ip, kClient6, kResolver6, kProtoIpv6HopByHop, 8 + 8 + udp.size());
  const std::uint8_t hop_by_hop[] = {kProtoIpv6DestOpts, 0, 1, 4, 0, 0, 0, 0};  // PadN(4)
  const std::uint8_t dest_opts[] = {kProtoUdp, 0, 1, 4, 0, 0, 0, 0};
  PutBytes(ip, hop_by_hop);
  PutBytes(ip, dest_opts);
  PutBytes(ip, udp);
  t.EmitIp(ip, true, true);
  DnsMessage r(0x3003, kDnsFlagsResponse);
  r.Question(name, 28);
  r.Aaaa(DnsSection::kAnswer, name, 300, kWebServer6.b);
  t.Udp(kResolver6, kClient6, 53, 52003, r.bytes(), false);
  t.ExpectDns(name);
}

Bytes StringBytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

}  // namespace

Fixture FragFixture() {
  Trace t(Link::kEthernet, 14);
  Ipv4FragmentedResponse(t);
  Ipv6FragmentedResponse(t);
  Ipv6ExtensionHeaders(t);
  return {"frag.pcap", t.ToPcap(TsResolution::kMicro), t.expected()};
}

Fixture MixedPcapngFixture() {
  Trace t(Link::kEthernet, 15);
  const std::string_view host = "mixed.example-commune.be";
  SimpleDnsLookup(t, kClient4, kResolver4, 53001, 0x4001, host, kWebServer4);
  SimpleDnsLookup(t, kClient6, kResolver6, 53002, 0x4002, host, kWebServer6);
  HttpGetConnection(t, kClient4, 53003, kWebServer4, 80, host, "/pcapng/index.html", 5);
  TlsClientHelloConnection(t, kClient4, 53004, kPortal4, "ng.example-commune.be", 71);

  Bytes out;
  AppendPcapngShb(out, {{2, StringBytes("x86_64")},
                        {3, StringBytes("Linux")},
                        {4, StringBytes("beffroi-gen-pcaps")}});
  AppendPcapngIdb(out, 1, kDefaultSnaplen, {{2, StringBytes("eth0")}, {9, Bytes{9}}});
  Bytes www4(kWebServer4.b.begin(), kWebServer4.b.begin() + 4);
  Bytes www6(kWebServer6.b.begin(), kWebServer6.b.end());
  AppendPcapngNrb(
      out, {{false, www4, "www.example-commune.be"}, {true, www6, "www.example-commune.be"}});
  const std::vector<Frame>& frames = t.frames();
  for (std::size_t i = 0; i < frames.size(); ++i) {
    AppendPcapngEpb(out, frames[i]);
    if (i == 2) AppendPcapngBlock(out, kPcapngLocalBlockType, AsBytes("unknown block, skip me"));
  }
  return {"mixed.pcapng", out, t.expected()};
}

Fixture NanosecondFixture() {
  Trace t(Link::kEthernet, 16);
  const std::string_view host = "nano.example-commune.be";
  SimpleDnsLookup(t, kClient4, kResolver4, 54001, 0x5001, host, kWebServer4);
  HttpGetConnection(t, kClient4, 54002, kWebServer4, 80, host, "/nanoseconde", 6);
  return {"nanosecond.pcap", t.ToPcap(TsResolution::kNano), t.expected()};
}

}  // namespace beffroi::testdata::net
