#include "analyzer/ioc/network.h"

#include <arpa/inet.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/text.h"

namespace beffroi::ioc {
namespace {

// RFC 1035 §2.3.4: labels are 63 octets or less, names 255 octets or less on the wire, which
// leaves 253 characters in dotted text form.
constexpr std::size_t kMaxDomainLength = 253;
constexpr std::size_t kMaxLabelLength = 63;
// Longer URLs and user agents than these are not indicators anyone writes by hand or shares.
constexpr std::size_t kMaxUrlLength = 8 * 1024;
constexpr std::size_t kMaxUserAgentLength = 8 * 1024;
// JA4 (FoxIO): "t13d1516h2_8daaf6152771_b186095e22b6", parts of 10, 12 and 12 characters.
constexpr std::size_t kJa4Length = 36;
constexpr std::size_t kJa3Length = 32;        // an MD5 in hex
constexpr std::size_t kMaxIpTextLength = 45;  // INET6_ADDRSTRLEN - 1

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsLowerAlnum(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z');
}
bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f');
}

bool HasControlOrSpace(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return true;
  }
  return false;
}

// Parses an IPv4 or IPv6 address; returns the family and fills `bytes` (4 or 16 used).
int ParseIp(std::string_view text, std::array<std::uint8_t, 16>& bytes) {
  if (text.empty() || text.size() > kMaxIpTextLength) return 0;
  std::string copy(text);  // inet_pton needs a terminated string
  if (inet_pton(AF_INET, copy.c_str(), bytes.data()) == 1) return AF_INET;
  if (inet_pton(AF_INET6, copy.c_str(), bytes.data()) == 1) return AF_INET6;
  return 0;
}

std::string FormatIp(int family, const std::array<std::uint8_t, 16>& bytes) {
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family, bytes.data(), text, sizeof(text)) == nullptr) return "";
  return text;
}

Result<std::string> CanonicalIp(std::string_view value) {
  std::array<std::uint8_t, 16> bytes{};
  int family = ParseIp(value, bytes);
  if (family == 0) return MakeError(ErrorCode::kInvalidArgument, "not an IPv4 or IPv6 address");
  return FormatIp(family, bytes);
}

Result<std::string> CanonicalCidr(std::string_view value) {
  std::size_t slash = value.find('/');
  if (slash == std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "not a CIDR block (ADDRESS/PREFIX)");
  }
  std::array<std::uint8_t, 16> bytes{};
  int family = ParseIp(value.substr(0, slash), bytes);
  std::string_view prefix_text = value.substr(slash + 1);
  unsigned prefix = 0;
  bool prefix_ok = !prefix_text.empty() && prefix_text.size() <= 3;
  for (char c : prefix_text) {
    if (!IsDigit(c)) prefix_ok = false;
    prefix = prefix * 10 + static_cast<unsigned>(c - '0');
  }
  unsigned max_prefix = family == AF_INET ? 32 : 128;
  if (family == 0 || !prefix_ok || prefix > max_prefix) {
    return MakeError(ErrorCode::kInvalidArgument, "not a CIDR block (ADDRESS/PREFIX)");
  }
  for (unsigned bit = prefix; bit < max_prefix; ++bit) {
    bytes[bit / 8] = static_cast<std::uint8_t>(bytes[bit / 8] & ~(0x80u >> (bit % 8)));
  }
  return FormatIp(family, bytes) + "/" + std::to_string(prefix);
}

Result<std::string> CanonicalDomain(std::string_view value) {
  std::string domain = ToLowerAscii(value);
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  auto bad = [](std::string message) { return MakeError(ErrorCode::kInvalidArgument, message); };
  if (domain.empty() || domain.size() > kMaxDomainLength) {
    return bad("not a domain name (1 to 253 characters)");
  }
  std::size_t labels = 0;
  std::size_t start = 0;
  std::string_view last_label;
  while (start <= domain.size()) {
    std::size_t dot = domain.find('.', start);
    if (dot == std::string::npos) dot = domain.size();
    std::string_view label(domain.data() + start, dot - start);
    if (label.empty() || label.size() > kMaxLabelLength) {
      return bad("not a domain name (empty label or label over 63 characters)");
    }
    for (char c : label) {
      if (!IsLowerAlnum(c) && c != '-' && c != '_') {
        return bad("not a domain name (letters, digits, '-' and '_' only; IDNs in punycode)");
      }
    }
    ++labels;
    last_label = label;
    start = dot + 1;
  }
  if (labels < 2) return bad("not a domain name (needs at least two labels)");
  bool numeric_tld = true;
  for (char c : last_label)
    numeric_tld = numeric_tld && IsDigit(c);
  if (numeric_tld) return bad("not a domain name (all-numeric top-level label)");
  return domain;
}

Result<std::string> CanonicalUrl(std::string_view value) {
  std::size_t sep = value.find("://");
  auto bad = [] {
    return MakeError(ErrorCode::kInvalidArgument, "not a URL (SCHEME://HOST...; no spaces)");
  };
  if (sep == std::string_view::npos || sep == 0 || sep + 3 >= value.size() ||
      value.size() > kMaxUrlLength || HasControlOrSpace(value) || !IsValidUtf8(value)) {
    return bad();
  }
  std::string scheme = ToLowerAscii(value.substr(0, sep));
  if (scheme[0] < 'a' || scheme[0] > 'z') return bad();
  for (char c : scheme) {
    if (!IsLowerAlnum(c) && c != '+' && c != '-' && c != '.') return bad();
  }
  return scheme + std::string(value.substr(sep));
}

Result<std::string> CanonicalJa3(std::string_view value) {
  std::string ja3 = ToLowerAscii(value);
  bool ok = ja3.size() == kJa3Length;
  for (char c : ja3)
    ok = ok && IsHexDigit(c);
  if (!ok) return MakeError(ErrorCode::kInvalidArgument, "not a JA3 hash (32 hex digits)");
  return ja3;
}

Result<std::string> CanonicalJa4(std::string_view value) {
  std::string ja4 = ToLowerAscii(value);
  bool ok = ja4.size() == kJa4Length && ja4[10] == '_' && ja4[23] == '_';
  if (ok) {
    // a: protocol (t, q, d), version (2), SNI (d, i), cipher count (2), extension count (2),
    // ALPN (2); b and c: truncated SHA-256 hashes.
    ok = (ja4[0] == 't' || ja4[0] == 'q' || ja4[0] == 'd') && IsLowerAlnum(ja4[1]) &&
         IsLowerAlnum(ja4[2]) && (ja4[3] == 'd' || ja4[3] == 'i') && IsDigit(ja4[4]) &&
         IsDigit(ja4[5]) && IsDigit(ja4[6]) && IsDigit(ja4[7]) && IsLowerAlnum(ja4[8]) &&
         IsLowerAlnum(ja4[9]);
    for (std::size_t i = 11; i < kJa4Length; ++i)
      ok = ok && (i == 23 || IsHexDigit(ja4[i]));
  }
  if (!ok) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "not a JA4 fingerprint (like t13d1516h2_8daaf6152771_b186095e22b6)");
  }
  return ja4;
}

Result<std::string> CanonicalUserAgent(std::string_view value) {
  bool control = false;
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    control = control || u < 0x20 || u == 0x7f;
  }
  if (value.empty() || value.size() > kMaxUserAgentLength || control || !IsValidUtf8(value)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "not a user agent (1 to 8192 bytes of UTF-8 text, no control characters)");
  }
  return std::string(value);
}

}  // namespace

std::string_view NetworkTypeName(NetworkType type) {
  switch (type) {
    case NetworkType::kIp:
      return "ip";
    case NetworkType::kCidr:
      return "cidr";
    case NetworkType::kDomain:
      return "domain";
    case NetworkType::kUrl:
      return "url";
    case NetworkType::kJa3:
      return "ja3";
    case NetworkType::kJa4:
      return "ja4";
    case NetworkType::kUserAgent:
      return "user-agent";
  }
  return "ip";
}

std::optional<NetworkType> NetworkTypeFromName(std::string_view name) {
  std::string lower = ToLowerAscii(name);
  if (lower == "user_agent" || lower == "useragent") return NetworkType::kUserAgent;
  for (NetworkType type :
       {NetworkType::kIp, NetworkType::kCidr, NetworkType::kDomain, NetworkType::kUrl,
        NetworkType::kJa3, NetworkType::kJa4, NetworkType::kUserAgent}) {
    if (lower == NetworkTypeName(type)) return type;
  }
  return std::nullopt;
}

Result<std::string> CanonicalNetworkValue(NetworkType type, std::string_view value) {
  switch (type) {
    case NetworkType::kIp:
      return CanonicalIp(value);
    case NetworkType::kCidr:
      return CanonicalCidr(value);
    case NetworkType::kDomain:
      return CanonicalDomain(value);
    case NetworkType::kUrl:
      return CanonicalUrl(value);
    case NetworkType::kJa3:
      return CanonicalJa3(value);
    case NetworkType::kJa4:
      return CanonicalJa4(value);
    case NetworkType::kUserAgent:
      return CanonicalUserAgent(value);
  }
  return MakeError(ErrorCode::kInternal, "unknown network indicator type");
}

NetworkType ClassifyC2Value(std::string_view value) {
  if (value.find("://") != std::string_view::npos) return NetworkType::kUrl;
  if (value.find('/') != std::string_view::npos) return NetworkType::kCidr;
  if (value.find(':') != std::string_view::npos) return NetworkType::kIp;
  bool digits_and_dots = !value.empty();
  for (char c : value)
    digits_and_dots = digits_and_dots && (IsDigit(c) || c == '.');
  return digits_and_dots ? NetworkType::kIp : NetworkType::kDomain;
}

}  // namespace beffroi::ioc
