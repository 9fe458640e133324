#include "agents/net/protocol/tls/escape.h"

namespace beffroi::net::tls {

void AppendEscaped(std::string& out, std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::uint8_t b : bytes) {
    // '\' is escaped too so that "\x41" in the output always means an escape.
    if (b >= 0x20 && b <= 0x7e && b != '\\') {
      out.push_back(static_cast<char>(b));
    } else {
      out.append("\\x");
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0x0f]);
    }
  }
}

std::string Escaped(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size());
  AppendEscaped(out, bytes);
  return out;
}

}  // namespace beffroi::net::tls
