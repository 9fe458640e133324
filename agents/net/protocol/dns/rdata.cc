#include "agents/net/protocol/dns/rdata.h"

#include <charconv>
#include <span>
#include <string_view>

#include "agents/net/protocol/dns/message.h"

namespace beffroi::net::dns {
namespace {

constexpr std::size_t kIpv4Length = 4;   // RFC 1035 §3.4.1
constexpr std::size_t kIpv6Length = 16;  // RFC 3596 §2.2

void AppendNumber(std::string& out, std::uint32_t value) {
  char buf[10];  // 4294967295
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, res.ptr);
}

void AppendIpv4(std::string& out, const std::uint8_t* b) {
  for (std::size_t i = 0; i < kIpv4Length; ++i) {
    if (i != 0) out.push_back('.');
    AppendNumber(out, b[i]);
  }
}

// RFC 5952 text, written here because inet_ntop (behind IpAddress::ToString) goes through
// sprintf and dominated the cost of parsing AAAA answers. Same output as glibc's inet_ntop,
// which the unit test checks: the longest run of two or more zero groups (the first on a tie)
// becomes "::", and ::a.b.c.d / ::ffff:a.b.c.d keep the dotted IPv4 tail.
void AppendIpv6(std::string& out, const std::uint8_t* b) {
  std::uint16_t w[8];
  for (int i = 0; i < 8; ++i)
    w[i] = static_cast<std::uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && w[j] == 0)
      ++j;
    if (j - i > best_len && j - i >= 2) {
      best = i;
      best_len = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    if (best >= 0 && i >= best && i < best + best_len) {
      if (i == best) out.push_back(':');
      continue;
    }
    if (i != 0) out.push_back(':');
    if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
      AppendIpv4(out, b + 12);
      return;
    }
    char buf[4];
    std::size_t n = 0;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const int digit = (w[i] >> shift) & 0xf;
      if (n > 0 || digit != 0 || shift == 0) buf[n++] = kHex[digit];
    }
    out.append(buf, n);
  }
  if (best >= 0 && best + best_len == 8) out.push_back(':');
}

bool BadLength(AnomalySink& anomalies, std::string_view detail) {
  anomalies.Report("dns.rdata_bad_length", detail);
  return false;
}

// Appends a name read from the RDATA; a name running past the RDATA end is an overflow.
bool AppendName(ByteReader& rdata, std::string& out, NameBuffer& scratch, AnomalySink& anomalies) {
  switch (ReadName(rdata, scratch, anomalies)) {
    case NameStatus::kOk:
      out.append(scratch.view());
      return true;
    case NameStatus::kTruncated:
      anomalies.Report("dns.rdata_overflow", "name runs past the RDATA length");
      return false;
    case NameStatus::kMalformed:
      break;
  }
  return false;
}

bool ExpectEnd(const ByteReader& rdata, AnomalySink& anomalies) {
  if (rdata.empty()) return true;
  return BadLength(anomalies, "octets left after the RDATA fields");
}

// Character-strings (RFC 1035 §3.3): a length octet and that many octets, up to the RDATA end.
bool FormatTxt(ByteReader& rdata, std::string& out, AnomalySink& anomalies) {
  // Each pass consumes at least the length octet, so the loop ends with the RDATA.
  while (!rdata.empty()) {
    std::uint8_t len = 0;
    std::span<const std::uint8_t> text;
    rdata.ReadU8(len);
    if (!rdata.ReadBytes(len, text)) {
      anomalies.Report("dns.rdata_overflow", "TXT string runs past the RDATA length");
      return false;
    }
    for (std::uint8_t c : text) {
      if (out.size() + 4 > kMaxTxtTextLength) return true;  // kept short on purpose
      if (c >= 0x20 && c < 0x7f && c != '\\') {
        out.push_back(static_cast<char>(c));
        continue;
      }
      const char esc[4] = {'\\', static_cast<char>('0' + c / 100),
                           static_cast<char>('0' + (c / 10) % 10), static_cast<char>('0' + c % 10)};
      out.append(esc, 4);
    }
  }
  return true;
}

bool FormatAddress(ByteReader& rdata, std::size_t length, std::string& out,
                   AnomalySink& anomalies) {
  std::span<const std::uint8_t> bytes;
  if (rdata.remaining() != length || !rdata.ReadBytes(length, bytes)) {
    return BadLength(anomalies, length == kIpv4Length ? "A RDATA is not 4 octets"
                                                      : "AAAA RDATA is not 16 octets");
  }
  if (length == kIpv4Length) {
    AppendIpv4(out, bytes.data());
  } else {
    AppendIpv6(out, bytes.data());
  }
  return true;
}

bool FormatSoa(ByteReader& rdata, std::string& out, NameBuffer& scratch, AnomalySink& anomalies) {
  if (!AppendName(rdata, out, scratch, anomalies)) return false;  // MNAME
  out.push_back(' ');
  if (!AppendName(rdata, out, scratch, anomalies)) return false;  // RNAME
  // SERIAL REFRESH RETRY EXPIRE MINIMUM (RFC 1035 §3.3.13)
  for (int i = 0; i < 5; ++i) {
    std::uint32_t v = 0;
    if (!rdata.ReadU32Be(v)) return BadLength(anomalies, "SOA RDATA too short");
    out.push_back(' ');
    AppendNumber(out, v);
  }
  return ExpectEnd(rdata, anomalies);
}

// MX preference (RFC 1035 §3.3.9) or SRV priority/weight/port (RFC 2782), then a name.
bool FormatNumbersThenName(ByteReader& rdata, int numbers, std::string& out, NameBuffer& scratch,
                           AnomalySink& anomalies) {
  for (int i = 0; i < numbers; ++i) {
    std::uint16_t v = 0;
    if (!rdata.ReadU16Be(v)) return BadLength(anomalies, "MX/SRV RDATA too short");
    AppendNumber(out, v);
    out.push_back(' ');
  }
  return AppendName(rdata, out, scratch, anomalies) && ExpectEnd(rdata, anomalies);
}

bool FormatByType(ByteReader& rdata, std::uint16_t type, std::string& out, NameBuffer& scratch,
                  AnomalySink& anomalies) {
  switch (type) {
    case kTypeA:
      return FormatAddress(rdata, kIpv4Length, out, anomalies);
    case kTypeAaaa:
      return FormatAddress(rdata, kIpv6Length, out, anomalies);
    case kTypeCname:
    case kTypeNs:
    case kTypePtr:
      return AppendName(rdata, out, scratch, anomalies) && ExpectEnd(rdata, anomalies);
    case kTypeMx:
      return FormatNumbersThenName(rdata, 1, out, scratch, anomalies);
    case kTypeSrv:
      return FormatNumbersThenName(rdata, 3, out, scratch, anomalies);
    case kTypeTxt:
      return FormatTxt(rdata, out, anomalies);
    case kTypeSoa:
      return FormatSoa(rdata, out, scratch, anomalies);
    default:
      return true;  // no text form; rdlength is kept
  }
}

}  // namespace

bool FormatRdata(ByteReader rdata, std::uint16_t type, std::string& data, NameBuffer& scratch,
                 AnomalySink& anomalies) {
  data.clear();
  if (FormatByType(rdata, type, data, scratch, anomalies)) return true;
  data.clear();
  return false;
}

}  // namespace beffroi::net::dns
