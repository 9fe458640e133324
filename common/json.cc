#include "common/json.h"

#include <algorithm>
#include <charconv>

namespace beffroi {

namespace {

// Offset of the first bracket that goes deeper than `max_depth`, or npos. Brackets inside
// strings do not count; escapes inside strings are skipped.
std::size_t FirstTooDeep(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace

Result<nlohmann::json> ParseJson(std::string_view text, const std::string& source,
                                 std::size_t max_depth) {
  std::string prefix = source.empty() ? "" : source + ": ";
  if (std::size_t at = FirstTooDeep(text, max_depth); at != std::string_view::npos) {
    return MakeError(ErrorCode::kCorrupt, prefix + "byte " + std::to_string(at + 1) +
                                              ": nested deeper than " + std::to_string(max_depth) +
                                              " levels");
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() repeats the byte; keep nlohmann's own description after it.
    std::string what = e.what();
    std::size_t colon = what.find(": ", what.find("parse error"));
    std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
    return MakeError(ErrorCode::kCorrupt,
                     prefix + "byte " + std::to_string(e.byte) + ": not valid JSON: " + detail);
  } catch (const nlohmann::json::exception& e) {
    return MakeError(ErrorCode::kCorrupt, prefix + "not valid JSON: " + e.what());
  }
}

std::size_t LineOfByte(std::string_view text, std::size_t offset) {
  std::size_t end = std::min(offset > 0 ? offset - 1 : 0, text.size());
  return 1 + static_cast<std::size_t>(
                 std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
}

JsonErrorLine LocateJsonError(std::string_view text, const std::string& m) {
  JsonErrorLine out{1, m};
  if (m.rfind("byte ", 0) != 0) return out;
  std::size_t byte = 0;
  const char* end = m.data() + m.size();
  auto [ptr, ec] = std::from_chars(m.data() + 5, end, byte);
  if (ec != std::errc() || end - ptr < 2 || ptr[0] != ':') return out;
  out.message = std::string(ptr + 2, end);
  if (byte > 0) out.line = LineOfByte(text, byte);
  return out;
}

}  // namespace beffroi
