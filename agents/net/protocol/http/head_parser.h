// Start lines and header fields of one HTTP/1.x message head (RFC 9112 §3, §4, §5), internal
// to the HTTP library. Works on a complete head held by the caller; stores bounded, escaped
// copies into Request/Response (field_text.h) and the framing facts into Framing.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "agents/net/protocol/anomaly.h"
#include "agents/net/protocol/http/types.h"

namespace beffroi::net::http {

// Longest method token accepted on a request line ("UPDATEREDIRECTREF" is 17).
inline constexpr std::size_t kMaxMethodLength = 32;

enum class PrefixVerdict : std::uint8_t { kNeedMore, kMatch, kNoMatch };

// Whether `prefix` (the first octets of a line) can start a request line: a method token then
// SP. `strict` (resynchronising after a gap, where a false match costs more) accepts only the
// methods LooksLikeRequest knows.
PrefixVerdict CheckRequestPrefix(std::string_view prefix, bool strict);
// Whether `prefix` can start a status line ("HTTP/").
PrefixVerdict CheckStatusPrefix(std::string_view prefix);

struct RequestLine {
  std::string_view method;
  std::string_view target;
  std::string_view version;  // empty for HTTP/0.9
};
struct StatusLine {
  std::string_view version;
  std::string_view reason;
  int status = 0;
};

// `line` excludes the line ending. Lenient where RFC 9112 §3 allows (runs of spaces), strict
// where a wrong guess would desynchronise (method token, HTTP-version, 3-digit status).
bool ParseRequestLine(std::string_view line, RequestLine& out);
bool ParseStatusLine(std::string_view line, StatusLine& out);

// What the fields say about the body (RFC 9112 §6).
struct Framing {
  std::optional<std::uint64_t> content_length;
  bool transfer_encoding = false;  // a Transfer-Encoding field was present
  bool chunked = false;            // ... and its final coding is chunked
  bool upgrade = false;            // an Upgrade field was present
};

// `fields` is the head after the start line's line ending, up to and including the empty line.
// Reports http.bad_header_line (once per head), http.bad_content_length,
// http.content_length_conflict (the first value is kept) and http.smuggling_suspect (both
// Content-Length and chunked: chunked wins, RFC 9112 §6.3).
void ParseRequestFields(std::string_view fields, const Limits& limits, Request& out,
                        Framing& framing, AnomalySink& anomalies);
void ParseResponseFields(std::string_view fields, const Limits& limits, Response& out,
                         Framing& framing, AnomalySink& anomalies);

}  // namespace beffroi::net::http
