// Fuzzes the flow table and TCP reassembly together: the input is a small configuration and a
// list of TCP segments between two hosts over up to four port pairs, fed as the pipeline does
// (Track, then OnSegment on the packet's direction and OnPeerAck on the other).
//
// Input: u8 config, u32 ISN client->server, u32 ISN server->client, then 9-byte records:
//   u8 control  bit0 server->client, bits1-2 port pair, bit3 corrupt payload, bit4 snaplen cut,
//               bit5 seq +768 MiB, bit6 ack +768 MiB, bit7 ExpireUpTo after the packet
//   u8 flags    TCP flags (low 5 bits)
//   u16 seq     offset from the direction's ISN
//   u8 length   captured payload bytes
//   u8 cut      bytes beyond the captured ones on the wire (when bit4)
//   u16 ack     offset from the other direction's ISN
//   u8 dt       milliseconds since the previous packet
// Payload byte at sequence number s is Pattern(s), so every delivered byte can be checked at its
// stream position; the target aborts when an invariant breaks.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "agents/net/flow/flow_table.h"
#include "common/byte_reader.h"

namespace {

using beffroi::ByteReader;
using namespace beffroi::net;  // NOLINT(build/namespaces)

constexpr std::uint32_t kFar = 0x30000000;  // 768 MiB: near, but under, the 1 GiB jump limit
constexpr std::int64_t kMs = 1'000'000;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

std::uint8_t Pattern(std::uint32_t seq, std::uint32_t salt) {
  std::uint32_t x = (seq ^ salt) * 0x9E3779B1u;
  x ^= x >> 15;
  return static_cast<std::uint8_t>(x >> 7);
}

// Sequence numbers of one physical direction, seen from its ISN.
std::int64_t Rel(std::uint32_t seq, std::uint32_t isn) {
  return static_cast<std::int32_t>(seq - isn);
}

class CheckingSink : public StreamSink {
 public:
  void OnData(std::span<const std::uint8_t> bytes) override {
    Check(!closed && !bytes.empty() && stream->started());
    if (!corrupt) {
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto seq = static_cast<std::uint32_t>(stream->base_seq() + position + i);
        Check(bytes[i] == Pattern(seq, salt));
      }
    }
    position += bytes.size();
    CheckBound();
  }
  void OnGap(std::uint64_t length) override {
    Check(!closed && length > 0);
    position += length;
    CheckBound();
  }
  void OnClose() override {
    Check(!closed);
    closed = true;
  }
  // Delivered + gap bytes never exceed what was sent or acknowledged after the stream start.
  void CheckBound() const {
    const std::int64_t start = Rel(stream->base_seq(), isn);
    Check(static_cast<std::int64_t>(position) <= max_end - start);
  }

  TcpStream* stream = nullptr;
  std::uint32_t salt = 0;
  std::uint32_t isn = 0;
  int physical = 0;
  bool corrupt = false;
  std::int64_t max_end = 0;  // highest sequence sent or acknowledged, from isn
  std::uint64_t position = 0;
  bool closed = false;
};

struct FuzzState : FlowState {
  std::array<CheckingSink, 2> sinks;  // by Direction
};

class NameCheckingAnomalies : public AnomalySink {
 public:
  void Report(std::string_view name, std::string_view detail) override {
    Check(name.size() > 4 && name.find('.') != std::string_view::npos && !detail.empty());
    for (char c : name)
      Check((c >= 'a' && c <= 'z') || c == '.' || c == '_');
  }
};

FlowLimits LimitsFrom(std::uint8_t config) {
  FlowLimits limits;
  limits.max_flows = 1 + (config & 3);
  limits.tcp_idle_ns = 200 * kMs;
  limits.udp_idle_ns = 60 * kMs;
  limits.other_idle_ns = 60 * kMs;
  limits.active_ns = 1000 * kMs;
  limits.closed_linger_ns = 20 * kMs;
  static constexpr std::size_t kPerStream[] = {64, 1024, 1 << 20, 300};
  static constexpr std::size_t kTotal[] = {128, 4096, 64 << 20, 200};
  static constexpr std::size_t kSegments[] = {2, 16, 1024, 5};
  limits.reassembly.max_buffered_per_stream = kPerStream[(config >> 2) & 3];
  limits.reassembly.max_buffered_total = kTotal[(config >> 4) & 3];
  limits.reassembly.max_segments_per_stream = kSegments[(config >> 6) & 3];
  return limits;
}

FiveTuple Pair(int index) {
  FiveTuple t;
  t.src = IpAddress::V4(0x0A000001u);
  t.dst = IpAddress::V4(0x0A000002u);
  t.src_port = static_cast<std::uint16_t>(40000 + index);
  t.dst_port = 443;
  t.protocol = kIpProtoTcp;
  return t;
}

struct Record {
  std::uint8_t control = 0;
  std::uint8_t flags = 0;
  std::uint16_t seq = 0;
  std::uint8_t length = 0;
  std::uint8_t cut = 0;
  std::uint16_t ack = 0;
  std::uint8_t dt = 0;
};

bool ReadRecord(ByteReader& in, Record& r) {
  return in.ReadU8(r.control) && in.ReadU8(r.flags) && in.ReadU16Be(r.seq) && in.ReadU8(r.length) &&
         in.ReadU8(r.cut) && in.ReadU16Be(r.ack) && in.ReadU8(r.dt);
}

// Plays the pipeline: one table, one FuzzState per flow, checks after every packet.
class Harness {
 public:
  Harness(std::uint8_t config, std::array<std::uint32_t, 2> isn)
      : limits_(LimitsFrom(config)),
        isn_(isn),
        table_(limits_, [this](Flow& flow, EndReason) { OnEnd(flow); }) {}

  void Feed(const Record& r) {
    const auto flags = static_cast<std::uint8_t>(r.flags & 0x1F);
    const int physical = r.control & 1;
    const FiveTuple pair = Pair((r.control >> 1) & 3);
    const std::uint32_t seq = isn_[physical] + r.seq + ((r.control & 0x20) != 0 ? kFar : 0);
    const std::uint32_t ack = isn_[1 - physical] + r.ack + ((r.control & 0x40) != 0 ? kFar : 0);
    const std::uint32_t wire = r.length + ((r.control & 0x10) != 0 ? r.cut : 0u);
    const std::uint32_t first = (flags & tcp_flag::kSyn) != 0 ? seq + 1 : seq;
    for (std::uint32_t i = 0; i < r.length; ++i) {
      payload_[i] = Pattern(first + i, Salt(physical));
      if ((r.control & 0x08) != 0) payload_[i] ^= 0x55;
    }
    now_ += r.dt * kMs;

    Direction dir = Direction::kForward;
    Flow& flow =
        table_.Track(physical == 0 ? pair : pair.Reversed(), now_, 40 + wire, wire, flags, dir);
    if (flow.state == nullptr) flow.state = NewState(flow, pair);
    auto& state = static_cast<FuzzState&>(*flow.state);
    CheckingSink& sink = state.sinks[static_cast<int>(dir)];
    CheckingSink& peer = state.sinks[1 - static_cast<int>(dir)];
    Check(sink.physical == physical);  // the table's direction matches the packet's
    sink.corrupt = sink.corrupt || (r.control & 0x08) != 0;
    sink.max_end = std::max(sink.max_end, Rel(first, sink.isn) + wire);

    ReassemblyBudget& budget = table_.reassembly_budget();
    flow.stream(dir).OnSegment(seq, flags, {payload_.data(), r.length}, wire, sink, anomalies_,
                               budget);
    if ((flags & tcp_flag::kAck) != 0) {
      peer.max_end = std::max(peer.max_end, Rel(ack, peer.isn));
      flow.stream(Opposite(dir)).OnPeerAck(ack, peer, anomalies_, budget);
    }
    for (const TcpStream& s : flow.tcp) {
      Check(s.buffered_bytes() <= limits_.reassembly.max_buffered_per_stream);
      Check(s.buffered_segments() <= limits_.reassembly.max_segments_per_stream);
    }
    Check(budget.used() <= limits_.reassembly.max_buffered_total);
    Check(table_.size() <= limits_.max_flows);
    if ((r.control & 0x80) != 0) table_.ExpireUpTo(now_);
  }

  void Finish() {
    table_.EndAll();
    Check(table_.size() == 0 && table_.reassembly_budget().used() == 0);
  }

 private:
  static std::uint32_t Salt(int physical) {
    return 0x5A5A0000u + static_cast<std::uint32_t>(physical);
  }

  std::unique_ptr<FlowState> NewState(Flow& flow, const FiveTuple& pair) {
    auto state = std::make_unique<FuzzState>();
    const int forward_physical = flow.key == pair ? 0 : 1;
    for (Direction d : {Direction::kForward, Direction::kReverse}) {
      CheckingSink& sink = state->sinks[static_cast<int>(d)];
      sink.stream = &flow.stream(d);
      sink.physical = d == Direction::kForward ? forward_physical : 1 - forward_physical;
      sink.isn = isn_[sink.physical];
      sink.salt = Salt(sink.physical);
    }
    return state;
  }

  void OnEnd(Flow& flow) {
    auto* state = static_cast<FuzzState*>(flow.state.get());
    if (state == nullptr) return;
    for (Direction d : {Direction::kForward, Direction::kReverse}) {
      CheckingSink& sink = state->sinks[static_cast<int>(d)];
      flow.stream(d).Flush(sink, table_.reassembly_budget());
      Check(sink.closed);
    }
  }

  FlowLimits limits_;
  std::array<std::uint32_t, 2> isn_;  // by physical direction: 0 is client->server
  FlowTable table_;
  NameCheckingAnomalies anomalies_;
  std::array<std::uint8_t, 256> payload_{};
  std::int64_t now_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  std::uint8_t config = 0;
  std::array<std::uint32_t, 2> isn{};
  if (!in.ReadU8(config) || !in.ReadU32Be(isn[0]) || !in.ReadU32Be(isn[1])) return 0;
  Harness harness(config, isn);
  Record record;
  // Bounded by the input: each round consumes a 9-byte record.
  while (ReadRecord(in, record))
    harness.Feed(record);
  harness.Finish();
  return 0;
}
