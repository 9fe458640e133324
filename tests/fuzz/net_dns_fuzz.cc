// Fuzzes the DNS message parser on the whole input, and the DNS-over-TCP framer on the same
// input cut into feeds (the first octet picks the feed size and where a gap falls). Checks
// that every name and data string is printable ASCII, as the text form promises.
#include <cstdint>
#include <span>

#include "agents/net/protocol/anomaly.h"
#include "agents/net/protocol/dns/message.h"
#include "agents/net/protocol/dns/tcp_framer.h"

namespace {

void CheckPrintable(const std::string& s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) __builtin_trap();
  }
}

void ParseAndCheck(std::span<const std::uint8_t> bytes, beffroi::net::dns::Message& m) {
  beffroi::net::NullAnomalySink sink;
  const auto outcome = beffroi::net::dns::Parse(bytes, m, sink);
  if (outcome.complete && !outcome.ok) __builtin_trap();
  for (const auto& q : m.questions)
    CheckPrintable(q.name);
  for (const auto* section : {&m.answers, &m.authorities, &m.additionals}) {
    if (section->size() > beffroi::net::dns::kMaxRecordsPerSection) __builtin_trap();
    for (const auto& r : *section) {
      CheckPrintable(r.name);
      CheckPrintable(r.data);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> input(data, size);
  beffroi::net::dns::Message message;
  ParseAndCheck(input, message);
  if (input.empty()) return 0;

  const std::size_t feed = 1 + (input[0] & 0x1f);
  const bool gap_known = (input[0] & 0x20) != 0;
  const std::size_t gap_at = input[0] >> 6;  // after this many feeds
  beffroi::net::dns::TcpFramer framer;
  std::span<const std::uint8_t> rest = input.subspan(1);
  // One pass per feed: bounded by the input size.
  for (std::size_t i = 0; !rest.empty(); ++i) {
    const std::size_t n = feed < rest.size() ? feed : rest.size();
    framer.Feed(rest.first(n), [&](std::span<const std::uint8_t> m) {
      if (m.size() > beffroi::net::dns::TcpFramer::kMaxMessageSize) __builtin_trap();
      ParseAndCheck(m, message);
    });
    rest = rest.subspan(n);
    if (i == gap_at) {
      if (gap_known) {
        framer.Gap(n);
      } else {
        framer.Gap();
      }
    }
    if (framer.buffered() > 2 + beffroi::net::dns::TcpFramer::kMaxMessageSize) __builtin_trap();
  }
  return 0;
}
