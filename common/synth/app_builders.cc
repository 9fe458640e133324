#include "common/synth/app_builders.h"

#include <cctype>
#include <initializer_list>

#include "common/synth/rng.h"

namespace beffroi::synth {
namespace {

constexpr std::uint16_t kDnsClassIn = 1;
constexpr std::size_t kDnsMaxPointerOffset = 0x3fff;  // RFC 1035 §4.1.4: 14-bit offsets

std::string Lower(std::string_view s) {
  std::string r(s);
  for (char& c : r)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

// RFC 8701 GREASE values: 0x0a0a, 0x1a1a, ... 0xfafa.
std::uint16_t Grease(std::uint64_t i) {
  const auto n = static_cast<unsigned>(i % 16);
  return static_cast<std::uint16_t>(((n << 4 | 0x0a) << 8) | (n << 4 | 0x0a));
}

void PutExtension(Bytes& out, std::uint16_t type, const Bytes& data) {
  Put16(out, type);
  Put16(out, static_cast<unsigned>(data.size()));
  PutBytes(out, data);
}

// A list with a 16-bit length prefix of 16-bit values.
Bytes List16(std::initializer_list<std::uint16_t> values) {
  Bytes b;
  Put16(b, static_cast<unsigned>(values.size() * 2));
  for (std::uint16_t v : values)
    Put16(b, v);
  return b;
}

Bytes ServerNameExtension(std::string_view name) {
  Bytes b;
  Put16(b, static_cast<unsigned>(name.size() + 3));  // server_name_list length
  Put8(b, 0);                                        // host_name
  Put16(b, static_cast<unsigned>(name.size()));
  PutStr(b, name);
  return b;
}

Bytes AlpnExtension(const std::vector<std::string>& protocols) {
  Bytes list;
  for (const std::string& p : protocols) {
    Put8(list, static_cast<unsigned>(p.size()));
    PutStr(list, p);
  }
  Bytes b;
  Put16(b, static_cast<unsigned>(list.size()));
  PutBytes(b, list);
  return b;
}

Bytes ClientExtensions(const ClientHelloSpec& spec, Rng& rng) {
  const std::uint64_t g = spec.seed;
  Bytes ext;
  PutExtension(ext, Grease(g + 1), {});
  if (!spec.sni.empty()) PutExtension(ext, 0, ServerNameExtension(spec.sni));
  PutExtension(ext, 23, {});                                               // extended_master_secret
  PutExtension(ext, 0xff01, {0});                                          // renegotiation_info
  PutExtension(ext, 10, List16({Grease(g + 2), 0x001d, 0x0017, 0x0018}));  // supported_groups
  PutExtension(ext, 11, {1, 0});  // ec_point_formats: uncompressed
  PutExtension(ext, 35, {});      // session_ticket
  if (!spec.alpn.empty()) PutExtension(ext, 16, AlpnExtension(spec.alpn));
  PutExtension(ext, 5, {1, 0, 0, 0, 0});  // status_request: OCSP
  PutExtension(ext, 13,
               List16({0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806,
                       0x0601}));  // signature_algorithms
  PutExtension(ext, 18, {});       // signed_certificate_timestamp
  if (spec.tls13) {
    Bytes shares;
    Put16(shares, Grease(g + 2));
    Put16(shares, 1);
    Put8(shares, 0);
    Put16(shares, 0x001d);  // x25519
    Put16(shares, 32);
    rng.Fill(shares, 32);
    Bytes key_share;
    Put16(key_share, static_cast<unsigned>(shares.size()));
    PutBytes(key_share, shares);
    PutExtension(ext, 51, key_share);
    PutExtension(ext, 45, {1, 1});  // psk_key_exchange_modes: psk_dhe_ke
    Bytes versions;
    Put8(versions, 6);
    Put16(versions, Grease(g + 3));
    Put16(versions, 0x0304);
    Put16(versions, 0x0303);
    PutExtension(ext, 43, versions);  // supported_versions
  }
  PutExtension(ext, Grease(g + 4), {0});
  return ext;
}

}  // namespace

DnsMessage::DnsMessage(std::uint16_t id, std::uint16_t flags) {
  Put16(out_, id);
  Put16(out_, flags);
  PutZeros(out_, 8);
}

void DnsMessage::WriteName(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  while (!name.empty()) {
    const std::string key = Lower(name);
    for (const auto& [suffix, offset] : names_) {
      if (suffix == key) {
        Put16(out_, static_cast<unsigned>(0xc000 | offset));
        return;
      }
    }
    if (out_.size() <= kDnsMaxPointerOffset) names_.emplace_back(key, out_.size());
    const std::size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    Put8(out_, static_cast<unsigned>(label.size()));
    PutStr(out_, label);
    name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  }
  Put8(out_, 0);
}

void DnsMessage::Question(std::string_view name, std::uint16_t type) {
  WriteName(name);
  Put16(out_, type);
  Put16(out_, kDnsClassIn);
  ++counts_[0];
}

void DnsMessage::BeginRecord(DnsSection s, std::string_view name, std::uint16_t type,
                             std::uint32_t ttl) {
  WriteName(name);
  Put16(out_, type);
  Put16(out_, kDnsClassIn);
  Put32(out_, ttl);
  rdlength_pos_ = out_.size();
  Put16(out_, 0);
  ++counts_[1 + static_cast<int>(s)];
}

void DnsMessage::EndRecord() {
  Set16(out_, rdlength_pos_, static_cast<unsigned>(out_.size() - rdlength_pos_ - 2));
}

void DnsMessage::A(DnsSection s, std::string_view name, std::uint32_t ttl, std::uint32_t ipv4) {
  BeginRecord(s, name, kDnsTypeA, ttl);
  Put32(out_, ipv4);
  EndRecord();
}

void DnsMessage::Aaaa(DnsSection s, std::string_view name, std::uint32_t ttl, ByteSpan ipv6) {
  BeginRecord(s, name, kDnsTypeAaaa, ttl);
  PutBytes(out_, ipv6.first(16));
  EndRecord();
}

void DnsMessage::Cname(DnsSection s, std::string_view name, std::uint32_t ttl,
                       std::string_view target) {
  BeginRecord(s, name, kDnsTypeCname, ttl);
  WriteName(target);
  EndRecord();
}

void DnsMessage::Ptr(DnsSection s, std::string_view name, std::uint32_t ttl,
                     std::string_view target) {
  BeginRecord(s, name, kDnsTypePtr, ttl);
  WriteName(target);
  EndRecord();
}

void DnsMessage::Mx(DnsSection s, std::string_view name, std::uint32_t ttl,
                    std::uint16_t preference, std::string_view exchange) {
  BeginRecord(s, name, kDnsTypeMx, ttl);
  Put16(out_, preference);
  WriteName(exchange);
  EndRecord();
}

void DnsMessage::Txt(DnsSection s, std::string_view name, std::uint32_t ttl,
                     const std::vector<std::string>& strings) {
  BeginRecord(s, name, kDnsTypeTxt, ttl);
  for (const std::string& t : strings) {
    Put8(out_, static_cast<unsigned>(t.size() & 0xff));
    PutStr(out_, std::string_view(t).substr(0, 255));
  }
  EndRecord();
}

void DnsMessage::Soa(DnsSection s, std::string_view name, std::uint32_t ttl, std::string_view mname,
                     std::string_view rname) {
  BeginRecord(s, name, kDnsTypeSoa, ttl);
  WriteName(mname);
  WriteName(rname);
  Put32(out_, 2026062101);  // serial
  Put32(out_, 3600);        // refresh
  Put32(out_, 900);         // retry
  Put32(out_, 1209600);     // expire
  Put32(out_, 300);         // minimum (negative-caching TTL)
  EndRecord();
}

const Bytes& DnsMessage::bytes() {
  for (int i = 0; i < 4; ++i)
    Set16(out_, 4 + 2 * static_cast<std::size_t>(i), counts_[i]);
  return out_;
}

std::string ReverseName4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return std::to_string(d) + "." + std::to_string(c) + "." + std::to_string(b) + "." +
         std::to_string(a) + ".in-addr.arpa";
}

Bytes TlsHandshakeMessage(std::uint8_t type, ByteSpan body) {
  Bytes m;
  Put8(m, type);
  Put24(m, static_cast<std::uint32_t>(body.size()));
  PutBytes(m, body);
  return m;
}

Bytes TlsClientHello(const ClientHelloSpec& spec) {
  Rng rng(spec.seed * 7919 + 17);
  Bytes body;
  Put16(body, 0x0303);  // legacy_version
  rng.Fill(body, 32);   // random
  Put8(body, 32);       // legacy_session_id (RFC 8446 middlebox compatibility)
  rng.Fill(body, 32);
  const Bytes suites =
      List16({Grease(spec.seed), 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
              0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035});
  PutBytes(body, suites);
  Put8(body, 1);  // compression methods: null
  Put8(body, 0);
  const Bytes ext = ClientExtensions(spec, rng);
  Put16(body, static_cast<unsigned>(ext.size()));
  PutBytes(body, ext);
  return TlsHandshakeMessage(1, body);
}

Bytes TlsServerHello(bool tls13, std::uint16_t cipher, std::string_view alpn, std::uint64_t seed) {
  Rng rng(seed * 104729 + 3);
  Bytes body;
  Put16(body, 0x0303);
  rng.Fill(body, 32);
  Put8(body, 32);
  rng.Fill(body, 32);
  Put16(body, cipher);
  Put8(body, 0);
  Bytes ext;
  if (tls13) {
    PutExtension(ext, 43, {0x03, 0x04});  // supported_versions: TLS 1.3
    Bytes share;
    Put16(share, 0x001d);
    Put16(share, 32);
    rng.Fill(share, 32);
    PutExtension(ext, 51, share);
  } else {
    PutExtension(ext, 0xff01, {0});
    PutExtension(ext, 11, {1, 0});
    PutExtension(ext, 23, {});
    if (!alpn.empty()) PutExtension(ext, 16, AlpnExtension({std::string(alpn)}));
  }
  Put16(body, static_cast<unsigned>(ext.size()));
  PutBytes(body, ext);
  return TlsHandshakeMessage(2, body);
}

Bytes TlsCertificate(ByteSpan der) {
  Bytes body;
  Put24(body, static_cast<std::uint32_t>(der.size() + 3));
  Put24(body, static_cast<std::uint32_t>(der.size()));
  PutBytes(body, der);
  return TlsHandshakeMessage(11, body);
}

Bytes TlsClientKeyExchange(std::uint64_t seed) {
  Rng rng(seed * 31 + 5);
  Bytes body;
  Put8(body, 65);
  Put8(body, 4);  // uncompressed point
  rng.Fill(body, 64);
  return TlsHandshakeMessage(16, body);
}

void AppendTlsRecord(Bytes& out, std::uint8_t content_type, ByteSpan fragment,
                     std::uint16_t version) {
  Put8(out, content_type);
  Put16(out, version);
  Put16(out, static_cast<unsigned>(fragment.size()));
  PutBytes(out, fragment);
}

}  // namespace beffroi::synth
