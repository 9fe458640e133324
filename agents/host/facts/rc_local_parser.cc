// ParseShellCommands: the command lines of a boot script such as /etc/rc.local.
#include <string>
#include <string_view>
#include <vector>

#include "agents/host/facts/parse_util.h"
#include "agents/host/facts/parsers.h"

namespace beffroi::host::facts {

std::vector<std::string> ParseShellCommands(std::string_view text) {
  std::vector<std::string> commands;
  LineReader lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    line = TrimSpace(line);
    if (!line.empty() && line.front() != '#') commands.emplace_back(line);
  }
  return commands;
}

}  // namespace beffroi::host::facts
