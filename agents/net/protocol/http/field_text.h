// Text helpers for HTTP message heads (internal to the HTTP library): bounded, UTF-8-safe
// copies of untrusted octets, case-insensitive field names, whitespace trimming.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace beffroi::net::http {

// Replaces `out` with `raw`, keeping valid UTF-8 and writing every other octet (invalid UTF-8,
// C0 controls except HTAB, DEL) as "\xNN". Stops before the unit that would make `out` longer
// than `max` octets, so `out` never ends inside a sequence or an escape.
void AssignField(std::string& out, std::string_view raw, std::size_t max);

// ASCII case-insensitive equality; `lower` must already be lower-case.
bool EqualsLower(std::string_view s, std::string_view lower);

// Strips SP and HTAB (RFC 9110 §5.6.3 OWS) at both ends.
std::string_view TrimOws(std::string_view s);

// tchar (RFC 9110 §5.6.2): the characters of a token (method, field name).
bool IsTokenChar(unsigned char c);

}  // namespace beffroi::net::http
