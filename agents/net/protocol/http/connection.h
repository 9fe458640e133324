// Connection: an HTTP/1.x parser for one TCP connection (RFC 9112), fed the in-order
// reassembled bytes of each direction, plus notices of gaps (octets lost by the capture) and
// of each direction's close.
//
// It reports request and response heads, de-chunked body octets and how each body ended to an
// Observer, and malformed input to an AnomalySink (the names are listed at the top of
// connection.cc). It handles pipelining (responses are matched to requests by order),
// Content-Length, chunked (extensions, trailers) and read-until-close bodies, HEAD/1xx/204/304
// responses without body, 100-continue, CONNECT and protocol upgrades (parsing stops: the rest
// is a tunnel), HTTP/0.9, and resynchronises on the next start line after a gap.
//
// Memory: the only buffer is the head being read (bounded by Limits::max_header_block, capacity
// reused across messages); body octets are handed to the Observer as they arrive, never held.
// Each Feed does work linear in its input.
//
// The Connection holds references to the Observer and the sink, which must outlive it. The
// Observer must not call back into the Connection. Not thread-safe: one Connection per TCP
// connection, driven by one thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "agents/net/protocol/anomaly.h"
#include "agents/net/protocol/http/types.h"

namespace beffroi::net::http {

// A quick test on the first bytes of a client stream: a method HTTP/1.x clients send ("GET ",
// "POST ", "HEAD ", "PUT ", "OPTIONS ", "DELETE ", "CONNECT ", "PATCH ", "TRACE ") followed by
// a printable request-target octet. False when fewer bytes than that are given.
bool LooksLikeRequest(std::span<const std::uint8_t> first_bytes);

class Connection {
 public:
  Connection(Observer& observer, AnomalySink& anomalies, Limits limits = {});
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Feed(Direction dir, std::span<const std::uint8_t> bytes);
  // `length` octets of `dir` are missing from the capture at this point.
  void Gap(Direction dir, std::uint64_t length);
  // FIN, RST or the end of the flow in `dir`: ends a read-until-close body (kUnbounded) or
  // truncates a body in progress; later feeds in `dir` are ignored.
  void Close(Direction dir);

  // False once parsing is over for the whole connection: the client stream was never HTTP,
  // the connection became a tunnel (CONNECT 2xx) or switched protocols (101), or both
  // directions stopped (closed, or given up). The caller may then stop feeding.
  bool active() const;
  // Whether `dir` is still parsed.
  bool active(Direction dir) const;

  static bool LooksLikeRequest(std::span<const std::uint8_t> first_bytes) {
    return http::LooksLikeRequest(first_bytes);
  }

 private:
  enum class State : std::uint8_t {
    kHead,          // reading a start line and header fields into `head`
    kBodyLength,    // `remaining` octets of a Content-Length body
    kChunkSize,     // a chunk-size line (parsed as it streams by)
    kChunkData,     // `remaining` octets of chunk data
    kChunkDataEnd,  // the CRLF after chunk data
    kTrailer,       // trailer field lines up to the empty line
    kUntilClose,    // a body delimited by the close
    kDiscard,       // everything until the close is dropped (a read-until-close body hit a gap)
    kResync,        // after a gap or a framing error: dropping octets up to the next line end
    kStopped,       // no more parsing in this direction
  };
  enum class BodyKind : std::uint8_t { kNone, kLength, kChunked, kUntilClose };

  struct Half {
    explicit Half(Direction d) : dir(d) {}
    Direction dir;
    State state = State::kHead;
    std::string head;            // the head being read
    std::size_t line_start = 0;  // offset in `head` of the line being read
    std::size_t field_lines = 0;
    bool resyncing = false;       // after a gap: only a strict start line is accepted
    bool seen_message = false;    // a head was parsed in this direction
    bool body_open = false;       // OnBodyEnd is still owed for `index`
    std::uint64_t index = 0;      // the message whose body is being read
    std::uint64_t remaining = 0;  // octets left in a Content-Length body or chunk
    std::uint64_t resync_bytes = 0;
    // Chunk-size and trailer lines are parsed as they stream by, never buffered.
    std::size_t line_length = 0;
    std::size_t chunk_digits = 0;
    bool chunk_ext = false;      // past the chunk-size digits
    bool line_has_text = false;  // the trailer line has an octet other than CR
    bool saw_cr = false;         // the CR of the CRLF after chunk data
  };

  // What the response to a request must know about it.
  struct PendingRequest {
    bool head = false;
    bool connect = false;
    bool http09 = false;
  };
  // Requests remembered for the responses still to come. Older ones are forgotten (their
  // responses are then framed as if they answered a GET): a capture that sees only the client
  // side must not grow memory.
  static constexpr std::size_t kMaxPendingRequests = 64;
  // Head buffer capacity kept between messages (most heads are well under 4 KiB).
  static constexpr std::size_t kKeptHeadCapacity = 4096;

  Half& half(Direction dir) { return dir == Direction::kClientToServer ? client_ : server_; }

  // Each step consumes at least one octet of a non-empty `bytes` (so Feed ends).
  std::size_t Step(Half& h, std::span<const std::uint8_t> bytes);
  std::size_t StepHead(Half& h, std::span<const std::uint8_t> bytes);
  std::size_t StepLengthBody(Half& h, std::span<const std::uint8_t> bytes);
  std::size_t StepChunkSize(Half& h, std::span<const std::uint8_t> bytes);
  std::size_t StepChunkData(Half& h, std::span<const std::uint8_t> bytes);
  std::size_t StepChunkDataEnd(Half& h, std::span<const std::uint8_t> bytes);
  std::size_t StepTrailer(Half& h, std::span<const std::uint8_t> bytes);
  std::size_t StepUntilClose(Half& h, std::span<const std::uint8_t> bytes);
  std::size_t StepResync(Half& h, std::span<const std::uint8_t> bytes);

  // Head handling (connection.cc).
  std::size_t HeadTooLong(Half& h, std::size_t take, bool ends_line, std::string_view detail);
  bool CheckStartPrefix(Half& h, std::size_t previous_size);
  void OnHeadLine(Half& h);
  void StartLineRejected(Half& h);
  void CompleteHead(Half& h);
  void EmitRequest(Half& h, std::string_view line, std::string_view fields);
  void EmitResponse(Half& h, std::string_view line, std::string_view fields);
  void EmitHttp09Response(Half& h);
  bool AwaitingHttp09(const Half& h) const;
  const PendingRequest* FindPending(std::uint64_t index) const;

  // Body and state transitions (body.cc).
  void StartBody(Half& h, std::uint64_t index, BodyKind kind, std::uint64_t length);
  void PassBody(Half& h, std::span<const std::uint8_t> bytes);
  void FinishBody(Half& h, BodyEnd how);
  std::size_t BadChunk(Half& h, std::size_t consumed, bool at_line_start, std::string_view detail);
  // Empties the head; a buffer grown by an unusually large head is freed, so that idle
  // connections hold little memory.
  static void ReleaseHead(Half& h);
  void EnterResync(Half& h, bool at_line_start);
  // Counts octets dropped while resynchronising; false (and the half stopped) past the limit.
  bool CountResync(Half& h, std::size_t dropped);
  void StopHalf(Half& h);
  void SwitchProtocols();

  Observer& observer_;
  AnomalySink& anomalies_;
  Limits limits_;
  Half client_{Direction::kClientToServer};
  Half server_{Direction::kServerToClient};
  Request request_;  // reused: its strings keep their capacity
  Response response_;
  std::array<PendingRequest, kMaxPendingRequests> pending_{};  // by request index
  std::uint64_t next_request_ = 0;                             // index of the next request
  std::uint64_t responses_done_ = 0;  // final responses seen: index of the next one
  bool expect_switch_ = false;        // the client asked for a tunnel or an upgrade
  bool switched_ = false;
  bool never_http_ = false;
};

}  // namespace beffroi::net::http
