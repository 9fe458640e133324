// Anomalies reported by the HTTP parser (stable names):
//   http.header_too_long        a start/field/trailer line over max_line_length, or a head
//                               over max_header_block: the message is dropped, resync
//   http.too_many_headers       more than max_headers field (or trailer) lines: dropped, resync
//   http.bad_header_line        a field line without a token name and colon (once per head)
//   http.bad_content_length     Content-Length is not a number or overflows 64 bits (ignored)
//   http.content_length_conflict  two different Content-Length values (the first is used)
//   http.smuggling_suspect      Transfer-Encoding and Content-Length together (TE wins)
//   http.bad_transfer_encoding  a request whose Transfer-Encoding does not end in chunked
//                               (RFC 9112 §6.3: unframeable; read until close)
//   http.bad_chunk              a malformed chunk-size line or chunk end: body truncated, resync
//   http.bad_request_line       a client line that is not a request after HTTP was seen
//   http.bad_status_line        a server line that is not a status line: direction given up
//   http.resync_failed          no start line within max_resync_bytes after a gap
#include "agents/net/protocol/http/connection.h"

#include <cstring>

#include "agents/net/protocol/http/field_text.h"
#include "agents/net/protocol/http/head_parser.h"

namespace beffroi::net::http {
namespace {

constexpr std::string_view kHttp09 = "HTTP/0.9";

bool IsTargetStart(std::uint8_t c) {
  return c > 0x20 && c < 0x7f;
}

std::string_view StripCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

bool LooksLikeRequest(std::span<const std::uint8_t> first_bytes) {
  const std::string_view s(reinterpret_cast<const char*>(first_bytes.data()), first_bytes.size());
  const std::size_t sp = s.find(' ');
  if (sp == std::string_view::npos || sp + 1 >= s.size()) return false;
  return CheckRequestPrefix(s.substr(0, sp + 1), /*strict=*/true) == PrefixVerdict::kMatch &&
         IsTargetStart(first_bytes[sp + 1]);
}

Connection::Connection(Observer& observer, AnomalySink& anomalies, Limits limits)
    : observer_(observer), anomalies_(anomalies), limits_(limits) {}

bool Connection::active() const {
  return !switched_ && !never_http_ &&
         (client_.state != State::kStopped || server_.state != State::kStopped);
}

bool Connection::active(Direction dir) const {
  const Half& h = dir == Direction::kClientToServer ? client_ : server_;
  return !switched_ && !never_http_ && h.state != State::kStopped;
}

void Connection::Feed(Direction dir, std::span<const std::uint8_t> bytes) {
  Half& h = half(dir);
  // Every step consumes at least one octet: at most bytes.size() passes.
  while (!bytes.empty() && h.state != State::kStopped) {
    const std::size_t used = Step(h, bytes);
    if (used == 0) {  // cannot happen; stops a future bug from hanging the capture
      StopHalf(h);
      break;
    }
    bytes = bytes.subspan(used);
  }
}

std::size_t Connection::Step(Half& h, std::span<const std::uint8_t> bytes) {
  switch (h.state) {
    case State::kHead:
      return StepHead(h, bytes);
    case State::kBodyLength:
      return StepLengthBody(h, bytes);
    case State::kChunkSize:
      return StepChunkSize(h, bytes);
    case State::kChunkData:
      return StepChunkData(h, bytes);
    case State::kChunkDataEnd:
      return StepChunkDataEnd(h, bytes);
    case State::kTrailer:
      return StepTrailer(h, bytes);
    case State::kUntilClose:
      return StepUntilClose(h, bytes);
    case State::kResync:
      return StepResync(h, bytes);
    case State::kDiscard:
      return bytes.size();
    case State::kStopped:
      break;
  }
  return 0;
}

void Connection::Gap(Direction dir, std::uint64_t length) {
  Half& h = half(dir);
  if (length == 0) return;
  switch (h.state) {
    case State::kStopped:
    case State::kDiscard:
      return;
    case State::kUntilClose:
      FinishBody(h, BodyEnd::kTruncated);
      h.state = State::kDiscard;
      return;
    case State::kBodyLength:
    case State::kChunkData:
      // The body is cut here; when the gap ends inside it, its framing still tells where the
      // next message starts, so skip the rest silently.
      if (h.body_open) observer_.OnBodyEnd(h.dir, h.index, BodyEnd::kTruncated);
      h.body_open = false;
      if (length < h.remaining) {
        h.remaining -= length;
        return;
      }
      if (length == h.remaining) {
        h.remaining = 0;
        if (h.state == State::kBodyLength) {
          FinishBody(h, BodyEnd::kTruncated);
        } else {
          h.state = State::kChunkDataEnd;
          h.saw_cr = false;
        }
        return;
      }
      break;
    default:
      break;
  }
  // A head, a chunk-size line or a trailer was hit, or the gap runs past the body: look for
  // the next start line. Right after the gap may be one (a gap that swallowed whole messages).
  if (h.body_open) FinishBody(h, BodyEnd::kTruncated);
  EnterResync(h, /*at_line_start=*/true);
}

void Connection::Close(Direction dir) {
  Half& h = half(dir);
  if (h.state == State::kUntilClose) {
    FinishBody(h, BodyEnd::kUnbounded);
  } else if (h.body_open) {
    FinishBody(h, BodyEnd::kTruncated);
  }
  StopHalf(h);
}

std::size_t Connection::StepHead(Half& h, std::span<const std::uint8_t> bytes) {
  if (h.head.empty() && !AwaitingHttp09(h)) {
    // Empty lines before a start line are ignored (RFC 9112 §2.2).
    std::size_t k = 0;
    while (k < bytes.size() && (bytes[k] == '\r' || bytes[k] == '\n'))
      ++k;
    if (k > 0) return k;
  }
  const void* lf = std::memchr(bytes.data(), '\n', bytes.size());
  const std::size_t take =
      lf ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(lf) - bytes.data()) + 1
         : bytes.size();
  const std::size_t line_length = h.head.size() - h.line_start + take - (lf ? 1 : 0);
  if (line_length > limits_.max_line_length) {
    return HeadTooLong(h, take, lf != nullptr, "line longer than the limit");
  }
  if (take > limits_.max_header_block - h.head.size()) {
    return HeadTooLong(h, take, lf != nullptr, "head larger than the limit");
  }
  const std::size_t previous_size = h.head.size();
  h.head.append(reinterpret_cast<const char*>(bytes.data()), take);
  if (h.line_start == 0 && !CheckStartPrefix(h, previous_size)) return take;
  if (lf) OnHeadLine(h);
  return take;
}

std::size_t Connection::HeadTooLong(Half& h, std::size_t take, bool ends_line,
                                    std::string_view detail) {
  const std::size_t dropped = h.head.size() + take;
  if (h.resyncing) {  // a long line is then only more octets to skip
    EnterResync(h, ends_line);
    CountResync(h, dropped);
    return take;
  }
  anomalies_.Report("http.header_too_long", detail);
  EnterResync(h, ends_line);
  return take;
}

// Rejects a first line early, before it is complete, so that a stream that is not HTTP is
// given up after a few octets instead of after max_line_length of buffering. Returns false
// when the half left kHead.
bool Connection::CheckStartPrefix(Half& h, std::size_t previous_size) {
  // A method token and its SP: past this length the verdict on a prefix cannot change.
  constexpr std::size_t kDecided = kMaxMethodLength + 1;
  if (previous_size >= kDecided) return true;
  const std::string_view prefix = std::string_view(h.head).substr(0, kDecided);
  const PrefixVerdict v = h.dir == Direction::kClientToServer
                              ? CheckRequestPrefix(prefix, h.resyncing)
                              : CheckStatusPrefix(prefix);
  if (v != PrefixVerdict::kNoMatch) return true;
  if (AwaitingHttp09(h)) {
    EmitHttp09Response(h);
  } else {
    StartLineRejected(h);
  }
  return false;
}

void Connection::OnHeadLine(Half& h) {
  const std::string_view line =
      StripCr(std::string_view(h.head).substr(h.line_start, h.head.size() - 1 - h.line_start));
  if (h.line_start == 0) {
    if (h.dir == Direction::kClientToServer) {
      RequestLine rl;
      if (!ParseRequestLine(line, rl)) return StartLineRejected(h);
      if (rl.version.empty()) return CompleteHead(h);  // HTTP/0.9: no fields
    } else {
      StatusLine sl;
      if (!ParseStatusLine(line, sl)) return StartLineRejected(h);
    }
  } else if (line.empty()) {
    return CompleteHead(h);
  } else if (++h.field_lines > limits_.max_headers) {
    if (!h.resyncing) anomalies_.Report("http.too_many_headers", "more field lines than the limit");
    return EnterResync(h, /*at_line_start=*/true);
  }
  h.line_start = h.head.size();
}

void Connection::StartLineRejected(Half& h) {
  const bool at_line_start = !h.head.empty() && h.head.back() == '\n';
  if (h.resyncing) {
    const std::size_t dropped = h.head.size();
    EnterResync(h, at_line_start);
    CountResync(h, dropped);
    return;
  }
  if (h.dir == Direction::kServerToClient) {
    anomalies_.Report("http.bad_status_line", "server sent something other than a status line");
  } else if (!h.seen_message && !expect_switch_) {
    never_http_ = true;  // it never was HTTP: nothing to report, nothing more to parse
    StopHalf(server_);
  } else if (!expect_switch_) {
    anomalies_.Report("http.bad_request_line", "client sent something other than a request");
  }
  // After CONNECT or Upgrade, other bytes mean the client already speaks the new protocol.
  StopHalf(h);
}

void Connection::CompleteHead(Half& h) {
  const std::string_view head = h.head;
  const std::size_t first_end = head.find('\n');
  const std::string_view line = StripCr(head.substr(0, first_end));
  const std::string_view fields = head.substr(first_end + 1);
  h.seen_message = true;
  h.resyncing = false;
  h.resync_bytes = 0;
  if (h.dir == Direction::kClientToServer) {
    EmitRequest(h, line, fields);
  } else {
    EmitResponse(h, line, fields);
  }
}

void Connection::EmitRequest(Half& h, std::string_view line, std::string_view fields) {
  RequestLine rl;
  ParseRequestLine(line, rl);  // validated by OnHeadLine
  Request& r = request_;
  AssignField(r.method, rl.method, limits_.max_field_length);
  AssignField(r.uri, rl.target, limits_.max_field_length);
  r.version.assign(rl.version.empty() ? kHttp09 : rl.version);
  Framing framing;
  ParseRequestFields(rl.version.empty() ? std::string_view() : fields, limits_, r, framing,
                     anomalies_);
  r.index = next_request_++;
  const bool connect = rl.method == "CONNECT";
  pending_[r.index % kMaxPendingRequests] =
      PendingRequest{rl.method == "HEAD", connect, rl.version.empty()};
  if (connect || framing.upgrade) expect_switch_ = true;
  ReleaseHead(h);  // `line` and `fields` are dead from here on
  observer_.OnRequest(r);
  if (framing.chunked) return StartBody(h, r.index, BodyKind::kChunked, 0);
  if (framing.transfer_encoding) {
    anomalies_.Report("http.bad_transfer_encoding", "request coding does not end in chunked");
    return StartBody(h, r.index, BodyKind::kUntilClose, 0);
  }
  if (framing.content_length) {
    return StartBody(h, r.index, BodyKind::kLength, *framing.content_length);
  }
  StartBody(h, r.index, BodyKind::kNone, 0);
}

void Connection::EmitResponse(Half& h, std::string_view line, std::string_view fields) {
  StatusLine sl;
  ParseStatusLine(line, sl);  // validated by OnHeadLine
  Response& r = response_;
  r.version.assign(sl.version);
  AssignField(r.reason, sl.reason, limits_.max_field_length);
  r.status = sl.status;
  Framing framing;
  ParseResponseFields(fields, limits_, r, framing, anomalies_);
  r.index = responses_done_;
  const PendingRequest* request = FindPending(r.index);
  const bool informational = r.status >= 100 && r.status < 200;
  // 1xx (100-continue, 103) precede the final response to the same request.
  if (!informational || r.status == 101) ++responses_done_;
  ReleaseHead(h);
  observer_.OnResponse(r);
  if (informational && r.status != 101) {
    // An interim response has no body and no OnBodyEnd; the final one follows.
    h.line_start = 0;
    h.field_lines = 0;
    return;
  }
  const bool success = r.status >= 200 && r.status < 300;
  if (r.status == 101 || (request != nullptr && request->connect && success)) {
    StartBody(h, r.index, BodyKind::kNone, 0);
    return SwitchProtocols();  // the rest is a tunnel or another protocol
  }
  // RFC 9112 §6.3: no body for HEAD, 204 and 304, whatever the fields say.
  if (r.status == 204 || r.status == 304 || (request && request->head)) {
    return StartBody(h, r.index, BodyKind::kNone, 0);
  }
  if (framing.chunked) return StartBody(h, r.index, BodyKind::kChunked, 0);
  if (framing.transfer_encoding) return StartBody(h, r.index, BodyKind::kUntilClose, 0);
  if (framing.content_length) {
    return StartBody(h, r.index, BodyKind::kLength, *framing.content_length);
  }
  StartBody(h, r.index, BodyKind::kUntilClose, 0);
}

// An HTTP/0.9 server answers with the raw document: no status line, no fields.
void Connection::EmitHttp09Response(Half& h) {
  Response& r = response_;
  r.version.assign(kHttp09);
  r.reason.clear();
  r.content_type.clear();
  r.server.clear();
  r.location.clear();
  r.status = 0;
  r.content_length.reset();
  r.chunked = false;
  r.index = responses_done_++;
  h.seen_message = true;
  observer_.OnResponse(r);
  StartBody(h, r.index, BodyKind::kUntilClose, 0);
  PassBody(h, std::span(reinterpret_cast<const std::uint8_t*>(h.head.data()), h.head.size()));
  ReleaseHead(h);
}

bool Connection::AwaitingHttp09(const Half& h) const {
  if (h.dir != Direction::kServerToClient) return false;
  const PendingRequest* request = FindPending(responses_done_);
  return request != nullptr && request->http09;
}

const Connection::PendingRequest* Connection::FindPending(std::uint64_t index) const {
  if (index >= next_request_ || next_request_ - index > kMaxPendingRequests) return nullptr;
  return &pending_[index % kMaxPendingRequests];
}

}  // namespace beffroi::net::http
