// ParseSystemdUnit: the parts of a systemd unit file (systemd.syntax(7)) that say what runs,
// as whom and when: Exec*= and User= of [Service], On*= of [Timer].
#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "agents/host/facts/limits.h"
#include "agents/host/facts/parse_util.h"
#include "agents/host/facts/parsers.h"

namespace beffroi::host::facts {

namespace {

constexpr std::array<std::string_view, 7> kExecKeys = {
    "ExecStart",  "ExecStartPre", "ExecStartPost", "ExecCondition",
    "ExecReload", "ExecStop",     "ExecStopPost"};
constexpr std::array<std::string_view, 6> kTimerKeys = {"OnCalendar",      "OnActiveSec",
                                                        "OnBootSec",       "OnStartupSec",
                                                        "OnUnitActiveSec", "OnUnitInactiveSec"};

bool IsOneOf(std::string_view key, const auto& keys) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

bool IsComment(std::string_view line) {
  return !line.empty() && (line.front() == '#' || line.front() == ';');
}

void ApplyService(std::string_view key, std::string_view value, SystemdUnit& unit) {
  if (IsOneOf(key, kExecKeys)) {
    // An empty assignment clears the list built so far (how drop-ins replace ExecStart).
    if (value.empty()) {
      std::erase_if(unit.exec, [&](const SystemdExec& e) { return e.key == key; });
    } else {
      unit.exec.push_back(SystemdExec{std::string(key), std::string(value)});
    }
  } else if (key == "User") {
    unit.user = std::string(value);
  }
}

void ApplyTimer(std::string_view key, std::string_view value, SystemdUnit& unit) {
  if (!IsOneOf(key, kTimerKeys)) return;
  std::string prefix = std::string(key) + "=";
  if (value.empty()) {
    std::erase_if(unit.schedule, [&](const std::string& s) { return s.starts_with(prefix); });
  } else {
    unit.schedule.push_back(prefix + std::string(value));
  }
}

// One logical line (continuations already joined): a [Section] header or a Key=value.
void ApplyLine(std::string_view line, std::string& section, SystemdUnit& unit) {
  if (line.front() == '[') {
    if (line.size() < 2 || line.back() != ']') {
      ++unit.unparsed;
      return;
    }
    section = std::string(line.substr(1, line.size() - 2));
    return;
  }
  std::size_t eq = line.find('=');
  std::string_view key = TrimSpace(line.substr(0, eq));
  if (eq == std::string_view::npos || key.empty() || section.empty()) {
    ++unit.unparsed;  // not an assignment, or one outside any section (systemd ignores it)
    return;
  }
  std::string_view value = TrimSpace(line.substr(eq + 1));
  if (section == "Service") ApplyService(key, value, unit);
  if (section == "Timer") ApplyTimer(key, value, unit);
}

}  // namespace

const std::string* SystemdUnit::FirstExecStart() const {
  for (const SystemdExec& e : exec) {
    if (e.key == "ExecStart") return &e.command;
  }
  return nullptr;
}

SystemdUnit ParseSystemdUnit(std::string_view text) {
  SystemdUnit unit;
  std::string section;
  std::string logical;
  std::size_t continued = 0;  // lines joined into `logical` so far
  LineReader lines(text);
  std::string_view raw;
  while (lines.Next(raw)) {
    std::string_view line = TrimSpace(raw);
    bool continuing = continued > 0;
    // Comment lines inside a continuation are dropped, as systemd does.
    if (IsComment(line) || (!continuing && line.empty())) continue;
    bool more = line.ends_with('\\');
    if (more) line.remove_suffix(1);
    // Past the limit the rest of the logical line is consumed but not kept; it is then dropped.
    if (continued <= kMaxContinuationLines) logical.append(line);
    if (more) {
      // systemd replaces the backslash-newline with one space.
      if (continued <= kMaxContinuationLines) logical.push_back(' ');
      ++continued;
      continue;
    }
    if (continued > kMaxContinuationLines) {
      ++unit.unparsed;
    } else if (std::string_view l = TrimSpace(logical); !l.empty()) {
      ApplyLine(l, section, unit);
    }
    logical.clear();
    continued = 0;
  }
  // A backslash on the last line of the file: what was gathered is still a line.
  if (continued > kMaxContinuationLines) {
    ++unit.unparsed;
  } else if (std::string_view l = TrimSpace(logical); !l.empty()) {
    ApplyLine(l, section, unit);
  }
  return unit;
}

std::string_view StripExecPrefixes(std::string_view command) {
  while (!command.empty() &&
         std::string_view("-@:+!").find(command.front()) != std::string_view::npos) {
    command.remove_prefix(1);
  }
  return TrimSpace(command);
}

}  // namespace beffroi::host::facts
