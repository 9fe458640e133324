// ParsePasswd and ParseGroup (passwd(5), group(5)).
#include <cstdint>
#include <string_view>

#include "agents/host/facts/parse_util.h"
#include "agents/host/facts/parsers.h"

namespace beffroi::host::facts {

namespace {

constexpr std::size_t kPasswdFields = 7;
constexpr std::size_t kGroupFields = 4;

// NIS compat entries ("+user", "-@netgroup", "+") name no local account.
bool IsValidAccountName(std::string_view name) {
  return !name.empty() && name.front() != '+' && name.front() != '-';
}

bool IsNumericId(std::string_view id) {
  return ParseUnsigned<std::uint32_t>(id).has_value();
}

// Returns false for blank lines and comments, which are neither entries nor unparsed.
bool IsContentLine(std::string_view line) {
  std::string_view trimmed = TrimSpace(line);
  return !trimmed.empty() && trimmed.front() != '#';
}

}  // namespace

PasswdFile ParsePasswd(std::string_view text) {
  PasswdFile out;
  LineReader lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    if (!IsContentLine(line)) continue;
    std::vector<std::string_view> f = SplitOn(TrimSpace(line), ':');
    if (f.size() != kPasswdFields || !IsValidAccountName(f[0]) || !IsNumericId(f[2]) ||
        !IsNumericId(f[3])) {
      ++out.unparsed;
      continue;
    }
    PasswdEntry e;
    e.name = std::string(f[0]);
    e.uid = std::string(f[2]);
    e.gid = std::string(f[3]);
    e.full_name = std::string(f[4].substr(0, f[4].find(',')));
    e.home = std::string(f[5]);
    e.shell = std::string(f[6]);
    e.line = lines.line_number();
    out.entries.push_back(std::move(e));
  }
  return out;
}

GroupFile ParseGroup(std::string_view text) {
  GroupFile out;
  LineReader lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    if (!IsContentLine(line)) continue;
    std::vector<std::string_view> f = SplitOn(TrimSpace(line), ':');
    if (f.size() != kGroupFields || !IsValidAccountName(f[0]) || !IsNumericId(f[2])) {
      ++out.unparsed;
      continue;
    }
    GroupEntry e;
    e.name = std::string(f[0]);
    e.gid = std::string(f[2]);
    for (std::string_view member : SplitOn(f[3], ',')) {
      member = TrimSpace(member);
      if (!member.empty()) e.members.emplace_back(member);
    }
    out.entries.push_back(std::move(e));
  }
  return out;
}

}  // namespace beffroi::host::facts
