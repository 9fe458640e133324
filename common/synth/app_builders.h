// Application-layer message builders for the capture generator: DNS messages with name
// compression (RFC 1035 §4.1.4) and TLS handshake messages and records (RFC 5246, RFC 8446),
// including GREASE values (RFC 8701) and the embedded test certificate.
//
// Builders own the message they build and hand out a copy; they never read packets. Not
// thread-safe (one builder per message).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/synth/bytes.h"

namespace beffroi::synth {

inline constexpr std::uint16_t kDnsTypeA = 1;
inline constexpr std::uint16_t kDnsTypeCname = 5;
inline constexpr std::uint16_t kDnsTypeSoa = 6;
inline constexpr std::uint16_t kDnsTypePtr = 12;
inline constexpr std::uint16_t kDnsTypeMx = 15;
inline constexpr std::uint16_t kDnsTypeTxt = 16;
inline constexpr std::uint16_t kDnsTypeAaaa = 28;

inline constexpr std::uint16_t kDnsFlagsQuery = 0x0100;     // RD
inline constexpr std::uint16_t kDnsFlagsResponse = 0x8180;  // QR, RD, RA, NOERROR
inline constexpr std::uint16_t kDnsFlagsNxdomain = 0x8183;  // QR, RD, RA, NXDOMAIN

enum class DnsSection { kAnswer, kAuthority, kAdditional };

class DnsMessage {
 public:
  DnsMessage(std::uint16_t id, std::uint16_t flags);

  void Question(std::string_view name, std::uint16_t type);
  // Resource records; sections must be filled in order (answer, authority, additional).
  void A(DnsSection s, std::string_view name, std::uint32_t ttl, std::uint32_t ipv4);
  void Aaaa(DnsSection s, std::string_view name, std::uint32_t ttl, ByteSpan ipv6);
  void Cname(DnsSection s, std::string_view name, std::uint32_t ttl, std::string_view target);
  void Ptr(DnsSection s, std::string_view name, std::uint32_t ttl, std::string_view target);
  void Mx(DnsSection s, std::string_view name, std::uint32_t ttl, std::uint16_t preference,
          std::string_view exchange);
  void Txt(DnsSection s, std::string_view name, std::uint32_t ttl,
           const std::vector<std::string>& strings);
  void Soa(DnsSection s, std::string_view name, std::uint32_t ttl, std::string_view mname,
           std::string_view rname);

  const Bytes& bytes();  // the finished message (counts filled in)

 private:
  void WriteName(std::string_view name);
  void BeginRecord(DnsSection s, std::string_view name, std::uint16_t type, std::uint32_t ttl);
  void EndRecord();

  Bytes out_;
  std::uint16_t counts_[4] = {0, 0, 0, 0};  // QD, AN, NS, AR
  std::size_t rdlength_pos_ = 0;
  // Lower-case name suffix -> offset, for compression pointers.
  std::vector<std::pair<std::string, std::size_t>> names_;
};

// Lower-cased dotted name of an IPv4 PTR query (d.c.b.a.in-addr.arpa).
std::string ReverseName4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);

// --- TLS ---
inline constexpr std::uint8_t kTlsChangeCipherSpec = 20;
inline constexpr std::uint8_t kTlsAlert = 21;
inline constexpr std::uint8_t kTlsHandshake = 22;
inline constexpr std::uint8_t kTlsApplicationData = 23;

struct ClientHelloSpec {
  std::string sni;  // empty: no server_name extension
  std::vector<std::string> alpn;
  bool tls13 = false;  // adds supported_versions, key_share, psk_key_exchange_modes
  std::uint64_t seed = 1;
};

// Whole handshake messages (type, 24-bit length, body).
Bytes TlsClientHello(const ClientHelloSpec& spec);
Bytes TlsServerHello(bool tls13, std::uint16_t cipher, std::string_view alpn, std::uint64_t seed);
Bytes TlsCertificate(ByteSpan der);
Bytes TlsHandshakeMessage(std::uint8_t type, ByteSpan body);
// ECDHE ClientKeyExchange with an uncompressed P-256 point.
Bytes TlsClientKeyExchange(std::uint64_t seed);

void AppendTlsRecord(Bytes& out, std::uint8_t content_type, ByteSpan fragment,
                     std::uint16_t version = 0x0303);

// The self-signed test certificate (DER) embedded in tls_certificate.cc.
ByteSpan TestCertificateDer();

}  // namespace beffroi::synth
