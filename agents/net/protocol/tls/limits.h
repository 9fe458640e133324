// Protocol constants and bounds of the TLS handshake parser (beffroi::net::tls).
//
// Every length read from the wire is checked against the bytes present and against one of
// these limits before it can drive a loop or an allocation. Fixed protocol sizes cite their
// RFC; our own bounds (the Limits defaults) say why they are generous enough for real traffic.
// Plain constants and a value type; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace beffroi::net::tls {

// RFC 5246 §6.2.1: content type (1), version (2), length (2).
inline constexpr std::size_t kRecordHeaderLength = 5;
// RFC 5246 §6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048.
inline constexpr std::size_t kMaxRecordLength = (std::size_t{1} << 14) + 2048;
// RFC 5246 §7.4: msg_type (1), uint24 length (3).
inline constexpr std::size_t kHandshakeHeaderLength = 4;
// RFC 5246 §7.4.1.2: Random is 32 bytes; SessionID <0..32>.
inline constexpr std::size_t kRandomLength = 32;
inline constexpr std::size_t kMaxSessionIdLength = 32;
// RFC 6066 §3: host_name is a DNS host name, at most 255 octets (RFC 1035 §2.3.4). Longer
// names are reported and cut to this length.
inline constexpr std::size_t kMaxServerNameLength = 255;
// RFC 7301 §3.1 allows 2^16-1 bytes of protocol names; we keep the first 32 (browsers send 2-3).
inline constexpr std::size_t kMaxAlpnProtocols = 32;
// RFC 5246 §7.4.2 allows 2^24-1 bytes per certificate; real leaf certificates with hundreds of
// SANs stay under 16 KiB.
inline constexpr std::size_t kMaxCertificateLength = 64 * 1024;
// CA/Browser Forum certificates carry at most a few hundred names (Let's Encrypt: 100).
inline constexpr std::size_t kMaxSanDnsNames = 256;
// A DNS name in a SAN: 255 octets (RFC 1035 §2.3.4).
inline constexpr std::size_t kMaxSanDnsNameLength = 255;
// Printed subject/issuer strings are cut here (a DN is a handful of short attributes).
inline constexpr std::size_t kMaxDistinguishedNameLength = 4096;
// RFC 5280 §4.1.2.2: serial numbers are at most 20 octets; we print up to 64 before cutting.
inline constexpr std::size_t kMaxSerialLength = 64;
// JA4 (FoxIO spec): cipher and extension counts are two decimal digits, capped at 99.
inline constexpr std::size_t kMaxJa4Count = 99;

// Record content types (RFC 5246 §6.2.1, RFC 8446 §5.1).
inline constexpr std::uint8_t kContentChangeCipherSpec = 20;
inline constexpr std::uint8_t kContentAlert = 21;
inline constexpr std::uint8_t kContentHandshake = 22;
inline constexpr std::uint8_t kContentApplicationData = 23;

// Handshake message types (RFC 5246 §7.4, RFC 8446 §4).
inline constexpr std::uint8_t kHandshakeClientHello = 1;
inline constexpr std::uint8_t kHandshakeServerHello = 2;
inline constexpr std::uint8_t kHandshakeCertificate = 11;

// Extension types (IANA "TLS ExtensionType Values").
inline constexpr std::uint16_t kExtServerName = 0;            // RFC 6066 §3
inline constexpr std::uint16_t kExtSupportedGroups = 10;      // RFC 8422 §5.1.1
inline constexpr std::uint16_t kExtEcPointFormats = 11;       // RFC 8422 §5.1.2
inline constexpr std::uint16_t kExtSignatureAlgorithms = 13;  // RFC 8446 §4.2.3
inline constexpr std::uint16_t kExtAlpn = 16;                 // RFC 7301 §3.1
inline constexpr std::uint16_t kExtSupportedVersions = 43;    // RFC 8446 §4.2.1

inline constexpr std::uint16_t kVersionTls13 = 0x0304;

// RFC 8701 §2: GREASE values are 0x?A?A with both bytes equal.
constexpr bool IsGrease(std::uint16_t v) {
  return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

// Per-connection bounds; the defaults suit real traffic with a wide margin.
struct Limits {
  // Real ClientHellos are under 2 KiB (under 4 KiB with post-quantum key shares).
  std::size_t max_client_hello_length = 64 * 1024;
  std::size_t max_server_hello_length = 64 * 1024;
  // A chain of a few certificates; RFC 5246 §7.4.2 allows 2^24-1.
  std::size_t max_certificate_message_length = 256 * 1024;
  std::size_t max_certificates = 10;
  // Per direction, before the handshake ends: a handshake needs about ten records.
  std::size_t max_records = 1024;
  std::size_t max_handshake_messages = 32;
};

}  // namespace beffroi::net::tls
