// Escaping of untrusted names (SNI, ALPN, SAN) for evidence records (beffroi::net::tls).
//
// Bytes 0x20-0x7e except '\' are kept; every other byte becomes "\xNN" (lower-case hex), so
// the result is printable ASCII and the original bytes can be recovered. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace beffroi::net::tls {

void AppendEscaped(std::string& out, std::span<const std::uint8_t> bytes);
std::string Escaped(std::span<const std::uint8_t> bytes);

}  // namespace beffroi::net::tls
