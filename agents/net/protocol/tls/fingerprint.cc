#include "agents/net/protocol/tls/fingerprint.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <string_view>
#include <vector>

#include "agents/net/protocol/tls/limits.h"
#include "common/hash.h"

namespace beffroi::net::tls {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
// JA4 spec: an empty list hashes to twelve zeros instead of SHA-256("").
constexpr std::string_view kJa4EmptyHash = "000000000000";
constexpr std::size_t kJa4HashLength = 12;

void AppendDecimal(std::string& out, unsigned value) {
  char buf[12];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec == std::errc()) out.append(buf, end);
}

void AppendHex4(std::string& out, std::uint16_t v) {
  out.push_back(kHexDigits[(v >> 12) & 0xf]);
  out.push_back(kHexDigits[(v >> 8) & 0xf]);
  out.push_back(kHexDigits[(v >> 4) & 0xf]);
  out.push_back(kHexDigits[v & 0xf]);
}

template <typename T>
void AppendJa3List(std::string& out, const std::vector<T>& values, bool drop_grease) {
  bool first = true;
  for (T v : values) {
    if (drop_grease && IsGrease(static_cast<std::uint16_t>(v))) continue;
    if (!first) out.push_back('-');
    first = false;
    AppendDecimal(out, v);
  }
}

// One-shot digest with an algorithm fetched once per process: OpenSSL 3's implicit fetch on
// every EVP_DigestInit costs about 1 us, three times per ClientHello. Empty when the algorithm
// is unavailable (MD5 under a FIPS-only provider).
std::string DigestHex(const EVP_MD* md, std::string_view text) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (md == nullptr || EVP_Digest(text.data(), text.size(), out, &length, md, nullptr) != 1) {
    return {};
  }
  return HexEncode(std::span<const std::uint8_t>(out, length));
}

std::string Md5Hex(std::string_view text) {
  static const EVP_MD* const md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return DigestHex(md5, text);
}

std::string Ja4Hash(std::string_view text) {
  if (text.empty()) return std::string(kJa4EmptyHash);
  static const EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return DigestHex(sha256, text).substr(0, kJa4HashLength);
}

void AppendJa4HexList(std::string& out, const std::vector<std::uint16_t>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out.push_back(',');
    AppendHex4(out, values[i]);
  }
}

void AppendCount(std::string& out, std::size_t count) {
  count = std::min(count, kMaxJa4Count);
  out.push_back(static_cast<char>('0' + count / 10));
  out.push_back(static_cast<char>('0' + count % 10));
}

bool IsAlphanumeric(std::uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// JA4: the highest non-GREASE supported_versions value, else the legacy version.
std::uint16_t Ja4Version(const ClientHello& hello) {
  std::uint16_t best = 0;
  for (std::uint16_t v : hello.supported_versions) {
    if (!IsGrease(v)) best = std::max(best, v);
  }
  return best != 0 ? best : hello.legacy_version;
}

}  // namespace

const char* Ja4VersionCode(std::uint16_t version) {
  switch (version) {
    case 0x0304:
      return "13";
    case 0x0303:
      return "12";
    case 0x0302:
      return "11";
    case 0x0301:
      return "10";
    case 0x0300:
      return "s3";
    case 0x0002:
      return "s2";
    case 0xfeff:
      return "d1";
    case 0xfefd:
      return "d2";
    case 0xfefc:
      return "d3";
    default:
      return "00";
  }
}

std::string Ja4AlpnCode(std::span<const std::uint8_t> first_alpn) {
  if (first_alpn.empty()) return "00";
  const std::uint8_t first = first_alpn.front();
  const std::uint8_t last = first_alpn.back();
  if (IsAlphanumeric(first) && IsAlphanumeric(last)) {
    return {static_cast<char>(first), static_cast<char>(last)};
  }
  return {kHexDigits[first >> 4], kHexDigits[last & 0xf]};
}

void ComputeJa3(ClientHello& hello) {
  std::string& s = hello.ja3;
  s.clear();
  AppendDecimal(s, hello.legacy_version);
  s.push_back(',');
  AppendJa3List(s, hello.cipher_suites, true);
  s.push_back(',');
  AppendJa3List(s, hello.extensions, true);
  s.push_back(',');
  AppendJa3List(s, hello.supported_groups, true);
  s.push_back(',');
  AppendJa3List(s, hello.ec_point_formats, false);
  hello.ja3_hash = Md5Hex(s);
}

void ComputeJa4(ClientHello& hello, std::span<const std::uint8_t> first_alpn) {
  std::vector<std::uint16_t> ciphers;
  ciphers.reserve(hello.cipher_suites.size());
  for (std::uint16_t c : hello.cipher_suites) {
    if (!IsGrease(c)) ciphers.push_back(c);
  }
  std::vector<std::uint16_t> extensions;  // JA4_c: without SNI and ALPN
  extensions.reserve(hello.extensions.size());
  std::size_t extension_count = 0;  // JA4_a: with SNI and ALPN
  bool has_sni = false;
  for (std::uint16_t e : hello.extensions) {
    if (IsGrease(e)) continue;
    ++extension_count;
    if (e == kExtServerName) has_sni = true;
    if (e != kExtServerName && e != kExtAlpn) extensions.push_back(e);
  }
  std::sort(ciphers.begin(), ciphers.end());
  std::sort(extensions.begin(), extensions.end());

  std::string list;
  AppendJa4HexList(list, ciphers);
  const std::string ja4_b = Ja4Hash(list);
  list.clear();
  AppendJa4HexList(list, extensions);
  bool first_algorithm = true;
  for (std::uint16_t a : hello.signature_algorithms) {
    if (IsGrease(a)) continue;
    list.push_back(first_algorithm ? '_' : ',');
    first_algorithm = false;
    AppendHex4(list, a);
  }
  const std::string ja4_c = Ja4Hash(list);

  std::string& s = hello.ja4;
  s.assign("t");  // TCP; QUIC ('q') and DTLS ('d') are not parsed here
  s.append(Ja4VersionCode(Ja4Version(hello)));
  s.push_back(has_sni ? 'd' : 'i');
  AppendCount(s, ciphers.size());
  AppendCount(s, extension_count);
  s.append(Ja4AlpnCode(first_alpn));
  s.push_back('_');
  s.append(ja4_b);
  s.push_back('_');
  s.append(ja4_c);
}

void ComputeJa3s(ServerHello& hello) {
  std::string& s = hello.ja3s;
  s.clear();
  AppendDecimal(s, hello.legacy_version);
  s.push_back(',');
  AppendDecimal(s, hello.cipher_suite);
  s.push_back(',');
  AppendJa3List(s, hello.extensions, false);
  hello.ja3s_hash = Md5Hex(s);
}

}  // namespace beffroi::net::tls
