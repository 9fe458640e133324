#include "common/text.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace beffroi {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid, RFC 3629 §4).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  std::size_t left = s.size() - i;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return (left >= 2 && (b(1) & 0xC0) == 0x80) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || (b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || (b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80 || (b(3) & 0xC0) != 0x80) {
      return 0;
    }
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool ParseUint(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseFixed(std::string_view s, std::size_t pos, std::size_t len, unsigned& out) {
  if (pos + len > s.size()) return false;
  std::uint64_t v = 0;
  if (!ParseUint(s.substr(pos, len), v)) return false;
  out = static_cast<unsigned>(v);
  return true;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string ToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

namespace {

std::string FormatSeconds(std::int64_t secs, std::int64_t nanos) {
  std::time_t t = static_cast<std::time_t>(secs);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(nanos / 1000));
  return buf;
}

}  // namespace

// Formatted from the seconds directly, so dates past 2262 stay right.
std::string FormatTimestamp(const struct timespec& ts) {
  std::int64_t nanos = ts.tv_nsec >= 0 && ts.tv_nsec < 1'000'000'000 ? ts.tv_nsec : 0;
  return FormatSeconds(static_cast<std::int64_t>(ts.tv_sec), nanos);
}

std::string FormatTimestampNs(std::int64_t unix_ns) {
  std::int64_t secs = unix_ns / 1'000'000'000;
  std::int64_t rem = unix_ns % 1'000'000'000;
  if (rem < 0) {
    rem += 1'000'000'000;
    --secs;
  }
  return FormatSeconds(secs, rem);
}

std::int64_t TimespecToNs(const struct timespec& ts) {
  constexpr std::int64_t kMaxSecs = INT64_MAX / 1'000'000'000 - 1;
  auto secs = static_cast<std::int64_t>(ts.tv_sec);
  if (secs > kMaxSecs) return INT64_MAX;
  if (secs < -kMaxSecs) return INT64_MIN;
  return secs * 1'000'000'000 + ts.tv_nsec;
}

namespace {
std::function<std::int64_t(std::int64_t)>& NowOverride() {
  static std::function<std::int64_t(std::int64_t)> now;
  return now;
}
}  // namespace

std::int64_t WallClockUnixNs() {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void SetNowOverride(std::function<std::int64_t(std::int64_t)> now) {
  NowOverride() = std::move(now);
}

bool HasNowOverride() {
  return static_cast<bool>(NowOverride());
}

std::int64_t NowUnixNs() {
  const auto& now = NowOverride();
  return now ? now(WallClockUnixNs()) : WallClockUnixNs();
}

std::string NowTimestamp() {
  return FormatTimestampNs(NowUnixNs());
}

std::optional<std::int64_t> ParseDateOrAge(std::string_view text, std::int64_t now_ns) {
  if (text.size() >= 2) {
    char unit = text.back();
    std::uint64_t n = 0;
    std::int64_t unit_ns = 0;
    if (unit == 'd') unit_ns = 86400LL * 1'000'000'000;
    if (unit == 'h') unit_ns = 3600LL * 1'000'000'000;
    if (unit == 'm') unit_ns = 60LL * 1'000'000'000;
    if (unit_ns != 0 && ParseUint(text.substr(0, text.size() - 1), n)) {
      // A century back is more than any investigation needs, and keeps the product in range.
      constexpr std::uint64_t kMaxAgeSeconds = 100ULL * 366 * 86400;
      if (n > kMaxAgeSeconds ||
          n * static_cast<std::uint64_t>(unit_ns / 1'000'000'000) > kMaxAgeSeconds) {
        return std::nullopt;
      }
      return now_ns - static_cast<std::int64_t>(n) * unit_ns;
    }
  }
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!ParseFixed(text, 0, 4, y) || text.size() < 10 || text[4] != '-' || text[7] != '-' ||
      !ParseFixed(text, 5, 2, mo) || !ParseFixed(text, 8, 2, d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  std::size_t pos = 10;
  std::int64_t frac_ns = 0;
  std::int64_t offset_s = 0;
  if (pos < text.size()) {
    if ((text[pos] != 'T' && text[pos] != ' ') || !ParseFixed(text, pos + 1, 2, h) ||
        text.size() < pos + 9 || text[pos + 3] != ':' || !ParseFixed(text, pos + 4, 2, mi) ||
        text[pos + 6] != ':' || !ParseFixed(text, pos + 7, 2, s)) {
      return std::nullopt;
    }
    if (h > 23 || mi > 59 || s > 60) return std::nullopt;
    pos += 9;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      std::int64_t scale = 100'000'000;
      std::size_t digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 9) frac_ns += (text[pos] - '0') * scale;
        scale /= 10;
        ++digits;
        ++pos;
      }
      if (digits == 0) return std::nullopt;
    }
    if (pos < text.size()) {
      if (text[pos] == 'Z' && pos + 1 == text.size()) {
        pos += 1;
      } else if ((text[pos] == '+' || text[pos] == '-') && text.size() == pos + 6 &&
                 text[pos + 3] == ':') {
        unsigned oh = 0, om = 0;
        if (!ParseFixed(text, pos + 1, 2, oh) || !ParseFixed(text, pos + 4, 2, om)) {
          return std::nullopt;
        }
        offset_s = (text[pos] == '+' ? 1 : -1) * static_cast<std::int64_t>(oh * 3600 + om * 60);
        pos = text.size();
      } else {
        return std::nullopt;
      }
    }
  }
  if (y < 1900 || y > 2200) return std::nullopt;  // keeps nanoseconds within int64
  std::int64_t days = DaysFromCivil(y, mo, d);
  std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - offset_s;
  return secs * 1'000'000'000 + frac_ns;
}

std::optional<std::uint64_t> ParseByteSize(std::string_view text) {
  std::string_view t = text;
  if (t.ends_with("iB")) {
    t.remove_suffix(2);
  } else if (t.ends_with("B")) {
    t.remove_suffix(1);
  }
  if (t.empty()) return std::nullopt;
  std::uint64_t mult = 1;
  constexpr std::string_view kUnits = "KMGT";  // binary: K = 2^10 ... T = 2^40
  char last =
      t.back() >= 'a' && t.back() <= 'z' ? static_cast<char>(t.back() - 'a' + 'A') : t.back();
  if (std::size_t unit = kUnits.find(last); unit != std::string_view::npos) {
    mult = 1ULL << (10 * (unit + 1));
    t.remove_suffix(1);
  }
  std::uint64_t n = 0;
  if (!ParseUint(t, n)) return std::nullopt;
  if (n > UINT64_MAX / mult) return std::nullopt;
  return n * mult;
}

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace beffroi
