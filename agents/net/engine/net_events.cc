#include "agents/net/engine/net_events.h"

#include <cstdio>

#include "common/text.h"

namespace beffroi::net {

Event MakeNetEvent(std::string_view dataset, std::int64_t ts_ns) {
  Event e = Event::Make("event", dataset);
  e.Set("@timestamp", FormatTimestampNs(ts_ns));
  e.Set("event.category", "network");
  return e;
}

std::string_view TransportName(std::uint8_t ip_protocol) {
  switch (ip_protocol) {
    case kIpProtoTcp:
      return "tcp";
    case kIpProtoUdp:
      return "udp";
    case kIpProtoIcmp:
      return "icmp";
    case kIpProtoIcmpV6:
      return "ipv6-icmp";
    case 47:
      return "gre";
    case 50:
      return "esp";
    case 132:
      return "sctp";
    default:
      return "other";
  }
}

void SetEndpoints(Event& e, const FiveTuple& t) {
  e.Set("source.ip", t.src.ToString());
  e.Set("destination.ip", t.dst.ToString());
  if (t.protocol == kIpProtoTcp || t.protocol == kIpProtoUdp) {
    e.Set("source.port", static_cast<unsigned>(t.src_port));
    e.Set("destination.port", static_cast<unsigned>(t.dst_port));
  }
  e.Set("network.transport", TransportName(t.protocol));
  e.Set("network.iana_number", std::to_string(t.protocol));
  e.Set("network.type", t.src.is_v6() ? "ipv6" : "ipv4");
}

std::string DnsTypeName(std::uint16_t type) {
  switch (type) {
    case 1:
      return "A";
    case 2:
      return "NS";
    case 5:
      return "CNAME";
    case 6:
      return "SOA";
    case 12:
      return "PTR";
    case 15:
      return "MX";
    case 16:
      return "TXT";
    case 28:
      return "AAAA";
    case 33:
      return "SRV";
    case 35:
      return "NAPTR";
    case 41:
      return "OPT";
    case 43:
      return "DS";
    case 46:
      return "RRSIG";
    case 47:
      return "NSEC";
    case 48:
      return "DNSKEY";
    case 64:
      return "SVCB";
    case 65:
      return "HTTPS";
    case 99:
      return "SPF";
    case 252:
      return "AXFR";
    case 255:
      return "ANY";
    case 257:
      return "CAA";
    default:
      return "TYPE" + std::to_string(type);  // RFC 3597 notation
  }
}

std::string_view DnsRcodeName(std::uint8_t rcode) {
  static constexpr std::string_view kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                                "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                                "NXRRSET", "NOTAUTH", "NOTZONE"};
  if (rcode < std::size(kNames)) return kNames[rcode];
  return "UNKNOWN";
}

std::string TlsVersionName(std::uint16_t v) {
  switch (v) {
    case 0x0300:
      return "ssl3";
    case 0x0301:
      return "1.0";
    case 0x0302:
      return "1.1";
    case 0x0303:
      return "1.2";
    case 0x0304:
      return "1.3";
    default: {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%04x", v);
      return buf;
    }
  }
}

std::string HostWithoutPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    return std::string(host.substr(1, close == std::string_view::npos ? host.npos : close - 1));
  }
  const auto colon = host.find(':');
  if (colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos) {
    host = host.substr(0, colon);
  }
  return std::string(host);
}

std::string TcpFlagsText(std::uint8_t flags) {
  static constexpr const char* kNames[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
  std::string out;
  for (int bit = 0; bit < 8; ++bit) {
    if ((flags & (1u << bit)) == 0) continue;
    if (!out.empty()) out.push_back(' ');
    out += kNames[bit];
  }
  return out;
}

}  // namespace beffroi::net
