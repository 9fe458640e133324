// ServerHello parsing (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3).
#include <algorithm>
#include <array>
#include <string_view>

#include "agents/net/protocol/tls/escape.h"
#include "agents/net/protocol/tls/fingerprint.h"
#include "agents/net/protocol/tls/handshake.h"
#include "agents/net/protocol/tls/limits.h"
#include "common/byte_reader.h"

namespace beffroi::net::tls {
namespace {

constexpr std::string_view kMalformed = "tls.server_hello_malformed";

// RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose Random is
// SHA-256("HelloRetryRequest").
constexpr std::array<std::uint8_t, kRandomLength> kHelloRetryRequestRandom = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

bool Fail(AnomalySink& anomalies, std::string_view detail) {
  anomalies.Report(kMalformed, detail);
  return false;
}

// RFC 8446 §4.2.1: in a ServerHello, supported_versions holds the one selected version.
void ParseSelectedVersion(ByteReader data, ServerHello& out, AnomalySink& anomalies) {
  std::uint16_t version = 0;
  if (data.remaining() != 2 || !data.ReadU16Be(version)) {
    anomalies.Report(kMalformed, "supported_versions: not one 2-byte version");
    return;
  }
  out.selected_version = version;
}

// RFC 7301 §3.1: the server's ProtocolNameList holds exactly one name.
void ParseSelectedAlpn(ByteReader data, ServerHello& out, AnomalySink& anomalies) {
  std::uint16_t list_bytes = 0;
  std::uint8_t name_bytes = 0;
  ByteReader list;
  std::span<const std::uint8_t> name;
  if (!data.ReadU16Be(list_bytes) || !data.Sub(list_bytes, list) || !list.ReadU8(name_bytes) ||
      !list.ReadBytes(name_bytes, name) || name.empty() || !list.empty()) {
    anomalies.Report(kMalformed, "alpn: not one protocol name");
    return;
  }
  out.alpn = Escaped(name);
}

bool ParseExtensions(ByteReader block, ServerHello& out, AnomalySink& anomalies) {
  // Bounded: each extension consumes at least 4 bytes of a block of at most 2^16-1 bytes.
  out.extensions.reserve(block.remaining() / 4);
  bool have_version = false;
  bool have_alpn = false;
  while (!block.empty()) {
    std::uint16_t type = 0;
    std::uint16_t length = 0;
    ByteReader data;
    if (!block.ReadU16Be(type) || !block.ReadU16Be(length)) {
      anomalies.Report("tls.extension_overflow", "server_hello: extension header past the block");
      return false;
    }
    if (!block.Sub(length, data)) {
      anomalies.Report("tls.extension_overflow", "server_hello: extension data past the block");
      return false;
    }
    out.extensions.push_back(type);
    if (type == kExtSupportedVersions && !have_version) {
      have_version = true;
      ParseSelectedVersion(data, out, anomalies);
    } else if (type == kExtAlpn && !have_alpn) {
      have_alpn = true;
      ParseSelectedAlpn(data, out, anomalies);
    }
  }
  return true;
}

}  // namespace

bool ParseServerHello(std::span<const std::uint8_t> handshake_body, ServerHello& out,
                      AnomalySink& anomalies) {
  out = ServerHello{};
  ByteReader r(handshake_body);
  std::span<const std::uint8_t> random;
  std::uint8_t session_id_length = 0;
  std::uint8_t compression = 0;
  if (!r.ReadU16Be(out.legacy_version)) return Fail(anomalies, "server_version: past the message");
  if (!r.ReadBytes(kRandomLength, random)) return Fail(anomalies, "random: past the message");
  out.hello_retry_request =
      std::equal(random.begin(), random.end(), kHelloRetryRequestRandom.begin());
  if (!r.ReadU8(session_id_length)) return Fail(anomalies, "session_id: past the message");
  if (session_id_length > kMaxSessionIdLength) {
    return Fail(anomalies, "session_id: longer than 32 bytes");
  }
  if (!r.Skip(session_id_length)) return Fail(anomalies, "session_id: past the message");
  if (!r.ReadU16Be(out.cipher_suite)) return Fail(anomalies, "cipher_suite: past the message");
  if (!r.ReadU8(compression)) return Fail(anomalies, "compression_method: past the message");
  out.selected_version = out.legacy_version;
  if (!r.empty()) {
    std::uint16_t extension_bytes = 0;
    ByteReader block;
    if (!r.ReadU16Be(extension_bytes) || !r.Sub(extension_bytes, block)) {
      return Fail(anomalies, "extensions: length past the message");
    }
    if (!r.empty()) anomalies.Report(kMalformed, "extensions: trailing bytes after the block");
    if (!ParseExtensions(block, out, anomalies)) return false;
  }
  ComputeJa3s(out);
  return true;
}

}  // namespace beffroi::net::tls
