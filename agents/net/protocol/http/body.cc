// Message bodies and state transitions of Connection (the head side is in connection.cc).
#include <cstring>

#include "agents/net/protocol/http/connection.h"

namespace beffroi::net::http {
namespace {

int HexValue(std::uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::uint64_t Min(std::uint64_t a, std::size_t b) {
  return a < b ? a : b;
}

}  // namespace

void Connection::StartBody(Half& h, std::uint64_t index, BodyKind kind, std::uint64_t length) {
  h.index = index;
  h.body_open = true;
  h.line_start = 0;
  h.field_lines = 0;
  switch (kind) {
    case BodyKind::kNone:
      return FinishBody(h, BodyEnd::kComplete);
    case BodyKind::kLength:
      if (length == 0) return FinishBody(h, BodyEnd::kComplete);
      h.remaining = length;
      h.state = State::kBodyLength;
      return;
    case BodyKind::kChunked:
      h.remaining = 0;
      h.line_length = 0;
      h.chunk_digits = 0;
      h.chunk_ext = false;
      h.state = State::kChunkSize;
      return;
    case BodyKind::kUntilClose:
      h.state = State::kUntilClose;
      return;
  }
}

void Connection::PassBody(Half& h, std::span<const std::uint8_t> bytes) {
  // A body cut by a gap is closed already; the rest of its octets are skipped.
  if (h.body_open && !bytes.empty()) observer_.OnBodyData(h.dir, h.index, bytes);
}

void Connection::FinishBody(Half& h, BodyEnd how) {
  if (h.body_open) observer_.OnBodyEnd(h.dir, h.index, how);
  h.body_open = false;
  h.state = State::kHead;
}

std::size_t Connection::StepLengthBody(Half& h, std::span<const std::uint8_t> bytes) {
  const auto n = static_cast<std::size_t>(Min(h.remaining, bytes.size()));
  PassBody(h, bytes.first(n));
  h.remaining -= n;
  if (h.remaining == 0) FinishBody(h, BodyEnd::kComplete);
  return n;
}

// chunk-size [ chunk-ext ] CRLF (RFC 9112 §7.1), parsed octet by octet as it streams by.
std::size_t Connection::StepChunkSize(Half& h, std::span<const std::uint8_t> bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const std::uint8_t c = bytes[i];
    if (c == '\n') {
      if (h.chunk_digits == 0) return BadChunk(h, i + 1, true, "chunk-size line without size");
      h.line_length = 0;
      h.chunk_digits = 0;
      h.chunk_ext = false;
      if (h.remaining == 0) {  // last-chunk: trailer section follows
        h.line_has_text = false;
        h.state = State::kTrailer;
      } else {
        h.state = State::kChunkData;
      }
      return i + 1;
    }
    if (++h.line_length > limits_.max_line_length) {
      return BadChunk(h, i + 1, false, "chunk-size line too long");
    }
    if (h.chunk_ext) continue;  // extensions are skipped, not interpreted
    const int d = HexValue(c);
    if (d >= 0) {
      if ((h.remaining >> 60) != 0) return BadChunk(h, i + 1, false, "chunk size over 64 bits");
      h.remaining = (h.remaining << 4) | static_cast<std::uint64_t>(d);
      ++h.chunk_digits;
      continue;
    }
    if (h.chunk_digits == 0 || (c != ' ' && c != '\t' && c != ';' && c != '\r')) {
      return BadChunk(h, i + 1, false, "chunk-size is not hexadecimal");
    }
    h.chunk_ext = true;
  }
  return bytes.size();
}

std::size_t Connection::StepChunkData(Half& h, std::span<const std::uint8_t> bytes) {
  const auto n = static_cast<std::size_t>(Min(h.remaining, bytes.size()));
  PassBody(h, bytes.first(n));
  h.remaining -= n;
  if (h.remaining == 0) {
    h.saw_cr = false;
    h.state = State::kChunkDataEnd;
  }
  return n;
}

std::size_t Connection::StepChunkDataEnd(Half& h, std::span<const std::uint8_t> bytes) {
  const std::uint8_t c = bytes[0];
  if (c == '\r' && !h.saw_cr) {
    h.saw_cr = true;
    return 1;
  }
  if (c != '\n') return BadChunk(h, 1, false, "chunk data not followed by CRLF");
  h.line_length = 0;
  h.chunk_digits = 0;
  h.chunk_ext = false;
  h.state = State::kChunkSize;
  return 1;
}

// trailer-section: field lines up to an empty line (RFC 9112 §7.1.2). The fields are not
// used, so they are skipped as they stream by.
std::size_t Connection::StepTrailer(Half& h, std::span<const std::uint8_t> bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const std::uint8_t c = bytes[i];
    if (c == '\n') {
      if (!h.line_has_text) {
        FinishBody(h, BodyEnd::kComplete);
        return i + 1;
      }
      if (++h.field_lines > limits_.max_headers) {
        anomalies_.Report("http.too_many_headers", "more trailer lines than the limit");
        FinishBody(h, BodyEnd::kComplete);  // the body itself arrived whole
        EnterResync(h, true);
        return i + 1;
      }
      h.line_length = 0;
      h.line_has_text = false;
      continue;
    }
    if (++h.line_length > limits_.max_line_length) {
      anomalies_.Report("http.header_too_long", "trailer line longer than the limit");
      FinishBody(h, BodyEnd::kComplete);
      EnterResync(h, false);
      return i + 1;
    }
    if (c != '\r') h.line_has_text = true;
  }
  return bytes.size();
}

std::size_t Connection::StepUntilClose(Half& h, std::span<const std::uint8_t> bytes) {
  PassBody(h, bytes);
  return bytes.size();
}

std::size_t Connection::StepResync(Half& h, std::span<const std::uint8_t> bytes) {
  const void* lf = std::memchr(bytes.data(), '\n', bytes.size());
  const std::size_t n =
      lf ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(lf) - bytes.data()) + 1
         : bytes.size();
  if (CountResync(h, n) && lf != nullptr) {
    h.state = State::kHead;  // a line starts here: try it as a start line
  }
  return n;
}

bool Connection::CountResync(Half& h, std::size_t dropped) {
  h.resync_bytes += dropped;
  if (h.resync_bytes <= limits_.max_resync_bytes) return true;
  anomalies_.Report("http.resync_failed", "no start line found after a gap");
  StopHalf(h);
  return false;
}

std::size_t Connection::BadChunk(Half& h, std::size_t consumed, bool at_line_start,
                                 std::string_view detail) {
  anomalies_.Report("http.bad_chunk", detail);
  FinishBody(h, BodyEnd::kTruncated);
  EnterResync(h, at_line_start);
  return consumed;
}

void Connection::ReleaseHead(Half& h) {
  if (h.head.capacity() > kKeptHeadCapacity) {
    std::string().swap(h.head);
  } else {
    h.head.clear();
  }
}

void Connection::EnterResync(Half& h, bool at_line_start) {
  ReleaseHead(h);
  h.line_start = 0;
  h.field_lines = 0;
  h.resyncing = true;
  h.state = at_line_start ? State::kHead : State::kResync;
}

void Connection::StopHalf(Half& h) {
  if (h.body_open) FinishBody(h, BodyEnd::kTruncated);
  ReleaseHead(h);
  h.state = State::kStopped;
}

void Connection::SwitchProtocols() {
  switched_ = true;
  StopHalf(client_);
  StopHalf(server_);
}

}  // namespace beffroi::net::http
