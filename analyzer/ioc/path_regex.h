// PathRegex: one filename-IOC or allowlist regular expression, compiled for matching paths.
//
// Internal to beffroi_ioc. Compile() turns the text of a Loki/THOR filename IOC into a
// std::regex (ECMAScript, case-insensitive, classic locale) after three adjustments:
//   - a leading "(?i)" is dropped (PCRE inline flag; we always match case-insensitively);
//   - "\\" and "/" both match either path separator, so Windows-style IOCs such as
//     "\\usbclass\.sys" match POSIX paths and the other way round;
//   - the pattern is refused when it is longer than kMaxRegexLength, nests groups deeper than
//     kMaxRegexNesting, or its repetitions expand past kMaxRegexStates automaton states (each
//     {n,m} copies its operand), so a hostile list cannot exhaust memory or the stack.
// With libstdc++ the regex runs in polynomial (Thompson) mode, so no pattern backtracks
// exponentially; back-references are refused in that mode.
// A required literal, when one can be extracted, is checked with a plain substring search
// before the regex runs. Immutable after Compile(); Matches() is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>
#include <string_view>

#include "common/result.h"

namespace beffroi::ioc {

inline constexpr std::size_t kMaxRegexLength = 4 * 1024;
inline constexpr std::size_t kMaxRegexNesting = 64;
inline constexpr std::uint64_t kMaxRegexStates = 10'000;

class PathRegex {
 public:
  // Error messages are one short sentence, without the file and line.
  static Result<PathRegex> Compile(std::string_view pattern);

  // `lowered_path` is ToLowerAscii(path), computed once by the caller for every regex.
  bool Matches(std::string_view path, std::string_view lowered_path) const noexcept;

  const std::string& pattern() const { return pattern_; }  // as written in the list
  const std::string& literal() const { return literal_; }  // lower case; may be empty

 private:
  std::string pattern_;
  std::string literal_;
  std::regex regex_;
};

// Building blocks, exposed for the tests.
std::string_view StripInlineCaseFlag(std::string_view pattern);
std::string NormalizeSeparators(std::string_view pattern);
// A lower-case ASCII string every match must contain, or "" when none is certain.
std::string RequiredLiteral(std::string_view pattern);

struct RegexShape {
  std::uint64_t states = 0;  // rough count of automaton states after expanding repetitions
  std::size_t depth = 0;     // deepest group nesting
};
RegexShape MeasureRegex(std::string_view pattern);

}  // namespace beffroi::ioc
