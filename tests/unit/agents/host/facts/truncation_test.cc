// Truncation sweep: every prefix of every fixture is fed to every parser. Nothing may crash,
// and a prefix can never yield more entries than the whole text (a cut cannot invent lines).
#include <gtest/gtest.h>

#include <bit>
#include <string>

#include "agents/host/facts/parsers.h"
#include "fixtures.h"

namespace beffroi::host::facts {
namespace {

// Runs every parser over `text`; returns a rough size of what was parsed.
std::size_t ParseWithEverything(std::string_view text) {
  std::size_t n = 0;
  n += ParsePasswd(text).entries.size();
  n += ParseGroup(text).entries.size();
  n += ParseOsRelease(text).values.size();
  n += ParseProcStat(text).has_value();
  n += ParseProcStatus(text).real_uid.has_value();
  n += ParseProcStatBootTime(text).has_value();
  n += ParseProcUptime(text).has_value();
  n += SplitCmdline(text).size();
  n += ParseSocketLink(text).has_value();
  n += ParseProcNet(text, std::endian::little).sockets.size();
  n += ParseProcNet(text, std::endian::big).sockets.size();
  n += ParseProcNetLine(text).has_value();
  n += ParseCrontab(text, true).entries.size();
  n += ParseCrontab(text, false).entries.size();
  SystemdUnit unit = ParseSystemdUnit(text);
  n += unit.exec.size() + unit.schedule.size();
  if (const std::string* start = unit.FirstExecStart()) n += StripExecPrefixes(*start).size() > 0;
  n += ParseShellCommands(text).size();
  return n;
}

TEST(HostFactsTruncation, EveryPrefixOfEveryFixture) {
  for (std::string_view fixture : testing::kAllFixtures) {
    for (std::size_t len = 0; len <= fixture.size(); ++len) {
      // A copy, so reading past the prefix would be a heap overflow under ASan.
      std::string prefix(fixture.substr(0, len));
      ParseWithEverything(prefix);
    }
  }
}

TEST(HostFactsTruncation, LineBasedParsersNeverGainEntriesFromACut) {
  struct Case {
    std::string_view text;
    std::size_t (*count)(std::string_view);
  };
  const Case cases[] = {
      {testing::kPasswd, [](std::string_view t) { return ParsePasswd(t).entries.size(); }},
      {testing::kGroup, [](std::string_view t) { return ParseGroup(t).entries.size(); }},
      {testing::kProcNetTcp6,
       [](std::string_view t) { return ParseProcNet(t, std::endian::little).sockets.size(); }},
      {testing::kSystemCrontab,
       [](std::string_view t) { return ParseCrontab(t, true).entries.size(); }},
      {testing::kServiceUnit, [](std::string_view t) { return ParseSystemdUnit(t).exec.size(); }},
  };
  for (const Case& c : cases) {
    std::size_t whole = c.count(c.text);
    for (std::size_t len = 0; len <= c.text.size(); ++len) {
      std::string prefix(c.text.substr(0, len));
      EXPECT_LE(c.count(prefix), whole) << "prefix length " << len;
    }
  }
}

TEST(HostFactsTruncation, HostileBytes) {
  std::string nuls(4096, '\0');
  std::string parens(4096, ')');
  std::string colons(4096, ':');
  std::string backslashes(4096, '\\');
  std::string newlines(4096, '\n');
  std::string high(4096, '\xff');
  for (const std::string& s : {nuls, parens, colons, backslashes, newlines, high}) {
    ParseWithEverything(s);
  }
}

}  // namespace
}  // namespace beffroi::host::facts
