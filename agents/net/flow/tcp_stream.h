// TcpStream: reassembles one direction of a TCP connection into an ordered byte stream.
//
// The pipeline feeds every segment of one direction to OnSegment and every ACK of the other
// direction to OnPeerAck; the StreamSink it passes receives the stream in order: OnData for bytes,
// OnGap for bytes that will never come (lost, cut by the snaplen, or given up on), each stream
// position exactly once, then OnClose exactly once. In-order data is handed over as a span of the
// caller's packet (no copy); only out-of-order segments are copied, into a buffer bounded per
// stream (ReassemblyLimits) and across all streams of a table (ReassemblyBudget).
//
// Sequence numbers are compared modulo 2^32 (RFC 9293 §3.4, RFC 1982) relative to the next
// expected byte and mapped to 64-bit stream offsets, so streams crossing 0xFFFFFFFF and streams
// longer than 4 GiB work. First data wins: bytes already delivered or buffered are never replaced.
// Overlapping bytes are compared with buffered out-of-order data (tcp.segment_overlap_mismatch);
// retransmissions of bytes already delivered are counted but not compared, because keeping a
// window of delivered bytes would cost a copy of every packet plus memory for each of the
// table's up to 2 x 262144 streams; the evasion that matters to us (two versions of data the
// receiver has not acknowledged yet) sits in the buffer, where we do compare.
//
// Ownership: a TcpStream lives inside its Flow and owns the copies of its buffered segments; the
// payload spans, sinks, anomaly sink and budget are borrowed for the duration of each call. Sinks
// must not call back into the stream. Not thread-safe: a stream belongs to its table's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "agents/net/protocol/anomaly.h"

namespace beffroi::net {

// TCP header flag bits (RFC 9293 §3.1).
namespace tcp_flag {
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kPsh = 0x08;
inline constexpr std::uint8_t kAck = 0x10;
}  // namespace tcp_flag

struct ReassemblyLimits {
  std::size_t max_buffered_per_stream = std::size_t{1} << 20;  // out-of-order bytes held
  std::size_t max_buffered_total = std::size_t{64} << 20;      // across all streams of a table
  std::size_t max_segments_per_stream = 1024;                  // buffered pieces (and markers)
};

// The out-of-order bytes buffered by all streams of one flow table. A stream that cannot reserve
// room gives up waiting for its oldest hole (declares a gap) instead of growing. Not copyable:
// a copy would double the allowance.
class ReassemblyBudget {
 public:
  explicit ReassemblyBudget(ReassemblyLimits limits = {}) : limits_(limits) {}
  ReassemblyBudget(const ReassemblyBudget&) = delete;
  ReassemblyBudget& operator=(const ReassemblyBudget&) = delete;

  const ReassemblyLimits& limits() const { return limits_; }
  std::size_t used() const { return used_; }
  std::size_t peak() const { return peak_; }
  bool CanReserve(std::size_t n) const {
    return used_ <= limits_.max_buffered_total && n <= limits_.max_buffered_total - used_;
  }
  void Reserve(std::size_t n) {
    used_ += n;
    if (used_ > peak_) peak_ = used_;
  }
  void Release(std::size_t n) { used_ = n <= used_ ? used_ - n : 0; }

 private:
  ReassemblyLimits limits_;
  std::size_t used_ = 0;
  std::size_t peak_ = 0;
};

class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // In-order bytes, each stream position delivered exactly once. Valid only during the call.
  virtual void OnData(std::span<const std::uint8_t> bytes) = 0;
  // `length` (> 0) stream bytes that will never come (lost, not captured, or given up).
  virtual void OnGap(std::uint64_t length) = 0;
  // FIN or RST reached in sequence, or Flush at flow end. Called once; nothing follows.
  virtual void OnClose() = 0;
};

class TcpStream {
 public:
  struct Stats {
    std::uint64_t delivered = 0;              // bytes passed to OnData
    std::uint64_t gaps = 0;                   // OnGap calls
    std::uint64_t gap_bytes = 0;              // bytes declared missing
    std::uint64_t retransmitted_bytes = 0;    // payload bytes dropped as already known
    std::uint64_t overlaps = 0;               // segments carrying at least one known byte
    std::uint64_t overlap_mismatches = 0;     // ... whose known bytes differed from buffered ones
    std::uint64_t out_of_order_segments = 0;  // segments (partly) buffered ahead of a hole
    std::uint64_t dropped_bytes = 0;  // not part of the stream: after FIN/RST, beyond the window
  };

  // Called for every segment of this direction, including pure ACKs; `sink` receives what
  // becomes in order. `wire_payload_length` > payload.size() when the snaplen cut the segment:
  // the missing tail becomes a gap when it is reached.
  void OnSegment(std::uint32_t seq, std::uint8_t flags, std::span<const std::uint8_t> payload,
                 std::uint32_t wire_payload_length, StreamSink& sink, AnomalySink& anomalies,
                 ReassemblyBudget& budget);
  // The other direction acknowledged everything before `ack` (call only when its ACK flag is
  // set): bytes we are still waiting for below it were lost from the capture, so they become a
  // gap and what we hold after them is delivered (zeek's "ack above hole").
  void OnPeerAck(std::uint32_t ack, StreamSink& sink, AnomalySink& anomalies,
                 ReassemblyBudget& budget);
  // Flow end: delivers what is buffered, declaring gaps for holes, then OnClose (once per
  // stream's life; nothing happens if the stream has already closed).
  void Flush(StreamSink& sink, ReassemblyBudget& budget);
  // Drops buffered bytes without delivering them and returns them to the budget. The flow
  // table calls it after the end callback, so an unflushed stream cannot leak budget.
  void Discard(ReassemblyBudget& budget);

  bool started() const { return state_ != State::kIdle; }
  bool closed() const { return state_ == State::kClosed; }
  bool syn_seen() const { return syn_seen_; }
  // Sequence number of stream offset 0 (ISN + 1 after a SYN). Meaningful once started().
  std::uint32_t base_seq() const { return base_seq_; }
  // Stream offset of the next byte the sink will receive (= bytes delivered + gap bytes).
  std::uint64_t next_offset() const { return static_cast<std::uint64_t>(next_); }
  std::size_t buffered_bytes() const { return buffered_; }
  std::size_t buffered_segments() const { return segments_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  enum class State : std::uint8_t { kIdle, kOpen, kClosed };

  // A buffered out-of-order run: bytes, or a known-missing marker (data == nullptr) for the
  // snaplen-cut tail of a segment. Runs are sorted by offset and never overlap.
  struct Segment {
    std::int64_t offset = 0;
    std::int64_t length = 0;
    std::unique_ptr<std::uint8_t[]> data;
    std::int64_t end() const { return offset + length; }
  };
  // A run being ingested: bytes borrowed from the packet, or missing (data == nullptr).
  struct Piece {
    std::int64_t offset = 0;
    std::int64_t length = 0;
    const std::uint8_t* data = nullptr;
  };
  struct Context {  // what every internal step needs, passed as one reference
    StreamSink& sink;
    AnomalySink& anomalies;
    ReassemblyBudget& budget;
  };

  void Start(std::uint32_t first_seq);
  std::int64_t OffsetOf(std::uint32_t seq) const;
  void HandleSyn(std::uint32_t data_seq, AnomalySink& anomalies);
  void AfterClose(std::uint32_t data_seq, std::int64_t wire, AnomalySink& anomalies);
  void NoteFin(std::int64_t fin_offset, Context& ctx);
  void CloseIfFinReached(Context& ctx);

  // tcp_stream_buffer.cc: in-order delivery and the out-of-order buffer.
  bool IngestPiece(Piece piece, Context& ctx);
  bool DeliverInOrder(const Piece& piece, Context& ctx);
  bool TryBuffer(const Piece& piece, Context& ctx, bool& overlapped);
  bool Fits(std::int64_t bytes, std::size_t segments, const ReassemblyBudget& budget) const;
  void InsertUncovered(const Piece& piece, std::size_t first);
  std::size_t FirstEndingAfter(std::int64_t offset) const;
  void GiveUpOldestHole(std::int64_t upto, Context& ctx);
  void FillHolesUpTo(std::int64_t upto, Context& ctx);
  void DrainContiguous(Context& ctx);
  void ReleaseFront(std::size_t count, ReassemblyBudget& budget);
  void TrimBeyond(std::int64_t offset, ReassemblyBudget& budget);
  void Emit(const std::uint8_t* data, std::int64_t length, StreamSink& sink);

  std::vector<Segment> segments_;
  Stats stats_;
  std::int64_t next_ = 0;         // stream offset of the next byte to hand to the sink
  std::int64_t fin_offset_ = -1;  // stream offset of the FIN once seen, else -1
  std::size_t buffered_ = 0;      // bytes held in segments_ (markers hold none)
  std::uint32_t base_seq_ = 0;
  State state_ = State::kIdle;
  bool syn_seen_ = false;
  bool limit_reported_ = false;
};

}  // namespace beffroi::net
