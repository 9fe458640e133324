// GCC 12 with -fsanitize=address reports a false -Wmaybe-uninitialized inside libstdc++'s
// regex compiler (std::function in _State). It must be silenced before <regex> is first read,
// hence before every include; it covers this file only, the one that compiles regexes.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "analyzer/ioc/path_regex.h"

#include <algorithm>
#include <exception>
#include <locale>
#include <vector>

namespace beffroi::ioc {
namespace {

constexpr std::uint64_t kSaturated = std::uint64_t{1} << 62;
constexpr std::string_view kAnySeparator = "[\\\\/]";
constexpr std::string_view kBothSeparatorsInClass = "\\\\/";

std::uint64_t SaturatingAdd(std::uint64_t a, std::uint64_t b) {
  return std::min(kSaturated, a + b);  // both operands are <= kSaturated
}

std::uint64_t SaturatingMul(std::uint64_t a, std::uint64_t b) {
  if (a == 0 || b == 0) return 0;
  return a > kSaturated / b ? kSaturated : a * b;
}

char LowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool IsAsciiPunct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

// Returns the index just past the ']' closing the class that starts at p[i] == '['
// (ECMAScript: the first ']' not escaped closes it), or p.size() when it is unterminated.
std::size_t SkipClass(std::string_view p, std::size_t i) {
  ++i;
  while (i < p.size()) {
    if (p[i] == '\\') {
      i += 2;
    } else if (p[i] == ']') {
      return i + 1;
    } else {
      ++i;
    }
  }
  return p.size();
}

// Returns the index just past the ')' matching p[i] == '(', or npos when unbalanced.
std::size_t SkipGroup(std::string_view p, std::size_t i) {
  std::size_t depth = 0;
  while (i < p.size()) {
    char c = p[i];
    if (c == '\\') {
      i += 2;
      continue;
    }
    if (c == '[') {
      i = SkipClass(p, i);
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0) return i + 1;
    ++i;
  }
  return std::string_view::npos;
}

// Parses "{n}", "{n,}" or "{n,m}" at p[i] == '{'; returns the repetition factor libstdc++ will
// expand the operand to, and moves `i` past the '}'.
std::uint64_t BraceFactor(std::string_view p, std::size_t& i) {
  std::uint64_t first = 0;
  std::uint64_t second = 0;
  bool comma = false;
  bool has_second = false;
  ++i;
  for (; i < p.size() && p[i] != '}'; ++i) {
    char c = p[i];
    if (c == ',') {
      comma = true;
    } else if (c >= '0' && c <= '9') {
      std::uint64_t& n = comma ? second : first;
      n = SaturatingAdd(SaturatingMul(n, 10), static_cast<std::uint64_t>(c - '0'));
      has_second = has_second || comma;
    }
  }
  if (i < p.size()) ++i;
  if (!comma) return std::max<std::uint64_t>(first, 1);
  if (!has_second) return SaturatingAdd(first, 1);
  return std::max<std::uint64_t>({first, second, 1});
}

}  // namespace

std::string_view StripInlineCaseFlag(std::string_view pattern) {
  while (pattern.starts_with("(?i)"))
    pattern.remove_prefix(4);
  return pattern;
}

std::string NormalizeSeparators(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 16);
  bool in_class = false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char next = p[++i];
      if (next == '\\' || next == '/') {
        out += in_class ? kBothSeparatorsInClass : kAnySeparator;
      } else {
        out += c;
        out += next;
      }
      continue;
    }
    if (c == '/') {
      out += in_class ? kBothSeparatorsInClass : kAnySeparator;
      continue;
    }
    out += c;
    if (in_class && c == ']') {
      in_class = false;
    } else if (!in_class && c == '[') {
      in_class = true;
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
    }
  }
  return out;
}

std::string RequiredLiteral(std::string_view p) {
  std::string best;
  std::string current;
  bool last_is_literal = false;
  auto flush = [&] {
    if (current.size() > best.size()) best = current;
    current.clear();
    last_is_literal = false;
  };
  std::size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    if (c == '\\') {
      if (i + 1 >= p.size()) return "";
      char next = p[i + 1];
      i += 2;
      if (IsAsciiPunct(next) && next != '\\' && next != '/') {
        current += LowerAscii(next);
        last_is_literal = true;
      } else {
        flush();  // a class such as \d, a separator, or an assertion such as \b
      }
    } else if (c == '[') {
      i = SkipClass(p, i);
      flush();
    } else if (c == '(') {
      i = SkipGroup(p, i);
      if (i == std::string_view::npos) return "";
      flush();
    } else if (c == ')' || c == '|') {
      return "";  // alternation at the top level: no literal is certain
    } else if (c == '*' || c == '+' || c == '?' || c == '{') {
      if (last_is_literal) current.pop_back();
      flush();
      if (c == '{') {
        BraceFactor(p, i);
      } else {
        ++i;
      }
    } else if (c == '.' || c == '^' || c == '$' || c == '/' ||
               static_cast<unsigned char>(c) >= 0x80) {
      flush();
      ++i;
    } else {
      current += LowerAscii(c);
      last_is_literal = true;
      ++i;
    }
  }
  flush();
  return best;
}

RegexShape MeasureRegex(std::string_view p) {
  struct Frame {
    std::uint64_t alternatives = 0;  // states of the finished alternatives
    std::uint64_t total = 0;         // states of the current alternative
    std::uint64_t last = 0;          // states of its last atom, for a following quantifier
  };
  std::vector<Frame> frames(1);
  RegexShape shape;
  auto add_atom = [&](std::uint64_t states) {
    frames.back().total = SaturatingAdd(frames.back().total, states);
    frames.back().last = states;
  };
  std::size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    if (c == '\\') {
      i += 2;
      add_atom(1);
    } else if (c == '[') {
      i = SkipClass(p, i);
      add_atom(1);
    } else if (c == '(') {
      frames.emplace_back();
      shape.depth = std::max(shape.depth, frames.size() - 1);
      ++i;
      if (i < p.size() && p[i] == '?') i += 2;  // (?: (?= (?!
    } else if (c == ')') {
      ++i;
      if (frames.size() > 1) {
        Frame inner = frames.back();
        frames.pop_back();
        add_atom(SaturatingAdd(SaturatingAdd(inner.alternatives, inner.total), 2));
      }
    } else if (c == '|') {
      ++i;
      Frame& f = frames.back();
      f.alternatives = SaturatingAdd(SaturatingAdd(f.alternatives, f.total), 1);
      f.total = 0;
      f.last = 0;
    } else if (c == '{') {
      Frame& f = frames.back();
      std::uint64_t factor = BraceFactor(p, i);
      std::uint64_t expanded = SaturatingMul(f.last, factor);
      f.total = SaturatingAdd(f.total - f.last, expanded);
      f.last = 0;
    } else if (c == '*' || c == '+' || c == '?') {
      ++i;
      frames.back().total = SaturatingAdd(frames.back().total, 1);
      frames.back().last = 0;
    } else {
      ++i;
      add_atom(1);
    }
  }
  for (const Frame& f : frames) {
    shape.states = SaturatingAdd(shape.states, SaturatingAdd(f.alternatives, f.total));
  }
  return shape;
}

Result<PathRegex> PathRegex::Compile(std::string_view pattern) {
  if (pattern.size() > kMaxRegexLength) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "regex longer than " + std::to_string(kMaxRegexLength) + " bytes");
  }
  std::string_view body = StripInlineCaseFlag(pattern);
  if (body.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty regex");
  RegexShape shape = MeasureRegex(body);
  if (shape.depth > kMaxRegexNesting) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "regex nests groups more than " + std::to_string(kMaxRegexNesting) + " deep");
  }
  if (shape.states > kMaxRegexStates) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "regex too complex: its repetitions expand to more than " +
                         std::to_string(kMaxRegexStates) + " states");
  }
  PathRegex out;
  out.pattern_ = std::string(pattern);
  out.literal_ = RequiredLiteral(body);
  auto flags = std::regex::ECMAScript | std::regex::icase | std::regex::optimize;
#if defined(__GLIBCXX__)
  flags |= std::regex_constants::__polynomial;
#endif
  try {
    out.regex_.imbue(std::locale::classic());
    out.regex_.assign(NormalizeSeparators(body), flags);
  } catch (const std::regex_error& e) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("bad regex: ") + e.what());
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal, std::string("regex compilation failed: ") + e.what());
  }
  return out;
}

bool PathRegex::Matches(std::string_view path, std::string_view lowered_path) const noexcept {
  if (!literal_.empty() && lowered_path.find(literal_) == std::string_view::npos) return false;
  try {
    return std::regex_search(path.data(), path.data() + path.size(), regex_);
  } catch (const std::exception&) {
    return false;  // resource limits inside the regex engine: treat as no match
  }
}

}  // namespace beffroi::ioc
