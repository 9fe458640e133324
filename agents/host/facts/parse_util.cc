#include "agents/host/facts/parse_util.h"

namespace beffroi::host::facts {

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsSpace(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back()))
    s.remove_suffix(1);
  return s;
}

std::string_view NextToken(std::string_view& rest) {
  std::size_t start = 0;
  while (start < rest.size() && IsBlank(rest[start]))
    ++start;
  std::size_t end = start;
  while (end < rest.size() && !IsBlank(rest[end]))
    ++end;
  std::string_view token = rest.substr(start, end - start);
  rest.remove_prefix(end);
  return token;
}

std::vector<std::string_view> SplitBlanks(std::string_view s, std::size_t max_tokens) {
  std::vector<std::string_view> tokens;
  while (tokens.size() < max_tokens) {
    std::string_view token = NextToken(s);
    if (token.empty()) break;
    tokens.push_back(token);
  }
  return tokens;
}

std::vector<std::string_view> SplitOn(std::string_view s, char sep) {
  std::vector<std::string_view> fields;
  for (;;) {
    std::size_t pos = s.find(sep);
    fields.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) return fields;
    s.remove_prefix(pos + 1);
  }
}

bool LineReader::Next(std::string_view& line) {
  if (done_ || rest_.empty()) return false;
  std::size_t nl = rest_.find('\n');
  ++line_number_;
  if (nl == std::string_view::npos) {
    line = rest_;
    done_ = true;
    return true;
  }
  line = rest_.substr(0, nl);
  rest_.remove_prefix(nl + 1);
  return true;
}

}  // namespace beffroi::host::facts
