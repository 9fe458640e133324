// Byte-buffer writers for the capture generator: big- and little-endian appends and the
// Internet checksum (RFC 1071).
//
// The generator writes packets by hand, independently of the project's parsers, so that the
// fixtures are ground truth for them. Everything here appends to a caller-owned Bytes; nothing
// keeps state. Thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace beffroi::synth {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

inline void Put8(Bytes& out, unsigned v) {
  out.push_back(static_cast<std::uint8_t>(v));
}
inline void Put16(Bytes& out, unsigned v) {
  Put8(out, (v >> 8) & 0xff);
  Put8(out, v & 0xff);
}
inline void Put24(Bytes& out, std::uint32_t v) {
  Put8(out, (v >> 16) & 0xff);
  Put16(out, v & 0xffff);
}
inline void Put32(Bytes& out, std::uint32_t v) {
  Put16(out, v >> 16);
  Put16(out, v & 0xffff);
}
inline void PutLe16(Bytes& out, unsigned v) {
  Put8(out, v & 0xff);
  Put8(out, (v >> 8) & 0xff);
}
inline void PutLe32(Bytes& out, std::uint32_t v) {
  PutLe16(out, v & 0xffff);
  PutLe16(out, v >> 16);
}
inline void PutLe64(Bytes& out, std::uint64_t v) {
  PutLe32(out, static_cast<std::uint32_t>(v));
  PutLe32(out, static_cast<std::uint32_t>(v >> 32));
}
inline void PutBytes(Bytes& out, ByteSpan b) {
  out.insert(out.end(), b.begin(), b.end());
}
inline void PutStr(Bytes& out, std::string_view s) {
  out.insert(out.end(), s.begin(), s.end());
}
inline void PutZeros(Bytes& out, std::size_t n) {
  out.insert(out.end(), n, 0);
}

// Overwrites a big-endian 16-bit value at `pos` (lengths and checksums known only at the end).
inline void Set16(Bytes& out, std::size_t pos, unsigned v) {
  out[pos] = static_cast<std::uint8_t>((v >> 8) & 0xff);
  out[pos + 1] = static_cast<std::uint8_t>(v & 0xff);
}
inline void Set24(Bytes& out, std::size_t pos, std::uint32_t v) {
  out[pos] = static_cast<std::uint8_t>((v >> 16) & 0xff);
  Set16(out, pos + 1, v & 0xffff);
}

inline ByteSpan AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// One's-complement sum of 16-bit big-endian words (RFC 1071), not yet folded or inverted, so
// that a pseudo-header and a payload can be summed separately.
inline std::uint64_t ChecksumAdd(std::uint64_t sum, ByteSpan data) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) {
    sum += (static_cast<std::uint32_t>(data[i]) << 8) | data[i + 1];
  }
  if (i < data.size()) sum += static_cast<std::uint32_t>(data[i]) << 8;
  return sum;
}

inline std::uint16_t ChecksumFinish(std::uint64_t sum) {
  while ((sum >> 16) != 0)
    sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

}  // namespace beffroi::synth
