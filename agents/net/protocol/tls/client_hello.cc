// ClientHello parsing (RFC 5246 §7.4.1.2, RFC 8446 §4.1.2) and LooksLike* sniffers.
#include <algorithm>
#include <string_view>

#include "agents/net/protocol/tls/escape.h"
#include "agents/net/protocol/tls/fingerprint.h"
#include "agents/net/protocol/tls/handshake.h"
#include "agents/net/protocol/tls/limits.h"
#include "common/byte_reader.h"

namespace beffroi::net::tls {
namespace {

constexpr std::string_view kMalformed = "tls.client_hello_malformed";

bool Fail(AnomalySink& anomalies, std::string_view detail) {
  anomalies.Report(kMalformed, detail);
  return false;
}

// Reads all of `r` as big-endian 16-bit values. The loop is bounded by the bytes present (at
// most half the 64 KiB message limit); the reservation is bounded the same way.
bool ReadU16List(ByteReader r, std::vector<std::uint16_t>& out) {
  if (r.remaining() % 2 != 0) return false;
  out.reserve(r.remaining() / 2);
  std::uint16_t v = 0;
  while (r.ReadU16Be(v))
    out.push_back(v);
  return true;
}

// A list with a 1- or 2-byte length prefix that must fit in the extension data.
bool ReadPrefixed(ByteReader& ext, std::size_t prefix_bytes, ByteReader& list) {
  if (prefix_bytes == 1) {
    std::uint8_t n = 0;
    return ext.ReadU8(n) && ext.Sub(n, list);
  }
  std::uint16_t n = 0;
  return ext.ReadU16Be(n) && ext.Sub(n, list);
}

// RFC 6066 §3: ServerNameList of (type, opaque name<1..2^16-1>); the first host_name wins.
void ParseServerName(ByteReader ext, ClientHello& out, AnomalySink& anomalies) {
  ByteReader list;
  if (!ReadPrefixed(ext, 2, list)) {
    anomalies.Report(kMalformed, "server_name: list length past the extension");
    return;
  }
  bool have_host = false;
  while (!list.empty()) {  // bounded: each entry consumes at least 3 bytes
    std::uint8_t type = 0;
    std::uint16_t length = 0;
    std::span<const std::uint8_t> name;
    if (!list.ReadU8(type) || !list.ReadU16Be(length) || !list.ReadBytes(length, name)) {
      anomalies.Report(kMalformed, "server_name: entry length past the list");
      return;
    }
    if (type != 0 || have_host) continue;
    have_host = true;
    if (name.empty()) anomalies.Report(kMalformed, "server_name: empty host_name");
    if (name.size() > kMaxServerNameLength) {
      anomalies.Report(kMalformed, "server_name: host_name longer than 255 bytes, cut");
      name = name.first(kMaxServerNameLength);
    }
    AppendEscaped(out.server_name, name);
  }
}

// RFC 7301 §3.1: ProtocolNameList of opaque ProtocolName<1..2^8-1>.
void ParseAlpn(ByteReader ext, ClientHello& out, std::span<const std::uint8_t>& first,
               AnomalySink& anomalies) {
  ByteReader list;
  if (!ReadPrefixed(ext, 2, list)) {
    anomalies.Report(kMalformed, "alpn: list length past the extension");
    return;
  }
  while (!list.empty()) {  // bounded: each entry consumes at least 1 byte
    std::uint8_t length = 0;
    std::span<const std::uint8_t> name;
    if (!list.ReadU8(length) || !list.ReadBytes(length, name)) {
      anomalies.Report(kMalformed, "alpn: protocol name length past the list");
      return;
    }
    if (name.empty()) {
      anomalies.Report(kMalformed, "alpn: empty protocol name");
      continue;
    }
    if (out.alpn.empty()) first = name;
    if (out.alpn.size() < kMaxAlpnProtocols) out.alpn.push_back(Escaped(name));
  }
}

void ParseU16ListExtension(ByteReader ext, std::size_t prefix_bytes,
                           std::vector<std::uint16_t>& out, std::string_view detail,
                           AnomalySink& anomalies) {
  ByteReader list;
  if (!ReadPrefixed(ext, prefix_bytes, list) || !ReadU16List(list, out)) {
    out.clear();
    anomalies.Report(kMalformed, detail);
  }
}

void ParseEcPointFormats(ByteReader ext, ClientHello& out, AnomalySink& anomalies) {
  ByteReader list;
  if (!ReadPrefixed(ext, 1, list)) {
    anomalies.Report(kMalformed, "ec_point_formats: list length past the extension");
    return;
  }
  std::span<const std::uint8_t> rest = list.Rest();
  out.ec_point_formats.assign(rest.begin(), rest.end());
}

std::size_t CountDuplicates(std::vector<std::uint16_t> types) {
  std::sort(types.begin(), types.end());
  std::size_t duplicates = 0;
  for (std::size_t i = 1; i < types.size(); ++i) {
    if (types[i] == types[i - 1]) ++duplicates;
  }
  return duplicates;
}

// Decodes one extension we fingerprint; only its first occurrence is decoded.
void DecodeExtension(std::uint16_t type, ByteReader data, ClientHello& out,
                     std::span<const std::uint8_t>& first_alpn, unsigned& decoded,
                     AnomalySink& anomalies) {
  unsigned bit = 0;
  switch (type) {
    case kExtServerName:
      bit = 1u << 0;
      break;
    case kExtSupportedGroups:
      bit = 1u << 1;
      break;
    case kExtEcPointFormats:
      bit = 1u << 2;
      break;
    case kExtSignatureAlgorithms:
      bit = 1u << 3;
      break;
    case kExtAlpn:
      bit = 1u << 4;
      break;
    case kExtSupportedVersions:
      bit = 1u << 5;
      break;
    default:
      return;
  }
  if ((decoded & bit) != 0) return;
  decoded |= bit;
  switch (type) {
    case kExtServerName:
      ParseServerName(data, out, anomalies);
      break;
    case kExtSupportedGroups:
      ParseU16ListExtension(data, 2, out.supported_groups, "supported_groups: bad list length",
                            anomalies);
      break;
    case kExtEcPointFormats:
      ParseEcPointFormats(data, out, anomalies);
      break;
    case kExtSignatureAlgorithms:
      ParseU16ListExtension(data, 2, out.signature_algorithms,
                            "signature_algorithms: bad list length", anomalies);
      break;
    case kExtAlpn:
      ParseAlpn(data, out, first_alpn, anomalies);
      break;
    case kExtSupportedVersions:
      ParseU16ListExtension(data, 1, out.supported_versions, "supported_versions: bad list length",
                            anomalies);
      break;
    default:
      break;
  }
}

// The extensions block; false when an extension runs past it (the rest cannot be trusted).
bool ParseExtensions(ByteReader block, ClientHello& out, std::span<const std::uint8_t>& first_alpn,
                     AnomalySink& anomalies) {
  // Bounded: each extension consumes at least 4 bytes of a block of at most 2^16-1 bytes.
  out.extensions.reserve(block.remaining() / 4);
  unsigned decoded = 0;
  while (!block.empty()) {
    std::uint16_t type = 0;
    std::uint16_t length = 0;
    ByteReader data;
    if (!block.ReadU16Be(type) || !block.ReadU16Be(length)) {
      anomalies.Report("tls.extension_overflow", "client_hello: extension header past the block");
      return false;
    }
    if (!block.Sub(length, data)) {
      anomalies.Report("tls.extension_overflow", "client_hello: extension data past the block");
      return false;
    }
    out.extensions.push_back(type);
    DecodeExtension(type, data, out, first_alpn, decoded, anomalies);
  }
  out.duplicate_extensions = CountDuplicates(out.extensions);
  return true;
}

}  // namespace

bool LooksLikeClientHello(std::span<const std::uint8_t> b) {
  if (!b.empty() && b[0] != kContentHandshake) return false;
  if (b.size() > 1 && b[1] != 3) return false;
  if (b.size() > 5 && b[5] != kHandshakeClientHello) return false;
  return true;
}

bool LooksLikeSslv2ClientHello(std::span<const std::uint8_t> b) {
  if (b.size() < 5) return false;
  const bool version_ok = (b[3] == 0x00 && b[4] == 0x02) || b[3] == 0x03;
  return (b[0] & 0x80) != 0 && b[2] == kHandshakeClientHello && version_ok;
}

bool ParseClientHello(std::span<const std::uint8_t> handshake_body, ClientHello& out,
                      AnomalySink& anomalies) {
  out = ClientHello{};
  ByteReader r(handshake_body);
  std::uint8_t session_id_length = 0;
  std::uint16_t cipher_bytes = 0;
  std::uint8_t compression_bytes = 0;
  ByteReader ciphers;
  if (!r.ReadU16Be(out.legacy_version)) return Fail(anomalies, "client_version: past the message");
  if (!r.Skip(kRandomLength)) return Fail(anomalies, "random: past the message");
  if (!r.ReadU8(session_id_length)) return Fail(anomalies, "session_id: past the message");
  if (session_id_length > kMaxSessionIdLength) {
    return Fail(anomalies, "session_id: longer than 32 bytes");
  }
  if (!r.Skip(session_id_length)) return Fail(anomalies, "session_id: past the message");
  if (!r.ReadU16Be(cipher_bytes) || !r.Sub(cipher_bytes, ciphers)) {
    return Fail(anomalies, "cipher_suites: length past the message");
  }
  if (!ReadU16List(ciphers, out.cipher_suites)) {
    return Fail(anomalies, "cipher_suites: odd length");
  }
  if (!r.ReadU8(compression_bytes) || !r.Skip(compression_bytes)) {
    return Fail(anomalies, "compression_methods: length past the message");
  }
  std::span<const std::uint8_t> first_alpn;
  // RFC 5246 §7.4.1.2: a hello without extensions simply ends here.
  if (!r.empty()) {
    std::uint16_t extension_bytes = 0;
    ByteReader block;
    if (!r.ReadU16Be(extension_bytes) || !r.Sub(extension_bytes, block)) {
      return Fail(anomalies, "extensions: length past the message");
    }
    if (!r.empty()) anomalies.Report(kMalformed, "extensions: trailing bytes after the block");
    if (!ParseExtensions(block, out, first_alpn, anomalies)) return false;
  }
  ComputeJa3(out);
  ComputeJa4(out, first_alpn);
  return true;
}

}  // namespace beffroi::net::tls
