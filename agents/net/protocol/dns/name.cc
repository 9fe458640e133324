#include "agents/net/protocol/dns/name.h"

#include <array>
#include <cstring>

namespace beffroi::net::dns {
namespace {

// Label length octet: the top two bits give the label type (RFC 1035 §4.1.4, RFC 6891 §5).
constexpr std::uint8_t kLabelTypeMask = 0xc0;
constexpr std::uint8_t kPointerType = 0xc0;
constexpr std::uint8_t kExtendedType = 0x40;  // 01: retired extended labels; as a length, 64-127

// Octets written as \DDD: outside printable ASCII, and the two that would be ambiguous.
constexpr std::array<bool, 256> MakeEscapeTable() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[c] = c <= 0x20 || c >= 0x7f || c == '.' || c == '\\';
  return t;
}
constexpr std::array<bool, 256> kNeedsEscape = MakeEscapeTable();

// Appends one label's text; the caller has checked the wire length, which bounds the text.
void AppendLabel(NameBuffer& out, std::string_view label) {
  if (out.size != 0) out.data[out.size++] = '.';
  std::size_t escapes = 0;
  for (char ch : label)
    escapes += kNeedsEscape[static_cast<std::uint8_t>(ch)];
  if (escapes == 0) {  // the common case: one copy
    std::memcpy(out.data + out.size, label.data(), label.size());
    out.size += label.size();
    return;
  }
  for (char ch : label) {
    const auto c = static_cast<std::uint8_t>(ch);
    if (!kNeedsEscape[c]) {
      out.data[out.size++] = ch;
      continue;
    }
    out.data[out.size++] = '\\';
    out.data[out.size++] = static_cast<char>('0' + c / 100);
    out.data[out.size++] = static_cast<char>('0' + (c / 10) % 10);
    out.data[out.size++] = static_cast<char>('0' + c % 10);
  }
}

// Follows one compression pointer whose first octet is `first`, read at `pointer_pos`.
// Every hop must land strictly before the start of the segment being read: legitimate
// encoders only point at names written earlier, and a strictly decreasing target makes loops
// impossible whatever the input.
NameStatus Jump(ByteReader& cursor, std::uint8_t first, std::size_t pointer_pos,
                std::size_t& segment_start, std::size_t& hops, AnomalySink& anomalies) {
  std::uint8_t second = 0;
  if (!cursor.ReadU8(second)) return NameStatus::kTruncated;
  const std::size_t target = (static_cast<std::size_t>(first & ~kLabelTypeMask) << 8) | second;
  if (target > pointer_pos) {
    anomalies.Report("dns.pointer_forward", "compression pointer points forward");
    return NameStatus::kMalformed;
  }
  if (target >= segment_start) {
    anomalies.Report("dns.pointer_loop", "compression pointer points into the name being read");
    return NameStatus::kMalformed;
  }
  if (++hops > kMaxPointerHops) {
    anomalies.Report("dns.pointer_depth", "more than 64 compression pointers in one name");
    return NameStatus::kMalformed;
  }
  segment_start = target;
  cursor.Seek(target);  // target < segment_start <= size: cannot fail
  return NameStatus::kOk;
}

}  // namespace

NameStatus ReadName(ByteReader& message, NameBuffer& out, AnomalySink& anomalies) {
  out.size = 0;
  out.wire_length = 1;  // the root octet
  ByteReader cursor = message;
  std::size_t segment_start = cursor.position();
  std::size_t resume = 0;  // where the caller continues: after the first pointer, if any
  bool jumped = false;
  std::size_t hops = 0;
  // Each pass consumes a label (wire length grows, bounded by kMaxNameLength) or a pointer
  // (bounded by kMaxPointerHops), so the loop ends.
  for (;;) {
    const std::size_t label_pos = cursor.position();
    std::uint8_t len = 0;
    if (!cursor.ReadU8(len)) return NameStatus::kTruncated;
    if (len == 0) break;
    const std::uint8_t type = len & kLabelTypeMask;
    if (type == kPointerType) {
      const NameStatus s = Jump(cursor, len, label_pos, segment_start, hops, anomalies);
      if (s != NameStatus::kOk) return s;
      if (!jumped) resume = label_pos + 2;
      jumped = true;
      continue;
    }
    if (type == kExtendedType) {
      anomalies.Report("dns.label_too_long", "label length over 63 (or retired type 0x40)");
      return NameStatus::kMalformed;
    }
    if (type != 0) {
      anomalies.Report("dns.label_type_unknown", "label type 0x80 is not assigned");
      return NameStatus::kMalformed;
    }
    std::string_view label;
    if (!cursor.ReadString(len, label)) return NameStatus::kTruncated;
    out.wire_length += 1 + static_cast<std::size_t>(len);
    if (out.wire_length > kMaxNameLength) {
      anomalies.Report("dns.name_too_long", "name longer than 255 octets");
      return NameStatus::kMalformed;
    }
    AppendLabel(out, label);
  }
  if (out.size == 0) out.data[out.size++] = '.';
  message.Seek(jumped ? resume : cursor.position());
  return NameStatus::kOk;
}

std::string LowerName(std::string_view name) {
  std::string lower(name);
  LowerNameInPlace(lower);
  return lower;
}

void LowerNameInPlace(std::string& name) {
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

}  // namespace beffroi::net::dns
