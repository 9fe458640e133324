// TcpStream: in-order delivery and the bounded out-of-order buffer.
//
// Invariants kept by every function here: segments_ is sorted by offset, its runs never overlap
// and all have a positive length, the first one starts after next_ (a run reaching next_ is
// delivered at once), and buffered_ is the sum of the lengths of the runs that hold bytes.
#include <algorithm>
#include <cstring>

#include "agents/net/flow/tcp_stream.h"

namespace beffroi::net {

bool TcpStream::IngestPiece(Piece piece, Context& ctx) {
  bool overlapped = false;
  // Each round that does not finish gives up a hole, which either delivers at least one
  // buffered run or brings the piece in order, so this many rounds always suffice.
  const std::size_t max_rounds = segments_.size() + 2;
  for (std::size_t round = 0; round < max_rounds; ++round) {
    if (piece.offset < next_) {  // already delivered or declared lost: drop that part
      const std::int64_t known = std::min(next_ - piece.offset, piece.length);
      if (piece.data != nullptr) {
        stats_.retransmitted_bytes += static_cast<std::uint64_t>(known);
        overlapped = true;
        piece.data += known;
      }
      piece.offset += known;
      piece.length -= known;
      if (piece.length == 0) return overlapped;
    }
    if (piece.offset == next_) return DeliverInOrder(piece, ctx) || overlapped;
    if (TryBuffer(piece, ctx, overlapped)) return overlapped;
    GiveUpOldestHole(piece.offset, ctx);
  }
  stats_.dropped_bytes += static_cast<std::uint64_t>(piece.length);  // not reached
  return overlapped;
}

bool TcpStream::DeliverInOrder(const Piece& piece, Context& ctx) {
  bool overlapped = false;
  bool mismatch = false;
  std::size_t i = 0;
  std::int64_t pos = 0;  // next_ == piece.offset + pos throughout
  while (pos < piece.length) {
    const std::uint8_t* rest = piece.data != nullptr ? piece.data + pos : nullptr;
    if (i == segments_.size() || segments_[i].offset >= next_ + (piece.length - pos)) {
      Emit(rest, piece.length - pos, ctx.sink);
      break;
    }
    // A buffered run starts inside the piece: the piece up to it, then the run itself, which
    // wins where both hold bytes (first data wins).
    const Segment& run = segments_[i];
    const std::int64_t before = run.offset - next_;
    Emit(rest, before, ctx.sink);
    pos += before;
    const std::int64_t common = std::min(run.length, piece.length - pos);
    if (piece.data != nullptr) {
      overlapped = true;
      stats_.retransmitted_bytes += static_cast<std::uint64_t>(common);
      if (run.data != nullptr &&
          std::memcmp(piece.data + pos, run.data.get(), static_cast<std::size_t>(common)) != 0) {
        mismatch = true;
      }
    }
    Emit(run.data.get(), run.length, ctx.sink);
    pos += common;
    ++i;
  }
  while (i < segments_.size() && segments_[i].offset == next_) {
    Emit(segments_[i].data.get(), segments_[i].length, ctx.sink);
    ++i;
  }
  ReleaseFront(i, ctx.budget);
  if (mismatch) {
    ++stats_.overlap_mismatches;
    ctx.anomalies.Report("tcp.segment_overlap_mismatch",
                         "retransmitted bytes differ from buffered ones: first kept");
  }
  return overlapped;
}

std::size_t TcpStream::FirstEndingAfter(std::int64_t offset) const {
  // Runs do not overlap, so their ends are sorted like their offsets.
  const auto it = std::partition_point(segments_.begin(), segments_.end(),
                                       [offset](const Segment& s) { return s.end() <= offset; });
  return static_cast<std::size_t>(it - segments_.begin());
}

bool TcpStream::Fits(std::int64_t bytes, std::size_t segments,
                     const ReassemblyBudget& budget) const {
  const ReassemblyLimits& limits = budget.limits();
  const auto n = static_cast<std::size_t>(bytes);
  return segments <= limits.max_segments_per_stream &&
         segments_.size() <= limits.max_segments_per_stream - segments &&
         n <= limits.max_buffered_per_stream && buffered_ <= limits.max_buffered_per_stream - n &&
         budget.CanReserve(n);
}

bool TcpStream::TryBuffer(const Piece& piece, Context& ctx, bool& overlapped) {
  // First pass, without side effects: what is new, what is known, and does it agree.
  const std::int64_t end = piece.offset + piece.length;
  const std::size_t first = FirstEndingAfter(piece.offset);
  std::int64_t new_bytes = 0;
  std::int64_t known_bytes = 0;
  std::size_t new_runs = 0;
  bool mismatch = false;
  std::int64_t cur = piece.offset;
  for (std::size_t j = first; cur < end;) {
    if (j < segments_.size() && segments_[j].offset <= cur) {
      const Segment& run = segments_[j++];
      const std::int64_t stop = std::min(end, run.end());
      if (piece.data != nullptr) {
        known_bytes += stop - cur;
        mismatch = mismatch ||
                   (run.data != nullptr && std::memcmp(piece.data + (cur - piece.offset),
                                                       run.data.get() + (cur - run.offset),
                                                       static_cast<std::size_t>(stop - cur)) != 0);
      }
      cur = stop;
    } else {
      const std::int64_t stop = j < segments_.size() ? std::min(end, segments_[j].offset) : end;
      if (piece.data != nullptr) new_bytes += stop - cur;
      ++new_runs;
      cur = stop;
    }
  }
  if (new_runs > 0 && !Fits(new_bytes, new_runs, ctx.budget)) return false;
  if (known_bytes > 0) {
    overlapped = true;
    stats_.retransmitted_bytes += static_cast<std::uint64_t>(known_bytes);
  }
  if (mismatch) {
    ++stats_.overlap_mismatches;
    ctx.anomalies.Report("tcp.segment_overlap_mismatch",
                         "overlapping bytes differ from buffered ones: first kept");
  }
  if (new_runs == 0) return true;
  ++stats_.out_of_order_segments;
  InsertUncovered(piece, first);
  buffered_ += static_cast<std::size_t>(new_bytes);
  ctx.budget.Reserve(static_cast<std::size_t>(new_bytes));
  return true;
}

void TcpStream::InsertUncovered(const Piece& piece, std::size_t first) {
  const std::int64_t end = piece.offset + piece.length;
  std::int64_t cur = piece.offset;
  for (std::size_t j = first; cur < end;) {
    if (j < segments_.size() && segments_[j].offset <= cur) {
      cur = std::min(end, segments_[j].end());
      ++j;
      continue;
    }
    const std::int64_t stop = j < segments_.size() ? std::min(end, segments_[j].offset) : end;
    Segment run;
    run.offset = cur;
    run.length = stop - cur;
    if (piece.data != nullptr) {
      const auto n = static_cast<std::size_t>(run.length);
      run.data = std::make_unique_for_overwrite<std::uint8_t[]>(n);
      std::memcpy(run.data.get(), piece.data + (cur - piece.offset), n);
    }
    segments_.insert(segments_.begin() + static_cast<std::ptrdiff_t>(j), std::move(run));
    ++j;
    cur = stop;
  }
}

void TcpStream::GiveUpOldestHole(std::int64_t upto, Context& ctx) {
  if (!limit_reported_) {
    limit_reported_ = true;
    ctx.anomalies.Report("tcp.reassembly_limit",
                         "out-of-order buffer full: giving up on the oldest hole");
  }
  const std::int64_t hole_end = segments_.empty() ? upto : std::min(upto, segments_[0].offset);
  Emit(nullptr, hole_end - next_, ctx.sink);
  DrainContiguous(ctx);
}

void TcpStream::FillHolesUpTo(std::int64_t upto, Context& ctx) {
  // Each round declares one hole and drains the runs after it.
  const std::size_t max_rounds = segments_.size() + 1;
  for (std::size_t round = 0; round < max_rounds && next_ < upto; ++round) {
    const std::int64_t hole_end = segments_.empty() ? upto : std::min(upto, segments_[0].offset);
    Emit(nullptr, hole_end - next_, ctx.sink);
    DrainContiguous(ctx);
  }
}

void TcpStream::DrainContiguous(Context& ctx) {
  std::size_t i = 0;
  while (i < segments_.size() && segments_[i].offset == next_) {
    Emit(segments_[i].data.get(), segments_[i].length, ctx.sink);
    ++i;
  }
  ReleaseFront(i, ctx.budget);
}

void TcpStream::ReleaseFront(std::size_t count, ReassemblyBudget& budget) {
  if (count == 0) return;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (segments_[i].data != nullptr) bytes += static_cast<std::size_t>(segments_[i].length);
  }
  buffered_ -= bytes;
  budget.Release(bytes);
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(count));
}

void TcpStream::TrimBeyond(std::int64_t offset, ReassemblyBudget& budget) {
  while (!segments_.empty() && segments_.back().end() > offset) {
    Segment& run = segments_.back();
    const std::int64_t cut = run.offset >= offset ? run.length : run.end() - offset;
    if (run.data != nullptr) {
      buffered_ -= static_cast<std::size_t>(cut);
      budget.Release(static_cast<std::size_t>(cut));
    }
    stats_.dropped_bytes += static_cast<std::uint64_t>(cut);
    if (cut < run.length) {
      run.length -= cut;  // the tail of its copy stays allocated until the run is delivered
      break;
    }
    segments_.pop_back();
  }
}

}  // namespace beffroi::net
