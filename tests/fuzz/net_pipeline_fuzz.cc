// Fuzzes the whole packet path: decoder, flow table, TCP reassembly, the protocol choice and
// the DNS/HTTP/TLS parsers behind it, event building and sample hashing.
//
// Random frames rarely make a TCP conversation, so most records are wrapped in a fixed
// Ethernet/IPv4 header pair by the target: the fuzzer picks the direction, the transport, the
// TCP flags and the sequence offset, and supplies the payload. Input: records of
// [kind(1)][seq offset(1)][length(2, big-endian)][bytes(length, cut at the input end)], at
// most kMaxFrames. kind bit 0: direction; bits 1-2: TCP data / TCP SYN / UDP / raw Ethernet
// frame; bits 3-4: port pair (HTTP 80, TLS 443, DNS 53, other); bits 5-7: FIN/RST/time jump.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "agents/net/engine/evidence.h"
#include "agents/net/engine/pipeline.h"

namespace {

using namespace beffroi;
using namespace beffroi::net;

constexpr std::size_t kMaxFrames = 96;

class DropSink final : public EvidenceSink {
 public:
  void Emit(Event& e) override {
    if (e.dataset().empty()) __builtin_trap();
    (void)e.Serialize();
  }
  StoredSample StoreSample(std::span<const std::uint8_t> bytes) override {
    auto w = MakeHashOnlyWriter();
    w->Write(bytes);
    return w->Finish(false);
  }
  std::unique_ptr<SampleWriter> NewSampleWriter() override { return MakeHashOnlyWriter(); }
  const Status& status() const override { return status_; }

 private:
  Status status_;
};

void Put16(std::vector<std::uint8_t>& f, std::size_t at, unsigned v) {
  f[at] = static_cast<std::uint8_t>(v >> 8);
  f[at + 1] = static_cast<std::uint8_t>(v);
}
void Put32(std::vector<std::uint8_t>& f, std::size_t at, std::uint32_t v) {
  Put16(f, at, v >> 16);
  Put16(f, at + 2, v & 0xFFFF);
}

std::vector<std::uint8_t> Wrap(std::uint8_t kind, std::uint32_t seq, std::uint32_t ack,
                               std::span<const std::uint8_t> payload) {
  const bool reverse = (kind & 1) != 0;
  const unsigned mode = (kind >> 1) & 3;
  static constexpr std::uint16_t kPorts[] = {80, 443, 53, 8081};
  const std::uint16_t server_port = kPorts[(kind >> 3) & 3];
  const bool udp = mode == 2;
  const std::size_t l4 = udp ? 8 : 20;
  std::vector<std::uint8_t> f(14 + 20 + l4 + payload.size(), 0);
  f[12] = 0x08;  // IPv4
  f[14] = 0x45;
  Put16(f, 16, static_cast<unsigned>(20 + l4 + payload.size()));
  f[22] = 64;
  f[23] = udp ? 17 : 6;
  const std::uint8_t client[4] = {10, 0, 0, 5}, server[4] = {192, 0, 2, 80};
  for (int i = 0; i < 4; ++i) {
    f[26 + static_cast<std::size_t>(i)] = reverse ? server[i] : client[i];
    f[30 + static_cast<std::size_t>(i)] = reverse ? client[i] : server[i];
  }
  Put16(f, 34, reverse ? server_port : 49152);
  Put16(f, 36, reverse ? 49152 : server_port);
  if (udp) {
    Put16(f, 38, static_cast<unsigned>(8 + payload.size()));
  } else {
    Put32(f, 38, seq);
    Put32(f, 42, ack);
    f[46] = 0x50;
    std::uint8_t flags = 0x10;                     // ACK
    if (mode == 1) flags = reverse ? 0x12 : 0x02;  // SYN / SYN-ACK
    if ((kind & 0x20) != 0) flags |= 0x01;         // FIN
    if ((kind & 0x40) != 0) flags |= 0x04;         // RST
    f[47] = flags;
  }
  std::copy(payload.begin(), payload.end(), f.begin() + static_cast<long>(14 + 20 + l4));
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  DropSink sink;
  EngineOptions options;
  options.stream_sample_bytes = 512;
  options.stream_sample_budget = 4096;
  options.flows.max_flows = 16;
  options.anomaly_events_per_name = 4;
  // The evidence thread (EvidenceQueue, tested on its own) would cost a thread per input; the
  // sink sees the same calls in the same order without it.
  options.evidence_thread = false;
  Pipeline pipeline(options, sink);
  std::span<const std::uint8_t> in(data, size);
  std::uint32_t seq[2] = {1000, 5000};
  std::int64_t ts = 1'600'000'000'000'000'000;
  for (std::size_t n = 0; n < kMaxFrames && in.size() >= 4; ++n) {
    const std::uint8_t kind = in[0];
    const std::uint8_t offset = in[1];
    std::size_t length = (std::size_t{in[2]} << 8) | in[3];
    in = in.subspan(4);
    if (length > in.size()) length = in.size();
    auto payload = in.subspan(0, length);
    in = in.subspan(length);
    if ((kind & 0x80) != 0) ts += 400'000'000'000;  // past the idle timeouts
    ts += 1000;
    const unsigned mode = (kind >> 1) & 3;
    if (mode == 3) {
      pipeline.OnFrame(1, ts, payload, static_cast<std::uint32_t>(payload.size()));
      continue;
    }
    const unsigned d = kind & 1;
    // Small offsets replay (retransmit/overlap) or skip ahead (hole) within the stream.
    const std::uint32_t s = seq[d] + offset - 64;
    auto frame = Wrap(kind, s, seq[1 - d], payload);
    pipeline.OnFrame(1, ts, frame, static_cast<std::uint32_t>(frame.size()));
    if (mode == 0) seq[d] = s + static_cast<std::uint32_t>(payload.size());
    if (mode == 1) seq[d] = s + 1;
  }
  pipeline.Finish();
  (void)pipeline.Stats();
  return 0;
}
