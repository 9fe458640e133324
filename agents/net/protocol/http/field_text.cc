#include "agents/net/protocol/http/field_text.h"

#include <cstdint>

namespace beffroi::net::http {
namespace {

bool IsPlainAscii(unsigned char c) {
  return (c >= 0x20 && c < 0x7f) || c == '\t';
}

bool InRange(unsigned char c, unsigned char lo, unsigned char hi) {
  return c >= lo && c <= hi;
}

// Length of the valid UTF-8 sequence of two or more octets starting at s[i] (RFC 3629 §4:
// no overlongs, no surrogates, nothing above U+10FFFF), or 0 when there is none.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xbf;
  if (InRange(b0, 0xc2, 0xdf)) {
    n = 2;
  } else if (InRange(b0, 0xe0, 0xef)) {
    n = 3;
    if (b0 == 0xe0) lo = 0xa0;
    if (b0 == 0xed) hi = 0x9f;
  } else if (InRange(b0, 0xf0, 0xf4)) {
    n = 4;
    if (b0 == 0xf0) lo = 0x90;
    if (b0 == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (n > s.size() - i) return 0;
  if (!InRange(static_cast<unsigned char>(s[i + 1]), lo, hi)) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (!InRange(static_cast<unsigned char>(s[i + k]), 0x80, 0xbf)) return 0;
  }
  return n;
}

}  // namespace

void AssignField(std::string& out, std::string_view raw, std::size_t max) {
  bool plain = raw.size() <= max;
  for (std::size_t i = 0; plain && i < raw.size(); ++i) {
    plain = IsPlainAscii(static_cast<unsigned char>(raw[i]));
  }
  if (plain) {  // the common case: one copy, no allocation once `out` has grown
    out.assign(raw);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out.clear();
  // Each pass consumes at least one octet of `raw`.
  for (std::size_t i = 0; i < raw.size();) {
    const auto c = static_cast<unsigned char>(raw[i]);
    std::size_t n = IsPlainAscii(c) ? 1 : (c >= 0x80 ? Utf8SequenceLength(raw, i) : 0);
    if (n == 0) {
      if (out.size() + 4 > max) return;
      const char esc[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 0x0f]};
      out.append(esc, 4);
      ++i;
      continue;
    }
    if (out.size() + n > max) return;
    out.append(raw.substr(i, n));
    i += n;
  }
}

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

}  // namespace beffroi::net::http
