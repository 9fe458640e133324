// libFuzzer target for the host-facts parsers (agents/host/facts/parsers.h): the input is fed
// to every parser, since each of them reads arbitrary text from an attacker-writable file.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agents/host/facts/parsers.h"

namespace bf = beffroi::host::facts;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Copied so that a read past the end is a heap overflow the sanitizers see.
  std::string copy(reinterpret_cast<const char*>(data), size);
  std::string_view text = copy;
  (void)bf::ParsePasswd(text);
  (void)bf::ParseGroup(text);
  (void)bf::ParseOsRelease(text);
  (void)bf::ParseProcStat(text);
  (void)bf::ParseProcStatus(text);
  (void)bf::ParseProcStatBootTime(text);
  (void)bf::ParseProcUptime(text);
  (void)bf::SplitCmdline(text);
  (void)bf::ParseSocketLink(text);
  (void)bf::ParseProcNetLine(text);
  (void)bf::ParseProcNet(text, std::endian::little);
  (void)bf::ParseProcNet(text, std::endian::big);
  (void)bf::ParseCrontab(text, /*system_format=*/true);
  (void)bf::ParseCrontab(text, /*system_format=*/false);
  bf::SystemdUnit unit = bf::ParseSystemdUnit(text);
  for (const bf::SystemdExec& e : unit.exec)
    (void)bf::StripExecPrefixes(e.command);
  (void)bf::ParseShellCommands(text);
  return 0;
}
