// ParseOsRelease (os-release(5)): shell-compatible KEY=value assignments.
#include <optional>
#include <string>
#include <string_view>

#include "agents/host/facts/parse_util.h"
#include "agents/host/facts/parsers.h"

namespace beffroi::host::facts {

namespace {

bool IsKeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// Undoes the shell quoting os-release(5) allows: "double" (with \ escapes), 'single' and bare
// words (with \ escapes). nullopt for an unterminated quote or a dangling backslash.
std::optional<std::string> Unquote(std::string_view v) {
  std::string out;
  char quote = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (quote == '\'') {
      if (c == '\'') {
        quote = 0;
      } else {
        out.push_back(c);
      }
    } else if (c == '\\') {
      if (i + 1 >= v.size()) return std::nullopt;
      out.push_back(v[++i]);
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else {
        out.push_back(c);
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else {
      out.push_back(c);
    }
  }
  if (quote != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string OsRelease::Get(std::string_view key) const {
  auto it = values.find(key);
  return it == values.end() ? std::string() : it->second;
}

OsRelease ParseOsRelease(std::string_view text) {
  OsRelease out;
  LineReader lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    line = TrimSpace(line);
    if (line.empty() || line.front() == '#') continue;
    std::size_t eq = line.find('=');
    std::string_view key = line.substr(0, eq);
    bool key_ok = eq != std::string_view::npos && !key.empty();
    for (char c : key)
      key_ok = key_ok && IsKeyChar(c);
    std::optional<std::string> value;
    if (key_ok) value = Unquote(line.substr(eq + 1));
    if (!value) {
      ++out.unparsed;
      continue;
    }
    out.values.insert_or_assign(std::string(key), std::move(*value));
  }
  return out;
}

}  // namespace beffroi::host::facts
