// Fuzzes the packet decoder (link, IP, fragment reassembly, transport) over a sequence of frames,
// so that fragment state carries from one frame to the next.
//
// Input: records of [selector(1)][length(2, big-endian)][frame(length, cut at the input end)],
// at most kMaxFrames. The selector's low 4 bits pick the link type, bit 4 makes the wire length
// longer than the capture (snaplen cut / TSO path), bits 5-7 advance capture time by 0-70 s
// (fragment timeouts). Every frame goes through a decoder with default limits and one with tiny
// limits (evictions, fragment limit). Invariants checked: kMalformed comes with an anomaly, and
// the payload never exceeds what the headers declare.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>

#include "agents/net/packet/decoder.h"

namespace {

using beffroi::net::AnomalySink;
using beffroi::net::DecodeOutcome;
using beffroi::net::Decoder;
using beffroi::net::DecoderLimits;
using beffroi::net::Packet;

constexpr std::uint32_t kLinkTypes[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 127};
constexpr std::size_t kMaxFrames = 64;
constexpr std::int64_t kSecond = 1'000'000'000;

class CountingSink final : public AnomalySink {
 public:
  void Report(std::string_view name, std::string_view) override {
    if (name.empty()) __builtin_trap();
    ++reports;
  }
  std::size_t reports = 0;
};

DecoderLimits TinyLimits() {
  DecoderLimits limits;
  limits.max_vlan_tags = 1;
  limits.max_ipv6_extension_headers = 2;
  limits.max_ip_layers = 3;
  limits.fragments.max_fragments_per_datagram = 4;
  limits.fragments.max_pending_datagrams = 2;
  limits.fragments.max_buffered_bytes = 8192;
  limits.fragments.timeout_ns = 20 * kSecond;
  return limits;
}

void Check(Decoder& decoder, std::uint32_t dlt, std::span<const std::uint8_t> frame,
           std::uint32_t wire, std::int64_t ts) {
  Packet packet;
  CountingSink sink;
  const DecodeOutcome outcome = decoder.Decode(dlt, frame, wire, ts, packet, sink);
  if (outcome == DecodeOutcome::kMalformed && sink.reports == 0) __builtin_trap();
  if (packet.payload.size() > packet.payload_length) __builtin_trap();
  if (!packet.reassembled && !packet.payload.empty() &&
      (packet.payload.data() < frame.data() ||
       packet.payload.data() + packet.payload.size() > frame.data() + frame.size())) {
    __builtin_trap();
  }
  // Touch every payload byte so ASan checks the span.
  volatile std::uint8_t sum = 0;
  for (std::uint8_t byte : packet.payload)
    sum = static_cast<std::uint8_t>(sum + byte);
  (void)sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Decoder defaults;
  Decoder tiny(TinyLimits());
  std::span<const std::uint8_t> input(data, size);
  std::int64_t ts = 0;
  for (std::size_t frames = 0; frames < kMaxFrames && input.size() >= 3; ++frames) {
    const std::uint8_t selector = input[0];
    const std::size_t length = std::min<std::size_t>(
        (static_cast<std::size_t>(input[1]) << 8) | input[2], input.size() - 3);
    input = input.subspan(3);
    const std::span<const std::uint8_t> frame = input.first(length);
    input = input.subspan(length);
    const std::uint32_t dlt = kLinkTypes[(selector & 0x0F) % std::size(kLinkTypes)];
    const auto wire = static_cast<std::uint32_t>(frame.size() + ((selector & 0x10) ? 1000 : 0));
    ts += static_cast<std::int64_t>(selector >> 5) * 10 * kSecond;
    Check(defaults, dlt, frame, wire, ts);
    Check(tiny, dlt, frame, wire, ts);
  }
  return 0;
}
