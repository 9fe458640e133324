// Certificate message walking (RFC 5246 §7.4.2) and X.509 decoding through OpenSSL.
#include "agents/net/protocol/tls/certificate.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <string_view>
#include <unordered_map>

#include "agents/net/protocol/tls/escape.h"
#include "common/byte_reader.h"
#include "common/hash.h"

namespace beffroi::net::tls {
namespace {

constexpr std::string_view kMalformed = "tls.certificate_malformed";
// GeneralNames entries looked at per certificate, DNS or not (bounds the SAN loop).
constexpr int kMaxSanEntriesScanned = 4 * static_cast<int>(kMaxSanDnsNames);

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* g) const { GENERAL_NAMES_free(g); }
};

bool ReadU24(ByteReader& r, std::uint32_t& out) {
  std::uint8_t high = 0;
  std::uint16_t low = 0;
  ByteReader copy = r;  // a failed read leaves `r` unchanged
  if (!copy.ReadU8(high) || !copy.ReadU16Be(low)) return false;
  out = (std::uint32_t{high} << 16) | low;
  r = copy;
  return true;
}

std::span<const std::uint8_t> StringBytes(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  const int length = ASN1_STRING_length(s);
  const unsigned char* data = ASN1_STRING_get0_data(s);
  if (data == nullptr || length <= 0) return {};
  return {data, static_cast<std::size_t>(length)};
}

// One-line RFC 2253 text. OpenSSL escapes control and non-ASCII bytes itself; anything it
// leaves outside printable ASCII is escaped again so the string is safe in any output.
std::string NameToString(const X509_NAME* name) {
  if (name == nullptr) return {};
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  if (data == nullptr || length <= 0) return {};
  const std::size_t n = std::min(static_cast<std::size_t>(length), kMaxDistinguishedNameLength);
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<std::uint8_t>(data[i]);
    if (c >= 0x20 && c <= 0x7e) {
      out.push_back(static_cast<char>(c));
    } else {
      AppendEscaped(out, std::span<const std::uint8_t>(&c, 1));
    }
  }
  return out;
}

void AppendPadded(std::string& out, int value, int width) {
  char digits[12];
  int n = 0;
  unsigned v = value < 0 ? 0u : static_cast<unsigned>(value);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0 && n < 10);
  for (int i = n; i < width; ++i)
    out.push_back('0');
  while (n > 0)
    out.push_back(digits[--n]);
}

// RFC 3339 UTC ("2024-05-01T00:00:00Z"); empty when OpenSSL cannot read the time.
std::string TimeToRfc3339(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  std::string out;
  out.reserve(20);
  AppendPadded(out, tm.tm_year + 1900, 4);
  out.push_back('-');
  AppendPadded(out, tm.tm_mon + 1, 2);
  out.push_back('-');
  AppendPadded(out, tm.tm_mday, 2);
  out.push_back('T');
  AppendPadded(out, tm.tm_hour, 2);
  out.push_back(':');
  AppendPadded(out, tm.tm_min, 2);
  out.push_back(':');
  AppendPadded(out, tm.tm_sec, 2);
  out.push_back('Z');
  return out;
}

std::string SerialToHex(const ASN1_INTEGER* serial, AnomalySink& anomalies) {
  std::span<const std::uint8_t> bytes = StringBytes(serial);
  if (bytes.empty()) return "00";
  if (bytes.size() > kMaxSerialLength) {
    anomalies.Report(kMalformed, "serial: longer than 64 octets, cut");
    bytes = bytes.first(kMaxSerialLength);
  }
  std::string hex = HexEncode(bytes);
  if (ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER) hex.insert(hex.begin(), '-');
  return hex;
}

void ReadSanDnsNames(X509* x509, Certificate& out, AnomalySink& anomalies) {
  int critical = 0;
  std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(x509, NID_subject_alt_name, &critical, nullptr)));
  if (!names) {
    // -1: no SAN extension (normal); -2: several; otherwise it did not decode.
    if (critical != -1) anomalies.Report(kMalformed, "subjectAltName: unreadable");
    ERR_clear_error();
    return;
  }
  const int count = std::min(sk_GENERAL_NAME_num(names.get()), kMaxSanEntriesScanned);
  for (int i = 0; i < count && out.san_dns.size() < kMaxSanDnsNames; ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name == nullptr || name->type != GEN_DNS) continue;
    std::span<const std::uint8_t> dns = StringBytes(name->d.dNSName);
    if (dns.size() > kMaxSanDnsNameLength) {
      anomalies.Report(kMalformed, "subjectAltName: dNSName longer than 255 bytes, cut");
      dns = dns.first(kMaxSanDnsNameLength);
    }
    out.san_dns.push_back(Escaped(dns));
  }
}

}  // namespace

namespace {

// Servers show the same chain to every client, so a busy capture holds thousands of copies of
// a few certificates. Each is decoded once per thread and remembered by the SHA-256 of its DER
// (only when it decoded without an anomaly, so that anomalies are reported every time).
constexpr std::size_t kCertificateCacheEntries = 4096;

class CountingSink final : public AnomalySink {
 public:
  explicit CountingSink(AnomalySink& inner) : inner_(inner) {}
  void Report(std::string_view name, std::string_view detail) override {
    ++reports;
    inner_.Report(name, detail);
  }
  std::size_t reports = 0;

 private:
  AnomalySink& inner_;
};

bool DecodeCertificate(std::span<const std::uint8_t> der, const std::string& sha256,
                       Certificate& out, AnomalySink& anomalies) {
  out = Certificate{};
  if (der.empty()) {
    anomalies.Report(kMalformed, "certificate: empty");
    return false;
  }
  const unsigned char* p = der.data();
  std::unique_ptr<X509, X509Deleter> x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x509) {
    ERR_clear_error();  // keep OpenSSL's thread-local error queue from growing
    anomalies.Report(kMalformed, "DER does not decode as an X.509 certificate");
    return false;
  }
  out.subject = NameToString(X509_get_subject_name(x509.get()));
  out.issuer = NameToString(X509_get_issuer_name(x509.get()));
  out.serial = SerialToHex(X509_get0_serialNumber(x509.get()), anomalies);
  out.not_before = TimeToRfc3339(X509_get0_notBefore(x509.get()));
  out.not_after = TimeToRfc3339(X509_get0_notAfter(x509.get()));
  if (out.not_before.empty() || out.not_after.empty()) {
    anomalies.Report(kMalformed, "validity: unreadable time");
  }
  out.sha256 = sha256;
  ReadSanDnsNames(x509.get(), out, anomalies);
  ERR_clear_error();
  return true;
}

}  // namespace

bool ParseCertificate(std::span<const std::uint8_t> der, Certificate& out, AnomalySink& anomalies) {
  thread_local std::unordered_map<std::string, Certificate> cache;
  const std::string sha256 =
      Sha256Hex(std::string_view(reinterpret_cast<const char*>(der.data()), der.size()));
  if (auto it = cache.find(sha256); it != cache.end()) {
    out = it->second;
    return true;
  }
  CountingSink counting(anomalies);
  if (!DecodeCertificate(der, sha256, out, counting)) return false;
  if (counting.reports == 0) {
    if (cache.size() >= kCertificateCacheEntries) cache.clear();
    cache.emplace(sha256, out);
  }
  return true;
}

bool ParseCertificateMessage(std::span<const std::uint8_t> handshake_body,
                             std::vector<Certificate>& out, AnomalySink& anomalies,
                             std::size_t max_certificates) {
  ByteReader r(handshake_body);
  std::uint32_t list_bytes = 0;
  ByteReader list;
  if (!ReadU24(r, list_bytes) || !r.Sub(list_bytes, list)) {
    anomalies.Report(kMalformed, "certificate_list: length past the message");
    return false;
  }
  if (!r.empty()) anomalies.Report(kMalformed, "certificate_list: trailing bytes");
  std::size_t seen = 0;
  while (!list.empty()) {  // bounded: each entry consumes at least 3 bytes; see the count cap
    std::uint32_t length = 0;
    std::span<const std::uint8_t> der;
    if (!ReadU24(list, length) || !list.ReadBytes(length, der)) {
      anomalies.Report(kMalformed, "certificate: length past the list");
      return false;
    }
    if (seen == max_certificates) {
      anomalies.Report("tls.certificate_chain_too_long", "certificates past the limit ignored");
      break;
    }
    ++seen;
    if (der.empty()) {
      anomalies.Report(kMalformed, "certificate: empty");
      continue;
    }
    if (der.size() > kMaxCertificateLength) {
      anomalies.Report(kMalformed, "certificate: longer than 64 KiB, skipped");
      continue;
    }
    Certificate certificate;
    if (ParseCertificate(der, certificate, anomalies)) out.push_back(std::move(certificate));
  }
  return true;
}

}  // namespace beffroi::net::tls
