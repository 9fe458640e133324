// TLS client and server fingerprints: JA3, JA3S (salesforce/ja3) and JA4 (FoxIO JA4 spec).
//
// ParseClientHello and ParseServerHello call these; they are public for tests and for callers
// that build a hello by hand. GREASE values (RFC 8701) are removed from ciphers, extensions,
// groups, versions and signature algorithms; ServerHello lists are used as sent (a server never
// sends GREASE, and salesforce's ja3s does not filter). Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "agents/net/protocol/tls/handshake.h"

namespace beffroi::net::tls {

// Sets hello.ja3 ("SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats",
// decimal, '-' joined) and hello.ja3_hash (MD5, lower-case hex).
void ComputeJa3(ClientHello& hello);
// Sets hello.ja4. `first_alpn` holds the raw bytes of the first ALPN protocol (empty if none);
// SNI presence is read from hello.extensions.
void ComputeJa4(ClientHello& hello, std::span<const std::uint8_t> first_alpn);
// Sets hello.ja3s ("SSLVersion,Cipher,Extensions") and hello.ja3s_hash.
void ComputeJa3s(ServerHello& hello);

// JA4 version code: "13", "12", "11", "10", "s3", "s2", "d1", "d2", "d3", or "00".
const char* Ja4VersionCode(std::uint16_t version);
// JA4 ALPN code: first and last character of the protocol name when both are alphanumeric,
// else the first and last hex digit of its bytes; "00" for none.
std::string Ja4AlpnCode(std::span<const std::uint8_t> first_alpn);

}  // namespace beffroi::net::tls
