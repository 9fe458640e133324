// HTTP/1.x value types and the Observer interface the Connection reports to (RFC 9112).
//
// Request and Response hold what a detection or a log line needs from one message head; every
// string is bounded (Limits::max_field_length) and valid UTF-8: invalid UTF-8 octets and
// control characters other than HTAB are written as the four characters \xNN (like Zeek), the
// rest is kept as sent. Plain values; thread-compatible. Observer implementations are the
// caller's; the Connection calls them synchronously from Feed/Gap/Close.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace beffroi::net::http {

enum class Direction : std::uint8_t { kClientToServer, kServerToClient };

// How a message body ended (OnBodyEnd).
enum class BodyEnd : std::uint8_t {
  kComplete,   // all the octets the framing announced (or none, for a message without body)
  kTruncated,  // a gap or the close came before the declared end, or the framing broke
  kUnbounded,  // a read-until-close body, ended by the close
};

struct Request {
  std::string method;   // as sent (any token: lower-case methods are kept as they are)
  std::string uri;      // the request-target as sent
  std::string version;  // "HTTP/1.1"; "HTTP/0.9" for a request line without version
  std::string host;
  std::string user_agent;
  std::string content_type;
  std::string referer;
  std::optional<std::uint64_t> content_length;  // the first valid value, as sent
  bool chunked = false;     // Transfer-Encoding ends in chunked (the body is framed by chunks)
  std::uint64_t index = 0;  // 0, 1, 2, ... in the connection
};

struct Response {
  std::string version;  // "HTTP/1.1"; "HTTP/0.9" for a raw answer to an HTTP/0.9 request
  std::string reason;
  std::string content_type;
  std::string server;
  std::string location;
  int status = 0;  // 0 for an HTTP/0.9 answer (no status line)
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
  // The index of the request it answers: the n-th final response answers the n-th request;
  // 1xx responses carry the index of the final response that follows them.
  std::uint64_t index = 0;
};

// Every OnRequest, and every OnResponse except interim ones (1xx other than 101), is followed
// sooner or later by exactly one OnBodyEnd for the same direction and index (kComplete at once
// for a message without body), unless the Connection is destroyed first. OnBodyData chunks
// (never empty) come in order between the two. An interim response is followed by the final
// response for the same index.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void OnRequest(const Request& request) = 0;
  virtual void OnResponse(const Response& response) = 0;
  // De-chunked body octets; valid only during the call.
  virtual void OnBodyData(Direction dir, std::uint64_t index,
                          std::span<const std::uint8_t> chunk) = 0;
  virtual void OnBodyEnd(Direction dir, std::uint64_t index, BodyEnd how) = 0;
};

struct Limits {
  // One start or header line. RFC 9112 §3 recommends supporting request-lines of at least
  // 8000 octets.
  std::size_t max_line_length = 8 * 1024;
  // Header (or trailer) field lines in one message.
  std::size_t max_headers = 128;
  // The whole head (start line + fields), the only thing the Connection buffers.
  std::size_t max_header_block = 64 * 1024;
  // Each string stored in a Request or Response, after escaping.
  std::size_t max_field_length = 8 * 1024;
  // Octets scanned for a start line after a gap before giving up on the direction.
  std::uint64_t max_resync_bytes = 1024 * 1024;
};

}  // namespace beffroi::net::http
