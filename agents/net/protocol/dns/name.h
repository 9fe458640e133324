// DNS domain names: decompression (RFC 1035 §3.1, §4.1.4) into a fixed stack buffer, and the
// text form every Beffroi event uses.
//
// Text form: labels joined with '.', no trailing dot, the root is ".". Every octet outside
// printable ASCII (0x21-0x7e), and '.' or '\' inside a label, is written as \DDD (decimal, like
// dig), so a name is always valid UTF-8 and two different wire names never share a text form.
// Case is kept as sent; LowerName() folds ASCII for matching (escapes are unaffected).
//
// NameBuffer is a plain value the caller owns (on the stack: no heap allocation per name).
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agents/net/protocol/anomaly.h"
#include "common/byte_reader.h"

namespace beffroi::net::dns {

inline constexpr std::size_t kMaxNameLength = 255;  // RFC 1035 §2.3.4, wire octets incl. root
inline constexpr std::size_t kMaxLabelLength = 63;  // RFC 1035 §2.3.4
// Compression pointers followed for one name. Real encoders need a handful (RFC 1035 §4.1.4);
// 64 bounds the work of a chain of pointer-to-pointer hops.
inline constexpr std::size_t kMaxPointerHops = 64;
// Text octets for the longest name: every label octet may become a 4-octet \DDD escape.
inline constexpr std::size_t kMaxNameTextLength = 4 * kMaxNameLength;

// The text form of one name, built in place by ReadName (plain data, no invariant beyond
// size <= kMaxNameTextLength).
struct NameBuffer {
  std::string_view view() const { return {data, size}; }

  char data[kMaxNameTextLength];
  std::size_t size = 0;
  std::size_t wire_length = 0;  // octets of the uncompressed wire form, root octet included
};

enum class NameStatus : std::uint8_t {
  kOk,
  kTruncated,  // the bytes ended inside the name (not reported: the caller names the cause)
  kMalformed,  // already reported to the sink (pointer_*, label_*, name_too_long)
};

// Reads the name at message.position(). `message` must span the DNS message from its first
// octet (pointers are offsets from it); its end bounds the name's in-place part (pass a reader
// ending at the RDATA end for names inside RDATA). On kOk the reader is left after the
// in-place part of the name; otherwise it is unchanged.
NameStatus ReadName(ByteReader& message, NameBuffer& out, AnomalySink& anomalies);

// ASCII lower-case copy of a name's text form, for matching ("WwW.Example.COM" ->
// "www.example.com"). \DDD escapes stay as they are, so no two names collide by folding bytes
// outside ASCII.
std::string LowerName(std::string_view name);
void LowerNameInPlace(std::string& name);

}  // namespace beffroi::net::dns
