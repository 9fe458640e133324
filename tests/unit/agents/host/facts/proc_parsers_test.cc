// Known-answer tests for the procfs parsers.
#include <gtest/gtest.h>

#include <string>

#include "agents/host/facts/parsers.h"
#include "fixtures.h"

namespace beffroi::host::facts {
namespace {

using namespace std::string_literals;

TEST(ParseProcStat, CommEndsAtTheLastParenthesis) {
  auto st = ParseProcStat(testing::kProcStat);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->pid, 1234u);
  EXPECT_EQ(st->comm, "my (evil) prog");
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->ppid, 1u);
  EXPECT_EQ(st->start_ticks, 98765u);
}

TEST(ParseProcStat, CommMayBeEmptyOrHoldOnlyParentheses) {
  auto st = ParseProcStat("7 ()) R 2 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0 0");
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->comm, ")");
  EXPECT_EQ(st->ppid, 2u);
  EXPECT_EQ(st->start_ticks, 42u);
}

TEST(ParseProcStat, RejectsMalformedLines) {
  EXPECT_FALSE(ParseProcStat(""));
  EXPECT_FALSE(ParseProcStat("1234 (sshd S 1"));       // no closing ')'
  EXPECT_FALSE(ParseProcStat("1234 (sshd) S 1 2 3"));  // too few fields
  EXPECT_FALSE(ParseProcStat("x (sshd) S 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"));  // pid
  EXPECT_FALSE(ParseProcStat(") 1234 ( S 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 5"));  // ')' first
  EXPECT_FALSE(ParseProcStat("1 (a) SS 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 5"));    // state
}

TEST(ParseProcStatus, ReadsRealAndEffectiveUid) {
  ProcStatus s = ParseProcStatus(testing::kProcStatus);
  EXPECT_EQ(s.real_uid, 1000u);
  EXPECT_EQ(s.effective_uid, 0u);  // a setuid-root program run by uid 1000
  EXPECT_FALSE(ParseProcStatus("Name:\tx\n").real_uid.has_value());
}

TEST(ParseProcStatBootTime, FindsBtime) {
  EXPECT_EQ(ParseProcStatBootTime(testing::kProcStatFile), 1700000000u);
  EXPECT_FALSE(ParseProcStatBootTime("cpu 1 2 3\n"));
  EXPECT_FALSE(ParseProcStatBootTime("btime -5\n"));
}

TEST(ParseProcUptime, TakesWholeSeconds) {
  EXPECT_EQ(ParseProcUptime(testing::kProcUptime), 3600u);
  EXPECT_EQ(ParseProcUptime("42\n"), 42u);
  EXPECT_FALSE(ParseProcUptime("12.x 3"));
  EXPECT_FALSE(ParseProcUptime(""));
}

TEST(SplitCmdline, SplitsOnNul) {
  EXPECT_EQ(SplitCmdline("/usr/sbin/sshd\0-D\0"s),
            (std::vector<std::string>{"/usr/sbin/sshd", "-D"}));
  EXPECT_EQ(SplitCmdline("a\0\0b\0"s), (std::vector<std::string>{"a", "", "b"}));
  // A process may overwrite its argument area with one space-separated string.
  EXPECT_EQ(SplitCmdline("nginx: worker process"),
            (std::vector<std::string>{"nginx: worker process"}));
  EXPECT_TRUE(SplitCmdline("").empty());
}

TEST(ProcessStartUnixNs, AddsTicksToBootTime) {
  // Booted 2023-11-14T22:13:20Z, started 90.5 s later at USER_HZ 100.
  EXPECT_EQ(ProcessStartUnixNs(1700000000, 9050, 100), 1700000090'500'000'000);
  EXPECT_FALSE(ProcessStartUnixNs(1700000000, 9050, 0));
  EXPECT_FALSE(ProcessStartUnixNs(~0ull, 0, 100));
  EXPECT_FALSE(ProcessStartUnixNs(1700000000, ~0ull, 1));
  EXPECT_FALSE(ProcessStartUnixNs(1700000000, ~0ull, 1'000'000));  // past 2106
}

TEST(ParseSocketLink, ReadsInode) {
  EXPECT_EQ(ParseSocketLink("socket:[20002]"), 20002u);
  EXPECT_FALSE(ParseSocketLink("pipe:[20002]"));
  EXPECT_FALSE(ParseSocketLink("socket:[]"));
  EXPECT_FALSE(ParseSocketLink("socket:[12"));
  EXPECT_FALSE(ParseSocketLink("/dev/null"));
}

}  // namespace
}  // namespace beffroi::host::facts
