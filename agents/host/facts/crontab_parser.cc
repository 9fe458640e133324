// ParseCrontab (crontab(5)): system crontabs (/etc/crontab, /etc/cron.d/*) carry a user field
// after the schedule; user crontabs (/var/spool/cron/crontabs/USER) do not.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "agents/host/facts/parse_util.h"
#include "agents/host/facts/parsers.h"

namespace beffroi::host::facts {

namespace {

constexpr std::size_t kTimeFields = 5;  // minute hour day-of-month month day-of-week

// Vixie cron's nicknames (cron/entry.c); "@annually" and "@midnight" are aliases.
constexpr std::array<std::string_view, 8> kScheduleKeywords = {
    "@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"};

// Digits, names ("jan", "mon"), lists, ranges and steps; "~" is cronie's random range and
// "?LW#" are extensions some crons accept. Anything else is not a schedule.
bool IsTimeField(std::string_view field) {
  if (field.empty()) return false;
  for (char c : field) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '*' || c == ',' || c == '-' || c == '/' || c == '~' || c == '?' || c == '#';
    if (!ok) return false;
  }
  return true;
}

// cron's load_env(): NAME (up to '=' or a blank), optional blanks, '='. A schedule line starts
// with a digit, '*' or '@', so it can never look like an assignment.
bool IsEnvAssignment(std::string_view line) {
  char first = line.front();
  if ((first >= '0' && first <= '9') || first == '*' || first == '@') return false;
  std::size_t i = 0;
  while (i < line.size() && line[i] != '=' && !IsBlank(line[i]))
    ++i;
  while (i < line.size() && IsBlank(line[i]))
    ++i;
  return i > 0 && i < line.size() && line[i] == '=';
}

// Consumes the schedule from the front of `rest`; nullopt when it is not one.
std::optional<std::string> TakeSchedule(std::string_view& rest) {
  if (TrimSpace(rest).starts_with('@')) {
    std::string_view keyword = NextToken(rest);
    for (std::string_view k : kScheduleKeywords) {
      if (keyword == k) return std::string(keyword);
    }
    return std::nullopt;
  }
  std::string schedule;
  for (std::size_t i = 0; i < kTimeFields; ++i) {
    std::string_view field = NextToken(rest);
    if (!IsTimeField(field)) return std::nullopt;
    if (i > 0) schedule.push_back(' ');
    schedule.append(field);
  }
  return schedule;
}

}  // namespace

Crontab ParseCrontab(std::string_view text, bool system_format) {
  Crontab out;
  LineReader lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    line = TrimSpace(line);
    if (line.empty() || line.front() == '#' || IsEnvAssignment(line)) continue;
    std::string_view rest = line;
    std::optional<std::string> schedule = TakeSchedule(rest);
    std::string_view user = (schedule && system_format) ? NextToken(rest) : std::string_view();
    std::string_view command = TrimSpace(rest);
    if (!schedule || (system_format && user.empty()) || command.empty()) {
      ++out.unparsed;
      continue;
    }
    out.entries.push_back(CronEntry{std::move(*schedule), std::string(user), std::string(command),
                                    lines.line_number()});
  }
  return out;
}

}  // namespace beffroi::host::facts
