// The identifier and timestamp shapes of the CACAO 2.0 schemas (data-types/identifier.json,
// data-types/timestamp.json), written out rather than matched with regular expressions.
#include <algorithm>
#include <cctype>

#include "analyzer/playbook/lint.h"

namespace beffroi::playbook {

namespace {

bool IsHex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

bool IsIdentifier(std::string_view id, std::string_view type) {
  std::size_t sep = id.find("--");
  if (sep == std::string_view::npos || sep < 3) return false;
  std::string_view prefix = id.substr(0, sep);
  if (!type.empty() && prefix != type) return false;
  for (char c : prefix) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  if (prefix.front() < 'a' || prefix.front() > 'z' || prefix.back() == '-') return false;
  std::string_view uuid = id.substr(sep + 2);
  if (uuid.size() != 36) return false;
  for (std::size_t i = 0; i < uuid.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? uuid[i] != '-' : !IsHex(uuid[i])) return false;
  }
  char version = uuid[14],
       variant = static_cast<char>(std::tolower(static_cast<unsigned char>(uuid[19])));
  return version >= '1' && version <= '5' &&
         (variant == '8' || variant == '9' || variant == 'a' || variant == 'b');
}

bool IsTimestamp(std::string_view t) {
  auto digits = [&](std::size_t at, std::size_t n) {
    if (at + n > t.size()) return false;
    for (std::size_t i = at; i < at + n; ++i)
      if (t[i] < '0' || t[i] > '9') return false;
    return true;
  };
  auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i)
      v = v * 10 + (t[i] - '0');
    return v;
  };
  if (t.size() < 20 || !digits(0, 4) || t[4] != '-' || !digits(5, 2) || t[7] != '-' ||
      !digits(8, 2) || t[10] != 'T' || !digits(11, 2) || t[13] != ':' || !digits(14, 2) ||
      t[16] != ':' || !digits(17, 2) || t.back() != 'Z')
    return false;
  int month = num(5, 2), day = num(8, 2), hour = num(11, 2), minute = num(14, 2),
      second = num(17, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return false;
  std::string_view rest = t.substr(19, t.size() - 20);
  if (rest.empty()) return true;
  if (rest[0] != '.' || rest.size() < 2) return false;
  return std::all_of(rest.begin() + 1, rest.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace beffroi::playbook
