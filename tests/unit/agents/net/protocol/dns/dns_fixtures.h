// Hand-built DNS messages shared by the DNS tests: hex with a comment on every field, so a
// reader can check each octet against RFC 1035 §4.1.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agents/net/protocol/anomaly.h"

namespace beffroi::net::dns::testing {

// Hex digits to bytes; spaces are ignored so fields can be grouped.
inline std::vector<std::uint8_t> Hex(std::string_view hex) {
  std::vector<std::uint8_t> out;
  int hi = -1;
  for (char c : hex) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

class RecordingSink final : public AnomalySink {
 public:
  void Report(std::string_view name, std::string_view) override { names.emplace_back(name); }
  bool Has(std::string_view name) const {
    for (const auto& n : names)
      if (n == name) return true;
    return false;
  }
  std::vector<std::string> names;
};

// Standard query for www.example.com A.
inline constexpr std::string_view kQuery =
    "1234 0100"                                 // ID, flags: RD
    "0001 0000 0000 0000"                       // QD=1 AN=0 NS=0 AR=0
    "03 777777 07 6578616d706c65 03 636f6d 00"  // @12 www.example.com
    "0001 0001";                                // type A, class IN

// Response: www.example.com CNAME web.example.com, then A and AAAA for web.example.com,
// every name compressed.
inline constexpr std::string_view kCnameChain =
    "1234 8180"                                 // ID, flags: QR RD RA, RCODE 0
    "0001 0003 0000 0000"                       // QD=1 AN=3
    "03 777777 07 6578616d706c65 03 636f6d 00"  // @12 www.example.com (example.com @16)
    "0001 0001"                                 // A IN
    "c00c 0005 0001 00000e10 0006"              // @33 www.example.com CNAME IN ttl 3600 rdlen 6
    "03 776562 c010"                            // @45 web + pointer to example.com @16
    "c02d 0001 0001 0000003c 0004"              // @51 web.example.com A IN ttl 60 rdlen 4
    "5db8d822"                                  // 93.184.216.34
    "c02d 001c 0001 0000003c 0010"              // @67 web.example.com AAAA IN ttl 60 rdlen 16
    "2606 2800 0220 0001 0248 1893 25c8 1946";

// Response: example.com MX 10 mail.example.com, and TXT with two strings.
inline constexpr std::string_view kMxTxt =
    "abcd 8180 0001 0002 0000 0000"   // QR RD RA, QD=1 AN=2
    "07 6578616d706c65 03 636f6d 00"  // @12 example.com
    "000f 0001"                       // MX IN
    "c00c 000f 0001 00000e10 0009"    // @29 example.com MX IN ttl 3600 rdlen 9
    "000a 04 6d61696c c00c"           // pref 10, mail + pointer to example.com
    "c00c 0010 0001 0000012c 0011"    // @50 example.com TXT IN ttl 300 rdlen 17
    "0b 763d73706631202d616c6c"       // "v=spf1 -all"
    "04 615c0122";                    // 'a' '\' 0x01 '"'

// Response: PTR for 93.184.216.34.
inline constexpr std::string_view kPtr =
    "0001 8180 0001 0001 0000 0000"
    "02 3334 03 323136 03 313834 02 3933 07 696e2d61646472 04 61727061 00"  // @12 in-addr.arpa
    "000c 0001"                                                             // PTR IN
    "c00c 000c 0001 00000e10 0011"               // @44 PTR IN ttl 3600 rdlen 17
    "03 777777 07 6578616d706c65 03 636f6d 00";  // www.example.com, uncompressed

// NXDOMAIN with the zone's SOA in the authority section.
inline constexpr std::string_view kNxdomain =
    "beef 8183 0001 0000 0001 0000"                     // QR RD RA, RCODE 3 (NXDOMAIN), QD=1 NS=1
    "07 6e6f7468657265 07 6578616d706c65 03 636f6d 00"  // @12 nothere.example.com (example @20)
    "0001 0001"                                         // A IN
    "c014 0006 0001 00000384 0026"                      // @37 example.com SOA IN ttl 900 rdlen 38
    "02 6e73 c014"                                      // MNAME ns.example.com
    "0a 686f73746d6173746572 c014"                      // RNAME hostmaster.example.com
    "78a3f175 00001c20 00000e10 00127500 0000012c";     // serial refresh retry expire minimum

// SRV for a domain controller (Active Directory's _ldap._tcp.dc._msdcs).
inline constexpr std::string_view kSrv =
    "5555 8580 0001 0001 0000 0000"  // QR AA RD RA
    "05 5f6c646170 04 5f746370 02 6463 06 5f6d73646373 07 6578616d706c65 03 636f6d 00"
    "0021 0001"                     // @46 SRV IN (example.com @33)
    "c00c 0021 0001 00000258 000c"  // @50 SRV IN ttl 600 rdlen 12
    "0000 0064 0185"                // priority 0, weight 100, port 389
    "03 646331 c021";               // dc1 + pointer to example.com

// mDNS announcement: class with the cache-flush bit.
inline constexpr std::string_view kMdns =
    "0000 8400 0000 0001 0000 0000"       // QR AA, AN=1
    "07 7072696e746572 05 6c6f63616c 00"  // @12 printer.local
    "0001 8001 00000078 0004"             // A, class IN | cache-flush, ttl 120, rdlen 4
    "c0a80164";                           // 192.168.1.100

// Query with an EDNS OPT record in the additional section.
inline constexpr std::string_view kEdnsQuery =
    "0042 0120 0001 0000 0000 0001"  // RD AD, QD=1 AR=1
    "06 676f6f676c65 03 636f6d 00"   // @12 google.com
    "0001 0001"
    "00 0029 1000 00000000 0000";  // root, OPT, payload size 4096, flags 0, rdlen 0

inline const std::string_view kAllFixtures[] = {kQuery,    kCnameChain, kMxTxt, kPtr,
                                                kNxdomain, kSrv,        kMdns,  kEdnsQuery};

}  // namespace beffroi::net::dns::testing
