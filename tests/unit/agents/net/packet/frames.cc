#include "tests/unit/agents/net/packet/frames.h"

namespace beffroi::net::fixtures {
namespace {

const std::string kMacs = "001122334455 66778899aabb";  // dst, src
const std::string kV6Addresses =
    "20010db8000000000000000000000001"   // src 2001:db8::1
    "20010db8000000000000000000000002";  // dst 2001:db8::2

std::string Ipv4Icmp() {
  return "45 00 001c 0001 0000 40 01 0000 0a000001 0a000002"  // 10.0.0.1 > 10.0.0.2, ICMP
         "08 00 f7fe 0001 0001";                              // echo request id 1 seq 1
}

std::string Ipv6Icmp() {
  return "60000000 0008 3a 40" + kV6Addresses +  // next header ICMPv6
         "80 00 0000 0001 0001";                 // echo request id 1 seq 1
}

}  // namespace

std::string Ipv4Tcp() {
  return "45 00 0038"                   // IPv4, IHL 5, total length 56
         "1234 4000"                    // id, DF
         "40 06 0000"                   // TTL 64, TCP, checksum
         "c0a80001 c0a80002"            // 192.168.0.1 > 192.168.0.2
         "c000 0050"                    // ports 49152 > 80
         "00000001 00000002"            // seq 1, ack 2
         "80 18 faf0 0000 0000"         // data offset 8 (32 bytes), PSH|ACK, window 64240
         "0101 080a 00000064 00000000"  // NOP NOP timestamps
         "47455420";                    // "GET "
}

std::string Ipv6Udp() {
  return "60000000 0014 11 40" + kV6Addresses +  // payload 20, UDP, hop limit 64
         "d431 0035 0014 0000"                   // ports 54321 > 53, length 20
         "abcd 0100 0001 0000 0000 0000";        // DNS header
}

std::vector<Frame> WellFormedFrames() {
  return {
      {"ethernet_ipv4_tcp", 1, Hex(kMacs + "0800" + Ipv4Tcp())},
      {"vlan_ipv6_udp", 1, Hex(kMacs + "8100 0064 86dd" + Ipv6Udp())},            // VLAN 100
      {"qinq_ipv4_tcp", 1, Hex(kMacs + "88a8 000a 8100 0014 0800" + Ipv4Tcp())},  // 10, 20
      {"sll_ipv4_tcp", 113, Hex("0000 0001 0006 66778899aabb0000 0800" + Ipv4Tcp())},
      {"sll2_ipv6_udp", 276, Hex("86dd 0000 00000002 0001 04 06 66778899aabb0000" + Ipv6Udp())},
      {"raw_ipv4_tcp", 12, Hex(Ipv4Tcp())},
      {"raw101_ipv6_udp", 101, Hex(Ipv6Udp())},
      {"null_le_ipv4_tcp", 0, Hex("02000000" + Ipv4Tcp())},  // AF_INET, little-endian
      {"null_be_ipv6_udp", 0, Hex("0000001e" + Ipv6Udp())},  // AF_INET6 (macOS), big-endian
      {"loop_ipv6_udp", 108, Hex("00000018" + Ipv6Udp())},   // AF_INET6 (OpenBSD)
      {"dlt_ipv4_icmp", 228, Hex(Ipv4Icmp())},
      {"dlt_ipv6_icmpv6", 229, Hex(Ipv6Icmp())},
      {"ipv6_extensions_tcp", 229,
       Hex("60000000 0024 00 40" + kV6Addresses +  // payload 36, hop-by-hop first
           "3c 00 0104 00000000"                   // hop-by-hop: next dest-opts, PadN
           "06 00 0104 00000000"                   // destination options: next TCP
           "0016 c001 00000010 00000020 50 02 0100 0000 0000")},  // 22 > 49153 SYN
      {"ipv4_gre", 12,
       Hex("45 00 0018 0002 0000 40 2f 0000 0a000001 0a000002"  // protocol 47 GRE
           "0000 0800")},
      {"ipv4_esp", 12,
       Hex("45 00 001c 0003 0000 40 32 0000 0a000001 0a000002"  // protocol 50 ESP
           "00001000 00000001")},                               // SPI, sequence
      {"ipv6_esp", 229, Hex("60000000 0008 32 40" + kV6Addresses + "00001000 00000001")},
      {"ipip_icmp", 12,
       Hex("45 00 0030 0004 0000 40 04 0000 c0000201 c0000202"  // 192.0.2.1 > .2, IPIP
           + Ipv4Icmp())},
      {"6in4_icmpv6", 12,
       Hex("45 00 0044 0005 0000 40 29 0000 c0000201 c0000202"  // protocol 41
           + Ipv6Icmp())},
      {"arp", 1, Hex("ffffffffffff 66778899aabb 0806 0001 0800 06 04 0001")},
  };
}

std::vector<std::uint8_t> Ipv4Fragment(std::uint16_t id, std::uint32_t offset, bool more,
                                       std::span<const std::uint8_t> data, std::uint8_t protocol,
                                       std::uint8_t ttl) {
  const auto total = static_cast<std::uint16_t>(20 + data.size());
  const auto flags = static_cast<std::uint16_t>((more ? 0x2000 : 0) | (offset / 8));
  std::vector<std::uint8_t> out = {0x45,
                                   0x00,
                                   static_cast<std::uint8_t>(total >> 8),
                                   static_cast<std::uint8_t>(total),
                                   static_cast<std::uint8_t>(id >> 8),
                                   static_cast<std::uint8_t>(id),
                                   static_cast<std::uint8_t>(flags >> 8),
                                   static_cast<std::uint8_t>(flags),
                                   ttl,
                                   protocol,
                                   0,
                                   0,  // checksum
                                   10,
                                   0,
                                   0,
                                   1,  // 10.0.0.1
                                   10,
                                   0,
                                   0,
                                   2};  // 10.0.0.2
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<std::uint8_t> Ipv6Fragment(std::uint32_t id, std::uint32_t offset, bool more,
                                       std::span<const std::uint8_t> data, std::uint8_t next) {
  const auto payload = static_cast<std::uint16_t>(16 + data.size());
  std::vector<std::uint8_t> out = Hex("60000000 0000 00 40" + kV6Addresses +
                                      "2c 00 0104 00000000");  // hop-by-hop: next fragment
  out[4] = static_cast<std::uint8_t>(payload >> 8);
  out[5] = static_cast<std::uint8_t>(payload);
  const auto offset_flags = static_cast<std::uint16_t>(offset | (more ? 1 : 0));
  const std::uint8_t fragment[8] = {next,
                                    0,
                                    static_cast<std::uint8_t>(offset_flags >> 8),
                                    static_cast<std::uint8_t>(offset_flags),
                                    static_cast<std::uint8_t>(id >> 24),
                                    static_cast<std::uint8_t>(id >> 16),
                                    static_cast<std::uint8_t>(id >> 8),
                                    static_cast<std::uint8_t>(id)};
  out.insert(out.end(), fragment, fragment + 8);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

}  // namespace beffroi::net::fixtures
