// IpAddress and FiveTuple: the value types every network component shares.
//
// IpAddress holds an IPv4 or IPv6 address in network byte order (IPv4 in the first four
// bytes, the rest zero). FiveTuple names one direction of a conversation; Canonical() gives
// the direction-independent key the flow table uses. Plain values: copyable, hashable,
// comparable, thread-compatible.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace beffroi::net {

class IpAddress {
 public:
  enum class Family : std::uint8_t { kNone = 0, kV4 = 4, kV6 = 6 };

  IpAddress() = default;
  static IpAddress V4(const std::uint8_t* bytes4);
  static IpAddress V6(const std::uint8_t* bytes16);
  static IpAddress V4(std::uint32_t host_order);
  // Parses dotted-quad IPv4 or RFC 5952/4291 IPv6 text; nullopt when it is neither.
  static std::optional<IpAddress> Parse(std::string_view text);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kV4; }
  bool is_v6() const { return family_ == Family::kV6; }
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  std::size_t length() const { return is_v4() ? 4 : (is_v6() ? 16 : 0); }

  // Canonical text: dotted quad, or RFC 5952 compressed lower-case IPv6.
  std::string ToString() const;
  // True when the first prefix_len bits equal those of `network` (same family).
  bool InPrefix(const IpAddress& network, unsigned prefix_len) const;
  // RFC 1918 / RFC 4193 / loopback / link-local: the addresses of the city's own network.
  bool IsPrivate() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::kNone;
  std::array<std::uint8_t, 16> bytes_{};
};

// IP protocol numbers we name (IANA "Assigned Internet Protocol Numbers").
inline constexpr std::uint8_t kIpProtoIcmp = 1;
inline constexpr std::uint8_t kIpProtoTcp = 6;
inline constexpr std::uint8_t kIpProtoUdp = 17;
inline constexpr std::uint8_t kIpProtoIcmpV6 = 58;

struct FiveTuple {
  IpAddress src;
  IpAddress dst;
  std::uint16_t src_port = 0;  // ICMP: type/code are not ports; both stay 0
  std::uint16_t dst_port = 0;
  std::uint8_t protocol = 0;

  FiveTuple Reversed() const { return {dst, src, dst_port, src_port, protocol}; }
  // The direction-independent form: the smaller (address, port) endpoint first.
  FiveTuple Canonical() const;
  bool IsCanonical() const;

  friend bool operator==(const FiveTuple&, const FiveTuple&) = default;
};

struct FiveTupleHash {
  std::size_t operator()(const FiveTuple& t) const noexcept;
};

}  // namespace beffroi::net
