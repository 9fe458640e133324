// Test doubles for the flow tests: a StreamSink that renders the stream as text (gap bytes as
// '~'), an AnomalySink that records names, and a one-direction harness around a TcpStream.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agents/net/flow/tcp_stream.h"

namespace beffroi::net::testing {

class TextSink : public StreamSink {
 public:
  void OnData(std::span<const std::uint8_t> bytes) override {
    if (closes > 0) ++calls_after_close;
    if (bytes.empty()) ++empty_calls;
    text.append(bytes.begin(), bytes.end());
    data_pointers.push_back(bytes.data());
  }
  void OnGap(std::uint64_t length) override {
    if (closes > 0) ++calls_after_close;
    if (length == 0) ++empty_calls;
    ++gaps;
    gap_bytes += length;
    // Huge gaps (the >4 GiB test) are counted, not drawn.
    text.append(static_cast<std::size_t>(std::min<std::uint64_t>(length, 1 << 16)), '~');
  }
  void OnClose() override { ++closes; }

  std::string text;
  std::vector<const std::uint8_t*> data_pointers;
  std::uint64_t gaps = 0;
  std::uint64_t gap_bytes = 0;
  int closes = 0;
  int calls_after_close = 0;
  int empty_calls = 0;
};

class RecordingAnomalies : public AnomalySink {
 public:
  void Report(std::string_view name, std::string_view) override { names.emplace_back(name); }
  int Count(std::string_view name) const {
    return static_cast<int>(std::count(names.begin(), names.end(), name));
  }
  std::vector<std::string> names;
};

inline std::span<const std::uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// One direction: a stream, its sink, a budget of its own (unless one is shared).
struct OneWay {
  explicit OneWay(ReassemblyLimits limits = {}) : own_budget(limits), budget(&own_budget) {}
  explicit OneWay(ReassemblyBudget& shared) : budget(&shared) {}

  void Seg(std::uint32_t seq, std::string_view data, std::uint8_t flags = tcp_flag::kAck,
           std::uint32_t wire = 0) {
    stream.OnSegment(seq, flags, Bytes(data), wire, sink, anomalies, *budget);
  }
  void Ack(std::uint32_t ack) { stream.OnPeerAck(ack, sink, anomalies, *budget); }
  void Flush() { stream.Flush(sink, *budget); }

  ReassemblyBudget own_budget;
  ReassemblyBudget* budget;
  TcpStream stream;
  TextSink sink;
  RecordingAnomalies anomalies;
};

}  // namespace beffroi::net::testing
