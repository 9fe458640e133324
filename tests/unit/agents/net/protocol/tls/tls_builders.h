// Test helpers: builders for TLS handshake bytes, a recording AnomalySink and Observer.
//
// The builders write the wire format field by field (RFC 5246 §6.2, §7.4, RFC 8446 §4) so each
// test states what its fixture contains. Header-only; used by the tls_test executable only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agents/net/protocol/anomaly.h"
#include "agents/net/protocol/tls/connection.h"

namespace beffroi::net::tls::testing {

using Bytes = std::vector<std::uint8_t>;

inline void PutU8(Bytes& b, unsigned v) {
  b.push_back(static_cast<std::uint8_t>(v));
}
inline void PutU16(Bytes& b, unsigned v) {
  PutU8(b, v >> 8);
  PutU8(b, v);
}
inline void PutU24(Bytes& b, unsigned v) {
  PutU8(b, v >> 16);
  PutU16(b, v);
}
inline void Append(Bytes& b, const Bytes& more) {
  b.insert(b.end(), more.begin(), more.end());
}
inline void Append(Bytes& b, std::string_view s) {
  b.insert(b.end(), s.begin(), s.end());
}
inline Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts)
    Append(out, p);
  return out;
}

// uint16 values behind a 1- or 2-byte length prefix.
inline Bytes U16List(std::initializer_list<unsigned> values, int prefix_bytes = 2) {
  Bytes b;
  const unsigned length = static_cast<unsigned>(values.size() * 2);
  if (prefix_bytes == 1) {
    PutU8(b, length);
  } else {
    PutU16(b, length);
  }
  for (unsigned v : values)
    PutU16(b, v);
  return b;
}

struct Extension {
  unsigned type;
  Bytes data;
};

inline Extension Sni(std::string_view host) {
  Bytes entry;
  PutU8(entry, 0);  // name_type host_name
  PutU16(entry, static_cast<unsigned>(host.size()));
  Append(entry, host);
  Bytes data;
  PutU16(data, static_cast<unsigned>(entry.size()));  // ServerNameList length
  Append(data, entry);
  return {0x0000, data};
}
inline Extension Alpn(std::initializer_list<std::string_view> names) {
  Bytes list;
  for (std::string_view n : names) {
    PutU8(list, static_cast<unsigned>(n.size()));
    Append(list, n);
  }
  Bytes data;
  PutU16(data, static_cast<unsigned>(list.size()));
  Append(data, list);
  return {0x0010, data};
}
inline Extension Groups(std::initializer_list<unsigned> groups) {
  return {0x000a, U16List(groups)};
}
inline Extension PointFormats(std::initializer_list<unsigned> formats) {
  Bytes data;
  PutU8(data, static_cast<unsigned>(formats.size()));
  for (unsigned f : formats)
    PutU8(data, f);
  return {0x000b, data};
}
inline Extension SigAlgs(std::initializer_list<unsigned> algs) {
  return {0x000d, U16List(algs)};
}
inline Extension Versions(std::initializer_list<unsigned> versions) {
  return {0x002b, U16List(versions, 1)};
}
inline Extension Opaque(unsigned type, Bytes data = {}) {
  return {type, std::move(data)};
}

inline Bytes ExtensionBlock(const std::vector<Extension>& extensions) {
  Bytes block;
  for (const Extension& e : extensions) {
    PutU16(block, e.type);
    PutU16(block, static_cast<unsigned>(e.data.size()));
    Append(block, e.data);
  }
  Bytes out;
  PutU16(out, static_cast<unsigned>(block.size()));
  Append(out, block);
  return out;
}

// ClientHello body: version, 32-byte random (0x11...), session id, ciphers, null
// compression, extensions (omitted entirely when `with_extensions` is false).
inline Bytes ClientHelloBody(unsigned version, std::initializer_list<unsigned> ciphers,
                             const std::vector<Extension>& extensions, bool with_extensions = true,
                             std::size_t session_id_length = 0) {
  Bytes b;
  PutU16(b, version);
  b.insert(b.end(), 32, 0x11);
  PutU8(b, static_cast<unsigned>(session_id_length));
  b.insert(b.end(), session_id_length, 0x22);
  Append(b, U16List(ciphers));
  PutU8(b, 1);  // one compression method
  PutU8(b, 0);  // null
  if (with_extensions) Append(b, ExtensionBlock(extensions));
  return b;
}

// ServerHello body with a chosen Random byte value (0x33 by default).
inline Bytes ServerHelloBody(unsigned version, unsigned cipher,
                             const std::vector<Extension>& extensions, Bytes random = {}) {
  Bytes b;
  PutU16(b, version);
  if (random.empty()) random.assign(32, 0x33);
  Append(b, random);
  PutU8(b, 0);  // empty session id
  PutU16(b, cipher);
  PutU8(b, 0);  // null compression
  if (!extensions.empty()) Append(b, ExtensionBlock(extensions));
  return b;
}

inline Bytes Handshake(unsigned type, const Bytes& body) {
  Bytes b;
  PutU8(b, type);
  PutU24(b, static_cast<unsigned>(body.size()));
  Append(b, body);
  return b;
}

inline Bytes Record(unsigned type, unsigned version, const Bytes& payload) {
  Bytes b;
  PutU8(b, type);
  PutU16(b, version);
  PutU16(b, static_cast<unsigned>(payload.size()));
  Append(b, payload);
  return b;
}

// A Certificate handshake body holding the given DER blobs.
inline Bytes CertificateBody(const std::vector<Bytes>& ders) {
  Bytes list;
  for (const Bytes& d : ders) {
    PutU24(list, static_cast<unsigned>(d.size()));
    Append(list, d);
  }
  Bytes b;
  PutU24(b, static_cast<unsigned>(list.size()));
  Append(b, list);
  return b;
}

class RecordingSink final : public AnomalySink {
 public:
  void Report(std::string_view name, std::string_view detail) override {
    reports.emplace_back(std::string(name), std::string(detail));
  }
  bool Has(std::string_view name) const {
    return std::any_of(reports.begin(), reports.end(),
                       [&](const auto& r) { return r.first == name; });
  }
  std::size_t Count(std::string_view name) const {
    return static_cast<std::size_t>(std::count_if(reports.begin(), reports.end(),
                                                  [&](const auto& r) { return r.first == name; }));
  }
  std::vector<std::pair<std::string, std::string>> reports;
};

class RecordingObserver final : public Observer {
 public:
  void OnClientHello(const ClientHello& hello) override { client_hellos.push_back(hello); }
  void OnServerHello(const ServerHello& hello) override { server_hellos.push_back(hello); }
  void OnCertificates(const std::vector<Certificate>& chain) override { chains.push_back(chain); }
  std::vector<ClientHello> client_hellos;
  std::vector<ServerHello> server_hellos;
  std::vector<std::vector<Certificate>> chains;
};

// The Chrome-like ClientHello of the JA4 specification's worked example
// (t13d1516h2_8daaf6152771_e5627efa2ab1), with GREASE values as Chrome sends them.
inline Bytes ChromeClientHelloBody() {
  return ClientHelloBody(
      0x0303,
      {0x0a0a /* GREASE */, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
       0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035},
      {
          Opaque(0x1a1a),  // GREASE extension, empty
          Sni("example.com"),
          Opaque(0x0017),       // extended_master_secret
          Opaque(0xff01, {0}),  // renegotiation_info
          Groups({0x2a2a /* GREASE */, 0x001d, 0x0017, 0x0018}), PointFormats({0}),
          Opaque(0x0023),                                             // session_ticket
          Alpn({"h2", "http/1.1"}), Opaque(0x0005, {1, 0, 0, 0, 0}),  // status_request
          SigAlgs({0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}),
          Opaque(0x0012),                                  // signed_certificate_timestamp
          Opaque(0x0033, {0, 6, 0x00, 0x1d, 0, 2, 9, 9}),  // key_share (short fake)
          Opaque(0x002d, {1, 1}),                          // psk_key_exchange_modes
          Versions({0x7a7a /* GREASE */, 0x0304, 0x0303}),
          Opaque(0x001b, {2, 0, 2}),            // compress_certificate
          Opaque(0x4469, {0, 3, 2, 'h', '2'}),  // application_settings
          Opaque(0x2a2a, {0}),                  // GREASE extension, one byte
          Opaque(0x0015, Bytes(16, 0)),         // padding
      });
}

}  // namespace beffroi::net::tls::testing
