#include "analyzer/yara/rule_info.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace beffroi::yara {

int ClampScore(std::int64_t score) {
  return static_cast<int>(std::clamp<std::int64_t>(score, 0, 100));
}

std::optional<std::int64_t> ParseScoreText(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    return text.front() == '-' ? std::numeric_limits<std::int64_t>::min()
                               : std::numeric_limits<std::int64_t>::max();
  }
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string> SplitAttackIds(std::string_view text) {
  std::vector<std::string> ids;
  auto is_separator = [](char c) {
    return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
  };
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_separator(text[i]))
      ++i;
    std::size_t start = i;
    while (i < text.size() && !is_separator(text[i]))
      ++i;
    if (i == start) continue;
    std::string id(text.substr(start, i - start));
    for (char& c : id) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(std::move(id));
  }
  return ids;
}

bool IsIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  auto number = [&](std::size_t pos, std::size_t len, int* out) {
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, *out);
    return ec == std::errc() && end == text.data() + pos + len;
  };
  int year = 0, month = 0, day = 0;
  if (!number(0, 4, &year) || !number(5, 2, &month) || !number(8, 2, &day)) return false;
  return year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

}  // namespace beffroi::yara
