// Small text helpers shared by the host-facts parsers: trimming, splitting, line iteration and
// non-throwing number parsing over std::string_view.
//
// Nothing here allocates except the Split* functions; views point into the caller's text and
// must not outlive it. Pure functions; thread-safe. Internal to beffroi_host_facts.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace beffroi::host::facts {

inline bool IsBlank(char c) {
  return c == ' ' || c == '\t';
}
inline bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Removes leading and trailing whitespace (including the '\r' of CRLF files).
std::string_view TrimSpace(std::string_view s);

// Returns the next blank-separated token of `rest` and advances `rest` past it (leaving the
// blanks that follow). Returns "" when `rest` holds only blanks.
std::string_view NextToken(std::string_view& rest);

// Up to `max_tokens` blank-separated tokens; the cap keeps hostile lines from costing more than
// the caller needs.
std::vector<std::string_view> SplitBlanks(std::string_view s, std::size_t max_tokens);

// Splits on every `sep`, keeping empty fields ("a::b" has three fields).
std::vector<std::string_view> SplitOn(std::string_view s, char sep);

// A whole-string unsigned number in `base`; nullopt on any stray character, sign or overflow.
template <typename T>
std::optional<T> ParseUnsigned(std::string_view s, int base = 10) {
  T value{};
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// Iterates the lines of a text ('\n'-terminated; the last line may lack it) with 1-based line
// numbers. Each call consumes at least one byte, so the loop is bounded by the text size.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : rest_(text) {}
  bool Next(std::string_view& line);
  std::size_t line_number() const { return line_number_; }

 private:
  std::string_view rest_;
  std::size_t line_number_ = 0;
  bool done_ = false;
};

}  // namespace beffroi::host::facts
