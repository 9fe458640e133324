// TcpStream: segment and ACK handling, SYN/FIN/RST and closing. The out-of-order buffer and
// in-order delivery are in tcp_stream_buffer.cc.
#include "agents/net/flow/tcp_stream.h"

#include <algorithm>

namespace beffroi::net {
namespace {

// A sender never has more than its largest window outstanding: 2^30 bytes with the maximum
// window scale shift of 14 (RFC 7323 §2.3). A segment or an ACK further ahead of the next
// expected byte cannot belong to this stream; buffering it would wait forever.
constexpr std::int64_t kMaxSeqJump = std::int64_t{1} << 30;

// a - b modulo 2^32 read as a signed distance in [-2^31, 2^31) (RFC 1982 serial arithmetic).
std::int64_t SeqDelta(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b);
}

}  // namespace

void TcpStream::Start(std::uint32_t first_seq) {
  base_seq_ = first_seq;
  next_ = 0;
  state_ = State::kOpen;
}

std::int64_t TcpStream::OffsetOf(std::uint32_t seq) const {
  // Measured from the next expected byte, so the mapping stays exact however long the stream.
  const std::uint32_t next_seq = base_seq_ + static_cast<std::uint32_t>(next_);
  return next_ + SeqDelta(seq, next_seq);
}

void TcpStream::OnSegment(std::uint32_t seq, std::uint8_t flags,
                          std::span<const std::uint8_t> payload, std::uint32_t wire_payload_length,
                          StreamSink& sink, AnomalySink& anomalies, ReassemblyBudget& budget) {
  // The SYN occupies one sequence number; its data (if any) starts after it.
  const std::uint32_t data_seq = (flags & tcp_flag::kSyn) != 0 ? seq + 1 : seq;
  const auto captured = static_cast<std::int64_t>(payload.size());
  std::int64_t wire = std::max<std::int64_t>(wire_payload_length, captured);
  if (state_ == State::kClosed) {
    AfterClose(data_seq, wire, anomalies);
    return;
  }
  if ((flags & tcp_flag::kRst) != 0) {
    Flush(sink, budget);  // the sender will send nothing more: what we hold is all there is
    return;
  }
  if ((flags & tcp_flag::kSyn) != 0) HandleSyn(data_seq, anomalies);
  if (state_ == State::kIdle) {
    // Mid-stream start: the first segment with data (or a FIN) anchors the stream. A pure ACK
    // does not, since keep-alives carry seq - 1.
    if (wire == 0 && (flags & tcp_flag::kFin) == 0) return;
    Start(data_seq);
  }
  const std::int64_t offset = OffsetOf(data_seq);
  if (offset - next_ > kMaxSeqJump || wire > kMaxSeqJump) {
    anomalies.Report("tcp.seq_jump", "segment more than 1 GiB ahead of the stream: dropped");
    stats_.dropped_bytes += static_cast<std::uint64_t>(wire);
    return;
  }
  bool fin = (flags & tcp_flag::kFin) != 0;
  if (fin_offset_ >= 0 && wire > 0 && offset + wire > fin_offset_) {
    anomalies.Report("tcp.data_after_fin", "segment data beyond the FIN: dropped");
    const std::int64_t keep = std::clamp<std::int64_t>(fin_offset_ - offset, 0, wire);
    stats_.dropped_bytes += static_cast<std::uint64_t>(wire - keep);
    wire = keep;
    fin = false;  // a FIN riding on that data is just as inconsistent
  }
  Context ctx{sink, anomalies, budget};
  if (wire > 0) {
    const std::int64_t kept = std::min(captured, wire);
    bool overlapped = false;
    if (kept > 0) overlapped = IngestPiece({offset, kept, payload.data()}, ctx);
    // The snaplen cut the tail: those bytes exist but we will never see them.
    if (wire > kept) {
      overlapped = IngestPiece({offset + kept, wire - kept, nullptr}, ctx) || overlapped;
    }
    if (overlapped) ++stats_.overlaps;
  }
  if (fin) NoteFin(offset + wire, ctx);
  CloseIfFinReached(ctx);
}

void TcpStream::HandleSyn(std::uint32_t data_seq, AnomalySink& anomalies) {
  if (state_ == State::kIdle) {
    Start(data_seq);
    syn_seen_ = true;
  } else if (data_seq == base_seq_) {
    // A retransmitted SYN, or data captured before its SYN started the stream at the same place.
    syn_seen_ = true;
  } else {
    anomalies.Report("tcp.syn_inside_connection", "SYN with a different sequence number");
  }
}

void TcpStream::AfterClose(std::uint32_t data_seq, std::int64_t wire, AnomalySink& anomalies) {
  if (wire == 0) return;
  if (fin_offset_ < 0) {  // closed by RST or Flush: nothing more belongs to the stream
    stats_.dropped_bytes += static_cast<std::uint64_t>(wire);
    return;
  }
  const std::int64_t offset = OffsetOf(data_seq);
  const std::int64_t beyond = std::clamp<std::int64_t>(offset + wire - fin_offset_, 0, wire);
  if (beyond > 0) {
    anomalies.Report("tcp.data_after_fin", "segment data beyond the FIN: dropped");
    stats_.dropped_bytes += static_cast<std::uint64_t>(beyond);
  }
  stats_.retransmitted_bytes += static_cast<std::uint64_t>(wire - beyond);
}

void TcpStream::NoteFin(std::int64_t fin_offset, Context& ctx) {
  if (fin_offset_ >= 0) {
    if (fin_offset != fin_offset_) {
      ctx.anomalies.Report("tcp.inconsistent_fin", "FIN at a different place than the first one");
    }
    return;
  }
  if (fin_offset < next_) {
    ctx.anomalies.Report("tcp.inconsistent_fin", "FIN behind data already delivered: ignored");
    return;
  }
  fin_offset_ = fin_offset;
  if (!segments_.empty() && segments_.back().end() > fin_offset_) {
    ctx.anomalies.Report("tcp.data_after_fin", "buffered data beyond the FIN: dropped");
    TrimBeyond(fin_offset_, ctx.budget);
  }
}

void TcpStream::CloseIfFinReached(Context& ctx) {
  if (state_ != State::kOpen || fin_offset_ < 0 || next_ < fin_offset_) return;
  Discard(ctx.budget);  // empty by construction: nothing is buffered beyond the FIN
  state_ = State::kClosed;
  ctx.sink.OnClose();
}

void TcpStream::OnPeerAck(std::uint32_t ack, StreamSink& sink, AnomalySink& anomalies,
                          ReassemblyBudget& budget) {
  if (state_ != State::kOpen) return;
  std::int64_t upto = OffsetOf(ack);
  if (upto - next_ > kMaxSeqJump) {
    anomalies.Report("tcp.ack_jump", "ACK more than 1 GiB beyond the data seen: ignored");
    return;
  }
  // The FIN takes a sequence number of its own: acknowledging it acknowledges no data.
  if (fin_offset_ >= 0 && upto > fin_offset_) upto = fin_offset_;
  if (upto <= next_) return;
  Context ctx{sink, anomalies, budget};
  FillHolesUpTo(upto, ctx);
  CloseIfFinReached(ctx);
}

void TcpStream::Flush(StreamSink& sink, ReassemblyBudget& budget) {
  if (state_ == State::kClosed) return;
  if (state_ == State::kOpen) {
    for (const Segment& segment : segments_) {
      Emit(nullptr, segment.offset - next_, sink);
      Emit(segment.data.get(), segment.length, sink);
    }
    // A FIN seen ahead of a hole: the bytes before it were lost.
    if (fin_offset_ > next_) Emit(nullptr, fin_offset_ - next_, sink);
  }
  Discard(budget);
  state_ = State::kClosed;
  sink.OnClose();
}

void TcpStream::Discard(ReassemblyBudget& budget) {
  budget.Release(buffered_);
  buffered_ = 0;
  std::vector<Segment>().swap(segments_);  // give the memory back, not just the budget
}

void TcpStream::Emit(const std::uint8_t* data, std::int64_t length, StreamSink& sink) {
  if (length <= 0) return;
  next_ += length;
  if (data != nullptr) {
    stats_.delivered += static_cast<std::uint64_t>(length);
    sink.OnData({data, static_cast<std::size_t>(length)});
  } else {
    ++stats_.gaps;
    stats_.gap_bytes += static_cast<std::uint64_t>(length);
    sink.OnGap(static_cast<std::uint64_t>(length));
  }
}

}  // namespace beffroi::net
