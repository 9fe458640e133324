#include "agents/net/protocol/ip/address.h"

#include <arpa/inet.h>

#include <cstring>

namespace beffroi::net {

IpAddress IpAddress::V4(const std::uint8_t* bytes4) {
  IpAddress a;
  a.family_ = Family::kV4;
  std::memcpy(a.bytes_.data(), bytes4, 4);
  return a;
}

IpAddress IpAddress::V6(const std::uint8_t* bytes16) {
  IpAddress a;
  a.family_ = Family::kV6;
  std::memcpy(a.bytes_.data(), bytes16, 16);
  return a;
}

IpAddress IpAddress::V4(std::uint32_t host_order) {
  const std::uint8_t b[4] = {
      static_cast<std::uint8_t>(host_order >> 24), static_cast<std::uint8_t>(host_order >> 16),
      static_cast<std::uint8_t>(host_order >> 8), static_cast<std::uint8_t>(host_order)};
  return V4(b);
}

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;  // INET6_ADDRSTRLEN - 1
  char buf[46];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  std::uint8_t out[16];
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buf, out) == 1) return V4(out);
    return std::nullopt;
  }
  if (inet_pton(AF_INET6, buf, out) == 1) return V6(out);
  return std::nullopt;
}

std::string IpAddress::ToString() const {
  char buf[64];
  if (is_v4()) {
    if (inet_ntop(AF_INET, bytes_.data(), buf, sizeof buf) != nullptr) return buf;
  } else if (is_v6()) {
    if (inet_ntop(AF_INET6, bytes_.data(), buf, sizeof buf) != nullptr) return buf;
  }
  return std::string();
}

bool IpAddress::InPrefix(const IpAddress& network, unsigned prefix_len) const {
  if (family_ != network.family_ || family_ == Family::kNone) return false;
  const unsigned max_bits = static_cast<unsigned>(length()) * 8;
  if (prefix_len > max_bits) return false;
  const unsigned full = prefix_len / 8;
  if (std::memcmp(bytes_.data(), network.bytes_.data(), full) != 0) return false;
  const unsigned rest = prefix_len % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFFu << (8 - rest));
  return (bytes_[full] & mask) == (network.bytes_[full] & mask);
}

bool IpAddress::IsPrivate() const {
  const auto& b = bytes_;
  if (is_v4()) {
    return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xF0) == 16) ||
           (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
           (b[0] == 100 && (b[1] & 0xC0) == 64);  // RFC 6598 carrier-grade NAT
  }
  if (is_v6()) {
    static constexpr std::uint8_t kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (std::memcmp(b.data(), kLoopback, 16) == 0) return true;
    if ((b[0] & 0xFE) == 0xFC) return true;                  // fc00::/7 unique local
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return true;  // fe80::/10 link-local
  }
  return false;
}

FiveTuple FiveTuple::Canonical() const {
  return IsCanonical() ? *this : Reversed();
}

bool FiveTuple::IsCanonical() const {
  if (src < dst) return true;
  if (dst < src) return false;
  return src_port <= dst_port;
}

std::size_t FiveTupleHash::operator()(const FiveTuple& t) const noexcept {
  // FNV-1a over the fields; the flow table sees attacker-chosen tuples, but it is bounded in
  // size and evicts oldest-first, so a collision flood costs time, never memory.
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::uint8_t byte) {
    h ^= byte;
    h *= 1099511628211ull;
  };
  for (std::uint8_t byte : t.src.bytes())
    mix(byte);
  for (std::uint8_t byte : t.dst.bytes())
    mix(byte);
  mix(static_cast<std::uint8_t>(t.src.family()));
  mix(static_cast<std::uint8_t>(t.src_port >> 8));
  mix(static_cast<std::uint8_t>(t.src_port));
  mix(static_cast<std::uint8_t>(t.dst_port >> 8));
  mix(static_cast<std::uint8_t>(t.dst_port));
  mix(t.protocol);
  return static_cast<std::size_t>(h);
}

}  // namespace beffroi::net
