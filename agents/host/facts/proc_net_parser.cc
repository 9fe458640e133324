// ParseProcNetLine and ParseProcNet: the socket tables of /proc/net/{tcp,tcp6,udp,udp6}.
//
// Line format (net/ipv4/tcp_ipv4.c, get_tcp4_sock):
//   "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout
//   inode ..." with addresses as "%08X:%04X" (IPv4) or "%08X%08X%08X%08X:%04X" (IPv6).
#include <arpa/inet.h>
#include <sys/socket.h>

#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agents/host/facts/parse_util.h"
#include "agents/host/facts/parsers.h"

namespace beffroi::host::facts {

namespace {

constexpr std::size_t kHexDigitsPerWord = 8;
constexpr unsigned kBytesPerWord = 4;
constexpr std::size_t kIpv4Words = 1;
constexpr std::size_t kIpv6Words = 4;
constexpr std::size_t kPortHexDigits = 4;
constexpr std::size_t kStateHexDigits = 2;

// Token positions of a data line.
constexpr std::size_t kSlotIndex = 0;
constexpr std::size_t kLocalIndex = 1;
constexpr std::size_t kRemoteIndex = 2;
constexpr std::size_t kStateIndex = 3;
constexpr std::size_t kUidIndex = 7;
constexpr std::size_t kInodeIndex = 9;
constexpr std::size_t kTokensNeeded = kInodeIndex + 1;

struct Endpoint {
  bool ipv6 = false;
  std::string ip;
  std::uint16_t port = 0;
};

// Each %08X word printed the in-memory u32, so its bytes in memory order are the address
// bytes in network order; which end of the value comes first depends on the host.
std::optional<std::string> DecodeAddress(std::string_view hex, std::endian word_order) {
  std::size_t words = hex.size() / kHexDigitsPerWord;
  if (hex.size() % kHexDigitsPerWord != 0 || (words != kIpv4Words && words != kIpv6Words)) {
    return std::nullopt;
  }
  std::array<std::uint8_t, 16> bytes{};
  for (std::size_t w = 0; w < words; ++w) {
    auto value =
        ParseUnsigned<std::uint32_t>(hex.substr(w * kHexDigitsPerWord, kHexDigitsPerWord), 16);
    if (!value) return std::nullopt;
    for (unsigned b = 0; b < kBytesPerWord; ++b) {
      unsigned shift = word_order == std::endian::little ? 8 * b : 8 * (kBytesPerWord - 1 - b);
      bytes[w * kBytesPerWord + b] = static_cast<std::uint8_t>((*value >> shift) & 0xff);
    }
  }
  char text[INET6_ADDRSTRLEN] = {};
  int family = words == kIpv4Words ? AF_INET : AF_INET6;
  if (inet_ntop(family, bytes.data(), text, sizeof text) == nullptr) return std::nullopt;
  return std::string(text);
}

std::optional<Endpoint> DecodeEndpoint(std::string_view token, std::endian word_order) {
  std::size_t colon = token.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view port_hex = token.substr(colon + 1);
  auto port = ParseUnsigned<std::uint16_t>(port_hex, 16);
  auto ip = DecodeAddress(token.substr(0, colon), word_order);
  if (!port || port_hex.size() != kPortHexDigits || !ip) return std::nullopt;
  return Endpoint{colon / kHexDigitsPerWord == kIpv6Words, std::move(*ip), *port};
}

}  // namespace

std::optional<ProcNetSocket> ParseProcNetLine(std::string_view line, std::endian word_order) {
  std::vector<std::string_view> t = SplitBlanks(TrimSpace(line), kTokensNeeded);
  if (t.size() < kTokensNeeded) return std::nullopt;
  std::string_view slot = t[kSlotIndex];
  if (slot.size() < 2 || slot.back() != ':' ||
      !ParseUnsigned<std::uint64_t>(slot.substr(0, slot.size() - 1))) {
    return std::nullopt;
  }
  auto local = DecodeEndpoint(t[kLocalIndex], word_order);
  auto remote = DecodeEndpoint(t[kRemoteIndex], word_order);
  auto state = ParseUnsigned<std::uint8_t>(t[kStateIndex], 16);
  auto uid = ParseUnsigned<std::uint32_t>(t[kUidIndex]);
  auto inode = ParseUnsigned<std::uint64_t>(t[kInodeIndex]);
  if (!local || !remote || local->ipv6 != remote->ipv6 || !state ||
      t[kStateIndex].size() != kStateHexDigits || !uid || !inode) {
    return std::nullopt;
  }
  ProcNetSocket s;
  s.ipv6 = local->ipv6;
  s.local_ip = std::move(local->ip);
  s.local_port = local->port;
  s.remote_ip = std::move(remote->ip);
  s.remote_port = remote->port;
  s.state = *state;
  s.uid = *uid;
  s.inode = *inode;
  return s;
}

ProcNetTable ParseProcNet(std::string_view text, std::endian word_order) {
  ProcNetTable out;
  LineReader lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    std::string_view rest = line;
    std::string_view first = NextToken(rest);
    if (first.empty() || first == "sl") continue;  // blank, or the header line
    auto socket = ParseProcNetLine(line, word_order);
    if (!socket) {
      ++out.unparsed;
      continue;
    }
    out.sockets.push_back(std::move(*socket));
  }
  return out;
}

}  // namespace beffroi::host::facts
