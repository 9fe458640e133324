// Escaping for the report formats, and name-based UUIDs.
#include <array>
#include <cstdint>
#include <string>

#include "analyzer/report/report.h"
#include "common/hash.h"
#include "common/text.h"

namespace beffroi::report {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsControl(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the bytes of hex text (dashes skipped); stops at the first non-hex character.
void AppendHexBytes(std::string_view hex, std::string& out) {
  int high = -1;
  for (char c : hex) {
    if (c == '-') continue;
    int v = HexValue(c);
    if (v < 0) return;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<char>((high << 4) | v));
      high = -1;
    }
  }
}

}  // namespace

// Repairs UTF-8, lets `special` write the characters it cares about (returning true), and
// replaces the remaining control characters with U+FFFD.
template <typename Special>
std::string EscapeWith(std::string_view raw, Special special) {
  std::string s = ToValidUtf8(raw), out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    if (special(c, out)) continue;
    if (IsControl(c)) {
      out += kReplacement;
    } else {
      out += c;
    }
  }
  return out;
}

std::string HtmlEscape(std::string_view raw) {
  return EscapeWith(raw, [](char c, std::string& out) {
    switch (c) {
      case '&':
        out += "&amp;";
        return true;
      case '<':
        out += "&lt;";
        return true;
      case '>':
        out += "&gt;";
        return true;
      case '"':
        out += "&quot;";
        return true;
      case '\'':
        out += "&#39;";
        return true;
      case '\n':
      case '\t':
        out += c;
        return true;
      default:
        return false;
    }
  });
}

std::string MarkdownEscape(std::string_view raw) {
  // Everything that can start markup inline or inside a table cell. A backslash before ASCII
  // punctuation is always a literal in CommonMark, so nothing shows twice.
  constexpr std::string_view kMarkup = "\\`*_[]<>|~#&!";
  return EscapeWith(raw, [&](char c, std::string& out) {
    if (kMarkup.find(c) != std::string_view::npos) {
      out += '\\';
      out += c;
      return true;
    }
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
      return true;
    }
    return false;
  });
}

std::string CsvField(std::string_view raw) {
  std::string s = ToValidUtf8(raw);
  // A cell that starts like a formula is run by spreadsheets (CSV injection): an attacker
  // names a file "=HYPERLINK(...)" and the city's IT manager opens the export in a spreadsheet.
  bool formula = !s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                                s[0] == '\t' || s[0] == '\r');
  std::string out = "\"";
  if (formula) out += '\'';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string UuidV5(std::string_view namespace_uuid, std::string_view name) {
  std::string input;
  AppendHexBytes(namespace_uuid, input);
  input.append(name);
  MultiHasher sha1(kSha1);
  sha1.Update(input);
  std::string digest;
  AppendHexBytes(sha1.Finish().sha1, digest);
  digest.resize(16);
  digest[6] = static_cast<char>((static_cast<unsigned char>(digest[6]) & 0x0f) | 0x50);
  digest[8] = static_cast<char>((static_cast<unsigned char>(digest[8]) & 0x3f) | 0x80);
  std::string hex = HexEncode({reinterpret_cast<const std::uint8_t*>(digest.data()), 16});
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace beffroi::report
