// Parsers for procfs text (proc(5)): /proc/PID/stat, /proc/PID/status, /proc/PID/cmdline,
// /proc/stat, /proc/uptime and the targets of /proc/PID/fd links.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agents/host/facts/parse_util.h"
#include "agents/host/facts/parsers.h"

namespace beffroi::host::facts {

namespace {

// /proc/PID/stat fields after "(comm)" start at field 3 (state); starttime is field 22.
constexpr std::size_t kStatStateIndex = 0;   // field 3
constexpr std::size_t kStatPpidIndex = 1;    // field 4
constexpr std::size_t kStatStartIndex = 19;  // field 22
constexpr std::size_t kStatFieldsNeeded = kStatStartIndex + 1;

// Times past 2106 (2^32 s) cannot be real and would overflow nanoseconds in an int64.
constexpr std::uint64_t kMaxPlausibleSeconds = std::uint64_t{1} << 32;
// USER_HZ is 100 on every Linux ABI; anything above a megahertz is a forged value.
constexpr std::uint64_t kMaxTicksPerSecond = 1'000'000;
constexpr std::uint64_t kNanosPerSecond = 1'000'000'000;

constexpr std::string_view kSocketLinkPrefix = "socket:[";

}  // namespace

std::optional<ProcStat> ParseProcStat(std::string_view text) {
  // comm is whatever the process put in prctl(PR_SET_NAME): it may contain spaces, '(' and
  // ')', so it ends at the last ')' of the line, never the first.
  std::size_t open = text.find('(');
  std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  ProcStat st;
  auto pid = ParseUnsigned<std::uint64_t>(TrimSpace(text.substr(0, open)));
  std::vector<std::string_view> f =
      SplitBlanks(TrimSpace(text.substr(close + 1)), kStatFieldsNeeded);
  if (!pid || f.size() < kStatFieldsNeeded || f[kStatStateIndex].size() != 1) return std::nullopt;
  auto ppid = ParseUnsigned<std::uint64_t>(f[kStatPpidIndex]);
  auto start = ParseUnsigned<std::uint64_t>(f[kStatStartIndex]);
  if (!ppid || !start) return std::nullopt;
  st.pid = *pid;
  st.comm = std::string(text.substr(open + 1, close - open - 1));
  st.state = f[kStatStateIndex].front();
  st.ppid = *ppid;
  st.start_ticks = *start;
  return st;
}

ProcStatus ParseProcStatus(std::string_view text) {
  ProcStatus out;
  LineReader lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    std::string_view rest = line;
    if (NextToken(rest) != "Uid:") continue;
    std::vector<std::string_view> ids = SplitBlanks(TrimSpace(rest), 2);
    if (ids.size() >= 1) out.real_uid = ParseUnsigned<std::uint64_t>(ids[0]);
    if (ids.size() >= 2) out.effective_uid = ParseUnsigned<std::uint64_t>(ids[1]);
    break;
  }
  return out;
}

std::optional<std::uint64_t> ParseProcStatBootTime(std::string_view text) {
  LineReader lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    std::string_view rest = line;
    if (NextToken(rest) != "btime") continue;
    return ParseUnsigned<std::uint64_t>(TrimSpace(rest));
  }
  return std::nullopt;
}

std::optional<std::uint64_t> ParseProcUptime(std::string_view text) {
  std::string_view rest = TrimSpace(text);
  std::string_view first = NextToken(rest);
  std::size_t dot = first.find('.');
  if (dot != std::string_view::npos) {
    // The fraction must still be digits, so "12.x" is rejected rather than read as 12.
    if (!ParseUnsigned<std::uint64_t>(first.substr(dot + 1))) return std::nullopt;
    first = first.substr(0, dot);
  }
  return ParseUnsigned<std::uint64_t>(first);
}

std::vector<std::string> SplitCmdline(std::string_view text) {
  std::vector<std::string> args;
  if (text.empty()) return args;
  if (text.back() == '\0') text.remove_suffix(1);
  for (std::string_view arg : SplitOn(text, '\0'))
    args.emplace_back(arg);
  return args;
}

std::optional<std::int64_t> ProcessStartUnixNs(std::uint64_t boot_time_s, std::uint64_t start_ticks,
                                               std::uint64_t ticks_per_second) {
  if (ticks_per_second == 0 || ticks_per_second > kMaxTicksPerSecond) return std::nullopt;
  std::uint64_t seconds = start_ticks / ticks_per_second;
  std::uint64_t rest_ticks = start_ticks % ticks_per_second;
  if (boot_time_s >= kMaxPlausibleSeconds || seconds >= kMaxPlausibleSeconds) return std::nullopt;
  // Both terms are below 2^33 seconds, so the sum in nanoseconds stays below 2^63.
  std::uint64_t ns =
      (boot_time_s + seconds) * kNanosPerSecond + rest_ticks * kNanosPerSecond / ticks_per_second;
  return static_cast<std::int64_t>(ns);
}

std::optional<std::uint64_t> ParseSocketLink(std::string_view link) {
  if (!link.starts_with(kSocketLinkPrefix) || !link.ends_with(']')) return std::nullopt;
  link.remove_prefix(kSocketLinkPrefix.size());
  link.remove_suffix(1);
  return ParseUnsigned<std::uint64_t>(link);
}

}  // namespace beffroi::host::facts
