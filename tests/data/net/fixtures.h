// The fixture captures written by `beffroi-gen-pcaps fixtures OUTDIR`, and the conversation
// helpers they share (a DNS exchange, an HTTP exchange over a full TCP connection, a TLS
// ClientHello on its own connection).
//
// Each fixture function returns the file bytes and the indicator lines it contains; the caller
// writes them. All addresses are documentation or private ranges (RFC 5737, RFC 3849, RFC 1918)
// and all names are under example-commune.be or .example: no real personal data. Thread-safe
// (no shared state).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/synth/bytes.h"
#include "common/synth/packet.h"
#include "common/synth/trace.h"

namespace beffroi::testdata::net {

// The packet, capture-file and message builders of common/synth.
using namespace beffroi::synth;

struct Fixture {
  std::string file;  // path under OUTDIR, e.g. "dns.pcap" or "bad/empty.pcap"
  Bytes bytes;
  std::set<std::string> expected;  // written to expected/<stem>.txt for good fixtures
  bool has_expected = true;
};

// Shared addresses.
inline constexpr Addr kClient4 = Ip4(10, 20, 1, 15);
inline constexpr Addr kClient4b = Ip4(10, 20, 1, 16);
inline constexpr Addr kResolver4 = Ip4(10, 20, 0, 53);
inline constexpr Addr kWebServer4 = Ip4(192, 0, 2, 80);
inline constexpr Addr kPortal4 = Ip4(198, 51, 100, 25);
inline constexpr Addr kIntranet4 = Ip4(10, 20, 0, 80);
inline constexpr Addr kClient6 = Ip6({0x2001, 0xdb8, 0x20, 1, 0, 0, 0, 0x15});
inline constexpr Addr kResolver6 = Ip6({0x2001, 0xdb8, 0x20, 0, 0, 0, 0, 0x53});
inline constexpr Addr kWebServer6 = Ip6({0x2001, 0xdb8, 0x80, 0, 0, 0, 0, 0x80});

inline constexpr std::string_view kUserAgent =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0";
// The EICAR anti-virus test file (68 bytes): harmless, and every AV and YARA rule set knows it.
inline constexpr std::string_view kEicar =
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

// A UDP DNS query for (name, type) and its response `response` (already built), on port 53.
void DnsExchange(Trace& t, const Addr& client, const Addr& server, std::uint16_t client_port,
                 std::uint16_t id, std::string_view name, std::uint16_t type,
                 const Bytes& response);
// Query and a NOERROR response with one A (or AAAA for an IPv6 server address) answer.
void SimpleDnsLookup(Trace& t, const Addr& client, const Addr& server, std::uint16_t client_port,
                     std::uint16_t id, std::string_view name, const Addr& answer);
// "GET uri" with Host and User-Agent on a new connection, a 200 text/html response, close.
void HttpGetConnection(Trace& t, const Addr& client, std::uint16_t client_port, const Addr& server,
                       std::uint16_t server_port, std::string_view host, std::string_view uri,
                       std::uint32_t isn_seed);
std::string HttpRequest(std::string_view method, std::string_view uri, std::string_view host,
                        std::string_view extra_headers = {}, std::string_view body = {});
std::string HttpResponse(std::string_view status, std::string_view content_type,
                         std::string_view body, std::string_view extra_headers = {});
// A TLS 1.2 ClientHello record (SNI, ALPN h2/http1.1) on a new connection to port 443.
void TlsClientHelloConnection(Trace& t, const Addr& client, std::uint16_t client_port,
                              const Addr& server, std::string_view sni, std::uint32_t isn_seed);

Fixture DnsFixture();
Fixture HttpFixture();
Fixture TlsFixture();
Fixture LinkFixture(Link link, std::string_view name);
Fixture FragFixture();
Fixture MixedPcapngFixture();
Fixture NanosecondFixture();
std::vector<Fixture> BadFixtures();

}  // namespace beffroi::testdata::net
