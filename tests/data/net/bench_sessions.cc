// The benchmark capture's conversation mix: which sessions start, between which hosts, with
// which names and payloads. Sizes follow log-uniform laws, as file and object sizes do.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "common/synth/app_builders.h"
#include "bench_capture.h"

namespace beffroi::testdata::net {
namespace {

constexpr const char* kSubdomains[] = {"www",    "mail",  "portail",  "api",     "cdn",
                                       "static", "login", "intranet", "guichet", "agenda",
                                       "sso",    "vpn",   "files",    "update",  "telemetry",
                                       "img",    "news",  "outlook",  "teams",   "drive"};
constexpr const char* kWords[] = {
    "ville",      "cpas",         "police",  "ecole",    "biblio",    "sport",   "culture",
    "tourisme",   "mobilite",     "energie", "eau",      "dechets",   "parking", "emploi",
    "sante",      "jeunesse",     "seniors", "finances", "urbanisme", "travaux", "etatcivil",
    "population", "marche",       "musee",   "theatre",  "piscine",   "parc",    "zoning",
    "logement",   "enseignement", "social",  "archives"};
constexpr const char* kZones[] = {"example", "test", "example-commune.be", "example.net"};
constexpr const char* kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "Microsoft-CryptoAPI/10.0",
    "Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.50",
    "curl/7.88.1"};
constexpr const char* kContentTypes[] = {
    "text/html; charset=utf-8", "application/javascript", "image/png",
    "application/pdf",          "application/json",       "application/octet-stream"};

constexpr std::uint32_t kIpv6PerMille = 110;
constexpr std::uint32_t kVlanPerMille = 60;

template <typename T, std::size_t N>
const T& Pick(Rng& rng, const T (&items)[N]) {
  return items[rng.Below(static_cast<std::uint32_t>(N))];
}

// Log-uniform size in [lo, hi].
std::size_t LogSize(Rng& rng, double lo, double hi) {
  const double u = static_cast<double>(rng.Next() >> 11) / 9007199254740992.0;
  return static_cast<std::size_t>(std::exp(std::log(lo) + u * (std::log(hi) - std::log(lo))));
}

std::string RandomName(Rng& rng) {
  if (rng.PerMille(150)) {  // long tail of one-off CDN names
    char buf[32];
    std::snprintf(buf, sizeof buf, "n%08x.cdn", static_cast<unsigned>(rng.Next()));
    return std::string(buf) + "." + Pick(rng, kZones);
  }
  return std::string(Pick(rng, kSubdomains)) + "." + Pick(rng, kWords) + "-" + Pick(rng, kWords) +
         "." + Pick(rng, kZones);
}

void AppendPool(Bytes& out, Rng& rng, const Bytes& pool, std::size_t n) {
  n = std::min(n, pool.size());
  const std::size_t off = rng.Below(static_cast<std::uint32_t>(pool.size() - n + 1));
  out.insert(out.end(), pool.begin() + static_cast<std::ptrdiff_t>(off),
             pool.begin() + static_cast<std::ptrdiff_t>(off + n));
}

Endpoints RandomEnds(Rng& rng, bool allow_v6, const Addr& server4, const Addr& server6) {
  Endpoints e;
  const auto subnet = static_cast<std::uint8_t>(1 + rng.Below(8));
  const auto host = static_cast<std::uint8_t>(10 + rng.Below(240));
  if (allow_v6 && rng.PerMille(kIpv6PerMille)) {
    e.client = Ip6({0x2001, 0xdb8, 0x20, subnet, 0, 0, 0, host});
    e.server = server6;
  } else {
    e.client = Ip4(10, 20, subnet, host);
    e.server = server4;
  }
  e.client_port = static_cast<std::uint16_t>(32768 + rng.Below(28000));
  if (rng.PerMille(kVlanPerMille)) e.vlan = static_cast<std::uint16_t>(20 + subnet);
  return e;
}

Addr ExternalServer4(Rng& rng) {
  constexpr std::uint8_t kNets[3][3] = {{192, 0, 2}, {198, 51, 100}, {203, 0, 113}};
  const auto* n = kNets[rng.Below(3)];
  return Ip4(n[0], n[1], n[2], static_cast<std::uint8_t>(1 + rng.Below(254)));
}

Addr ExternalServer6(Rng& rng) {
  return Ip6({0x2001, 0xdb8, 0x80, static_cast<std::uint16_t>(rng.Below(16)), 0, 0, 0,
              static_cast<std::uint16_t>(1 + rng.Below(254))});
}

Message Msg(bool from_client, Bytes data) {
  return {from_client, std::move(data)};
}
Message Msg(bool from_client, std::string_view text) {
  return {from_client, Bytes(text.begin(), text.end())};
}

BenchSession DnsSession(Rng& rng) {
  Endpoints e =
      RandomEnds(rng, true, Ip4(10, 20, 0, 53), Ip6({0x2001, 0xdb8, 0x20, 0, 0, 0, 0, 0x53}));
  e.server_port = 53;
  BenchSession s(BenchSession::Kind::kUdp, e, rng);
  const std::string name = RandomName(rng);
  const auto id = static_cast<std::uint16_t>(rng.Next());
  const std::uint16_t type = rng.PerMille(700) ? kDnsTypeA : kDnsTypeAaaa;
  DnsMessage q(id, kDnsFlagsQuery);
  q.Question(name, type);
  const bool nx = rng.PerMille(80);
  DnsMessage r(id, nx ? kDnsFlagsNxdomain : kDnsFlagsResponse);
  r.Question(name, type);
  if (nx) {
    r.Soa(DnsSection::kAuthority, "example", 300, "ns1.example", "hostmaster.example");
  } else {
    std::string owner = name;
    if (rng.PerMille(300)) {
      owner = "edge-" + std::to_string(rng.Below(64)) + ".cdn.example.net";
      r.Cname(DnsSection::kAnswer, name, 300, owner);
    }
    for (std::uint32_t i = 0, n = 1 + rng.Below(3); i < n; ++i) {
      if (type == kDnsTypeA) {
        r.A(DnsSection::kAnswer, owner, 60, 0xc6336400u | rng.Below(256));
      } else {
        r.Aaaa(DnsSection::kAnswer, owner, 60, ExternalServer6(rng).b);
      }
    }
  }
  s.messages().push_back(Msg(true, q.bytes()));
  s.messages().push_back(Msg(false, r.bytes()));
  return s;
}

BenchSession HttpSession(Rng& rng, const Bytes& pool) {
  Endpoints e = RandomEnds(rng, true, ExternalServer4(rng), ExternalServer6(rng));
  e.server_port = rng.PerMille(880) ? 80 : 8080;
  BenchSession s(BenchSession::Kind::kTcp, e, rng);
  const std::string host = RandomName(rng);
  const char* ua = Pick(rng, kUserAgents);
  for (std::uint32_t i = 0, n = 1 + rng.Below(3); i < n; ++i) {
    const bool post = rng.PerMille(100);
    std::string uri =
        "/" + std::string(Pick(rng, kWords)) + "/" + std::to_string(rng.Below(100000));
    if (rng.PerMille(300)) uri += "?id=" + std::to_string(rng.Below(1000000)) + "&lang=fr";
    std::string req = (post ? "POST " : "GET ") + uri + " HTTP/1.1\r\nHost: " + host +
                      "\r\nUser-Agent: " + ua + "\r\nAccept: */*\r\nConnection: keep-alive\r\n";
    Bytes request;
    const std::size_t upload = post ? LogSize(rng, 100, 64 * 1024) : 0;
    if (post)
      req += "Content-Type: application/octet-stream\r\nContent-Length: " + std::to_string(upload) +
             "\r\n";
    PutStr(request, req + "\r\n");
    AppendPool(request, rng, pool, upload);
    s.messages().push_back(Msg(true, std::move(request)));
    const std::size_t body = LogSize(rng, 200, 2 * 1024 * 1024);
    Bytes response;
    PutStr(response, "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: " +
                         std::string(Pick(rng, kContentTypes)) +
                         "\r\nContent-Length: " + std::to_string(body) + "\r\n\r\n");
    AppendPool(response, rng, pool, body);
    s.messages().push_back(Msg(false, std::move(response)));
  }
  return s;
}

// `total` bytes of application data in records of at most 16 KiB (RFC 8446 §5.1).
Bytes AppData(Rng& rng, const Bytes& pool, std::size_t total) {
  Bytes out;
  while (total > 0) {
    const std::size_t n = std::min<std::size_t>(total, 16384 + 17);
    Bytes fragment;
    AppendPool(fragment, rng, pool, n);
    AppendTlsRecord(out, kTlsApplicationData, fragment);
    total -= n;
  }
  return out;
}

BenchSession TlsSession(Rng& rng, const Bytes& pool) {
  Endpoints e = RandomEnds(rng, true, ExternalServer4(rng), ExternalServer6(rng));
  e.server_port = 443;
  BenchSession s(BenchSession::Kind::kTcp, e, rng);
  ClientHelloSpec spec;
  spec.sni = RandomName(rng);
  spec.alpn = {"h2", "http/1.1"};
  spec.tls13 = rng.PerMille(300);
  spec.seed = rng.Next();
  Bytes hello;
  AppendTlsRecord(hello, kTlsHandshake, TlsClientHello(spec), 0x0301);
  s.messages().push_back(Msg(true, std::move(hello)));
  Bytes flight;
  AppendTlsRecord(flight, kTlsHandshake,
                  TlsServerHello(spec.tls13, spec.tls13 ? 0x1301 : 0xc02b, "h2", spec.seed));
  if (spec.tls13) {
    AppendTlsRecord(flight, kTlsChangeCipherSpec, Bytes{1});
    PutBytes(flight, AppData(rng, pool, LogSize(rng, 1500, 5000)));
  } else {
    Bytes certs = TlsCertificate(TestCertificateDer());
    PutBytes(certs, TlsHandshakeMessage(14, {}));
    AppendTlsRecord(flight, kTlsHandshake, certs);
  }
  s.messages().push_back(Msg(false, std::move(flight)));
  Bytes finish;
  if (!spec.tls13) AppendTlsRecord(finish, kTlsHandshake, TlsClientKeyExchange(spec.seed));
  AppendTlsRecord(finish, kTlsChangeCipherSpec, Bytes{1});
  PutBytes(finish, AppData(rng, pool, 53));
  s.messages().push_back(Msg(true, std::move(finish)));
  for (std::uint32_t i = 0, n = 1 + rng.Below(4); i < n; ++i) {
    s.messages().push_back(Msg(true, AppData(rng, pool, LogSize(rng, 100, 2000))));
    s.messages().push_back(Msg(false, AppData(rng, pool, LogSize(rng, 500, 1536 * 1024))));
  }
  return s;
}

// The 64-byte SMB2 header (MS-SMB2 §2.2.1.2), little-endian, for a READ.
void AppendSmb2Header(Bytes& m, bool response, std::uint64_t message_id, std::uint64_t session) {
  PutStr(m, "\xfeSMB");
  PutLe16(m, 64);                // structure size
  PutLe16(m, 1);                 // credit charge
  PutLe32(m, 0);                 // status
  PutLe16(m, 8);                 // command: READ
  PutLe16(m, 1);                 // credits
  PutLe32(m, response ? 1 : 0);  // flags: SERVER_TO_REDIR
  PutLe32(m, 0);                 // next command
  PutLe64(m, message_id);
  PutLe32(m, 0xfeff);  // process id
  PutLe32(m, 1);       // tree id
  PutLe64(m, session);
  PutZeros(m, 16);  // signature
}

// SMB2 READs of a file over NetBIOS session framing on 445: binary traffic beffroi-net does not
// parse but must carry through its flow table.
BenchSession SmbSession(Rng& rng, const Bytes& pool) {
  Endpoints e =
      RandomEnds(rng, false, Ip4(10, 20, 0, static_cast<std::uint8_t>(10 + rng.Below(2))), {});
  e.server_port = 445;
  BenchSession s(BenchSession::Kind::kTcp, e, rng);
  const std::uint64_t session = rng.Next();
  std::uint64_t file_offset = 0;
  for (std::uint32_t i = 0, n = 2 + rng.Below(18); i < n; ++i) {
    const auto length = static_cast<std::uint32_t>(LogSize(rng, 100, 64 * 1024));
    Bytes req;
    Put32(req, 64 + 49);  // NetBIOS session message: type 0, 24-bit length
    AppendSmb2Header(req, false, 10 + i, session);
    PutLe16(req, 49);  // READ request (MS-SMB2 §2.2.19)
    Put8(req, 0x50);   // padding: data offset wanted in the response
    Put8(req, 0);
    PutLe32(req, length);
    PutLe64(req, file_offset);
    PutZeros(req, 16);  // file id
    PutZeros(req, 4 + 4 + 4 + 2 + 2 + 1);
    s.messages().push_back(Msg(true, std::move(req)));
    Bytes resp;
    Put32(resp, 64 + 16 + length);
    AppendSmb2Header(resp, true, 10 + i, session);
    PutLe16(resp, 17);  // READ response (MS-SMB2 §2.2.20)
    Put8(resp, 0x50);   // data offset from the SMB2 header
    Put8(resp, 0);
    PutLe32(resp, length);
    PutZeros(resp, 8);  // data remaining, reserved
    AppendPool(resp, rng, pool, length);
    s.messages().push_back(Msg(false, std::move(resp)));
    file_offset += length;
  }
  return s;
}

BenchSession SmallUdpSession(Rng& rng, const Bytes& pool) {
  const bool ntp = rng.PerMille(400);
  Endpoints e = RandomEnds(rng, false, Ip4(10, 20, 0, ntp ? 123 : 114), {});
  e.server_port = ntp ? 123 : 514;
  if (ntp) e.client_port = 123;
  BenchSession s(BenchSession::Kind::kUdp, e, rng);
  if (ntp) {
    constexpr std::uint8_t kNtpModes[] = {0x23, 0x24};  // NTPv4 client, server (RFC 5905)
    for (std::uint8_t mode : kNtpModes) {
      Bytes m;
      Put8(m, mode);
      AppendPool(m, rng, pool, 47);
      s.messages().push_back(Msg(mode == 0x23, std::move(m)));
    }
    return s;
  }
  std::string msg = "<134>Jun 21 06:00:00 poste-" + std::to_string(rng.Below(500)) + " app[" +
                    std::to_string(rng.Below(30000)) + "]: ";
  const std::size_t words = 5 + rng.Below(40);
  for (std::size_t i = 0; i < words; ++i)
    msg += std::string(Pick(rng, kWords)) + " ";
  s.messages().push_back(Msg(true, msg));
  return s;
}

BenchSession IcmpSession(Rng& rng, const Bytes& pool) {
  Endpoints e = RandomEnds(rng, true, ExternalServer4(rng), ExternalServer6(rng));
  e.client_port = static_cast<std::uint16_t>(rng.Next());  // the echo identifier
  BenchSession s(BenchSession::Kind::kIcmp, e, rng);
  Bytes payload;
  AppendPool(payload, rng, pool, 56);
  for (std::uint32_t i = 0, n = 1 + rng.Below(4); i < n; ++i) {
    s.messages().push_back(Msg(true, payload));
    s.messages().push_back(Msg(false, payload));
  }
  return s;
}

}  // namespace

BenchSession NewBenchSession(Rng& rng, const Bytes& pool) {
  const std::uint32_t r = rng.Below(100);
  if (r < 34) return DnsSession(rng);
  if (r < 56) return TlsSession(rng, pool);
  if (r < 70) return HttpSession(rng, pool);
  if (r < 74) return SmbSession(rng, pool);
  if (r < 94) return SmallUdpSession(rng, pool);
  return IcmpSession(rng, pool);
}

}  // namespace beffroi::testdata::net
