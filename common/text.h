// Text helpers: UTF-8 validation and repair, RFC 3339 timestamps, size and date parsing.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace beffroi {

bool IsValidUtf8(std::string_view s);
// Replaces every invalid UTF-8 sequence with U+FFFD so the text can go into JSON.
std::string ToValidUtf8(std::string_view s);

// "2026-11-22T03:49:49.123456Z" (UTC, microseconds).
std::string FormatTimestamp(const struct timespec& ts);
std::string FormatTimestampNs(std::int64_t unix_ns);
// Unix nanoseconds of a timespec, saturated at the int64 range (files may be dated after 2262).
std::int64_t TimespecToNs(const struct timespec& ts);
std::string NowTimestamp();
std::int64_t NowUnixNs();
// The real clock, whatever SetNowOverride says.
std::int64_t WallClockUnixNs();
// Tabletop exercises: makes NowUnixNs() and NowTimestamp() in this process return the scenario
// time `now(wall_ns)` instead of the wall clock, so that incidents, playbook runs and legal
// clocks in an exercise database follow the facilitator's clock. Set it before any other
// thread starts; an empty function restores the wall clock.
void SetNowOverride(std::function<std::int64_t(std::int64_t wall_ns)> now);
bool HasNowOverride();

// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[.frac][Z|+HH:MM]" or a relative age "30d", "12h",
// "45m" (before now). Returns Unix nanoseconds.
std::optional<std::int64_t> ParseDateOrAge(std::string_view text, std::int64_t now_ns);

// Parses a byte size: "4096", "64K", "10M", "2G", "1T" (binary units; a trailing "B" or "iB"
// is accepted).
std::optional<std::uint64_t> ParseByteSize(std::string_view text);

std::string ToLowerAscii(std::string_view s);

}  // namespace beffroi
