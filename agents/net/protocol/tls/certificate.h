// Server certificates of a TLS 1.2-or-older handshake (beffroi::net::tls).
//
// ParseCertificateMessage walks the Certificate handshake body (RFC 5246 §7.4.2: a uint24
// list of uint24-prefixed DER certificates) with ByteReader and decodes each certificate with
// OpenSSL's d2i_X509 (hardened and fuzzed upstream); OpenSSL stays inside the .cc file. The
// records own their strings. A certificate that does not decode is reported and skipped; the
// others are kept. Stateless; thread-safe with distinct arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "agents/net/protocol/anomaly.h"
#include "agents/net/protocol/tls/limits.h"

namespace beffroi::net::tls {

struct Certificate {
  std::string subject;     // one-line RFC 2253 ("CN=beffroi-test.example,O=Beffroi")
  std::string issuer;      // likewise
  std::string serial;      // lower-case hex of the magnitude, '-' first when negative
  std::string not_before;  // RFC 3339 UTC "2024-05-01T00:00:00Z"; empty when unreadable
  std::string not_after;
  std::string sha256;                // of the DER, lower-case hex
  std::vector<std::string> san_dns;  // subjectAltName dNSName entries, escaped (escape.h)
};

// Appends the decodable certificates of a Certificate handshake body to `out`, in order (the
// server's chain, leaf first), at most `max_certificates`. Returns false when the framing is
// broken (tls.certificate_malformed); certificates decoded before the fault are kept.
// Anomalies: tls.certificate_malformed, tls.certificate_chain_too_long.
bool ParseCertificateMessage(std::span<const std::uint8_t> handshake_body,
                             std::vector<Certificate>& out, AnomalySink& anomalies,
                             std::size_t max_certificates = Limits{}.max_certificates);

// Decodes one DER certificate. Returns false (tls.certificate_malformed) when it does not parse.
bool ParseCertificate(std::span<const std::uint8_t> der, Certificate& out, AnomalySink& anomalies);

}  // namespace beffroi::net::tls
