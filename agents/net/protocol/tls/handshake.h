// TLS ClientHello and ServerHello: records and pure parsers (beffroi::net::tls).
//
// The parsers take one complete handshake message body (after the 4-byte handshake header),
// read it through ByteReader, fill a caller-owned record and compute its fingerprints (JA3 and
// JA4 for a ClientHello, JA3S for a ServerHello). Malformed input is reported to the
// AnomalySink; the return value says whether a record was produced. The records own their
// strings (they outlive the packet). Stateless functions; thread-safe with distinct arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "agents/net/protocol/anomaly.h"

namespace beffroi::net::tls {

struct ClientHello {
  std::uint16_t record_version = 0;  // record layer version (set by Connection; 0 otherwise)
  std::uint16_t legacy_version = 0;  // client_version
  // Lists keep the wire order and include GREASE values and duplicate extensions; the
  // fingerprints filter them.
  std::vector<std::uint16_t> cipher_suites;
  std::vector<std::uint16_t> extensions;
  std::vector<std::uint16_t> supported_groups;
  std::vector<std::uint16_t> signature_algorithms;
  std::vector<std::uint16_t> supported_versions;
  std::vector<std::uint8_t> ec_point_formats;
  std::string server_name;        // SNI host_name; bytes outside 0x20-0x7e and '\' as \xNN
  std::vector<std::string> alpn;  // protocol names, escaped likewise (at most kMaxAlpnProtocols)
  std::size_t duplicate_extensions = 0;  // extensions whose type appeared earlier in the hello
  std::string ja3;                       // "771,4865-4866,0-23-65281,29-23,0"
  std::string ja3_hash;                  // MD5 of ja3, lower-case hex
  std::string ja4;                       // "t13d1516h2_8daaf6152771_e5627efa2ab1"
};

struct ServerHello {
  std::uint16_t record_version = 0;  // record layer version (set by Connection; 0 otherwise)
  std::uint16_t legacy_version = 0;
  std::uint16_t selected_version = 0;  // supported_versions (RFC 8446 §4.2.1), else legacy
  std::uint16_t cipher_suite = 0;
  std::vector<std::uint16_t> extensions;  // types in wire order
  std::string alpn;                       // selected protocol, escaped like ClientHello::alpn
  bool hello_retry_request = false;       // RFC 8446 §4.1.3: the special Random value
  std::string ja3s;                       // "771,4865,43-51"
  std::string ja3s_hash;                  // MD5 of ja3s, lower-case hex
};

// True unless the bytes present contradict a TLS record carrying a ClientHello: content type
// 22, version major 3, handshake type 1. An empty span gives true.
bool LooksLikeClientHello(std::span<const std::uint8_t> first_bytes);

// True when the bytes present start like an SSL 2.0 CLIENT-HELLO (RFC 6101 appendix E.2): a
// 2-byte length with the top bit set, message type 1, version 0x0002 or 0x03xx. Needs 5 bytes.
bool LooksLikeSslv2ClientHello(std::span<const std::uint8_t> first_bytes);

// Parse one handshake body. On false `out` holds whatever was read before the fault and an
// anomaly was reported (tls.client_hello_malformed, tls.extension_overflow).
bool ParseClientHello(std::span<const std::uint8_t> handshake_body, ClientHello& out,
                      AnomalySink& anomalies);
// Anomalies: tls.server_hello_malformed, tls.extension_overflow.
bool ParseServerHello(std::span<const std::uint8_t> handshake_body, ServerHello& out,
                      AnomalySink& anomalies);

}  // namespace beffroi::net::tls
