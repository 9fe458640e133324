// DNS messages (RFC 1035 §4.1, with mDNS RFC 6762 and LLMNR RFC 4795 sharing the format):
// the parsed form and Parse(), which turns one message's bytes into it.
//
// Parse() reads one whole UDP payload, or one TCP message without its 2-byte length (see
// TcpFramer). Every count and length in the message is untrusted: nothing is reserved from a
// count, each section is capped at kMaxRecordsPerSection, and every name is decompressed with
// loop and depth limits (name.h). Malformed input is reported to the AnomalySink, never thrown.
//
// The Message is owned by the caller and overwritten by each call; reusing one Message across
// calls reuses its vectors' and strings' capacity (no allocation per packet in the steady
// state). Pure function; thread-safe for distinct Messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "agents/net/protocol/anomaly.h"

namespace beffroi::net::dns {

inline constexpr std::size_t kHeaderSize = 12;  // RFC 1035 §4.1.1
// Questions or records parsed per section. Real messages carry a few; an AXFR message over TCP
// may carry hundreds, and more than this is cut (dns.record_limit).
inline constexpr std::size_t kMaxRecordsPerSection = 256;
// Text kept for one TXT record (each octet may become a 4-octet escape). A 64 KiB TCP message
// could otherwise produce 256 KiB of text; longer TXT data is cut silently at this size.
inline constexpr std::size_t kMaxTxtTextLength = 16 * 1024;

// Resource record types with parsed RDATA (IANA "Resource Record (RR) TYPEs").
inline constexpr std::uint16_t kTypeA = 1;
inline constexpr std::uint16_t kTypeNs = 2;
inline constexpr std::uint16_t kTypeCname = 5;
inline constexpr std::uint16_t kTypeSoa = 6;
inline constexpr std::uint16_t kTypePtr = 12;
inline constexpr std::uint16_t kTypeMx = 15;
inline constexpr std::uint16_t kTypeTxt = 16;
inline constexpr std::uint16_t kTypeAaaa = 28;
inline constexpr std::uint16_t kTypeSrv = 33;
inline constexpr std::uint16_t kTypeOpt = 41;  // RFC 6891: the class holds the UDP payload size

// mDNS puts the cache-flush (records) or unicast-response (questions) flag in the class's top
// bit (RFC 6762 §10.2, §5.4); Parse masks it off (except in OPT, whose class is a size).
inline constexpr std::uint16_t kClassValueMask = 0x7fff;

struct Question {
  std::string name;  // text form (name.h), case as sent
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
};

struct Record {
  std::string name;
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
  std::uint32_t ttl = 0;
  // A/AAAA: address text (RFC 5952 for IPv6); CNAME/NS/PTR: name; MX: "pref name";
  // TXT: the character-strings concatenated (RFC 7208 §3.3), bytes outside 0x20-0x7e and '\'
  // escaped as \DDD; SOA: "mname rname serial refresh retry expire minimum";
  // SRV: "priority weight port target"; other types (and OPT): empty.
  std::string data;
  std::uint16_t rdlength = 0;
};

struct Message {
  std::uint16_t id = 0;
  bool is_response = false;
  std::uint8_t opcode = 0;
  std::uint8_t rcode = 0;  // header RCODE only (the EDNS extended bits stay in OPT's ttl)
  bool aa = false;
  bool tc = false;
  bool rd = false;
  bool ra = false;
  std::vector<Question> questions;
  std::vector<Record> answers;
  std::vector<Record> authorities;
  std::vector<Record> additionals;
};

// What Parse made of the bytes. `ok` (and operator bool) says whether `out` is usable: the
// header and every question parsed. The other flags say how much of the rest is missing.
struct ParseOutcome {
  bool ok = false;
  // Everything the header's counts announced is in `out`.
  bool complete = false;
  // The bytes ended before the counts said (dns.truncated): a cut packet or a short read.
  bool truncated = false;
  // Something was malformed or over a limit (an anomaly other than dns.truncated was
  // reported). A record whose RDATA alone is bad is kept with empty data and parsing goes on;
  // a record that cannot be delimited stops the parse there.
  bool malformed = false;

  explicit operator bool() const { return ok; }
};

ParseOutcome Parse(std::span<const std::uint8_t> bytes, Message& out, AnomalySink& anomalies);

}  // namespace beffroi::net::dns
