// Known-answer tests for ParsePasswd, ParseGroup and ParseOsRelease.
#include <gtest/gtest.h>

#include "agents/host/facts/parsers.h"
#include "fixtures.h"

namespace beffroi::host::facts {
namespace {

TEST(ParsePasswd, ReadsEveryValidAccount) {
  PasswdFile f = ParsePasswd(testing::kPasswd);
  ASSERT_EQ(f.entries.size(), 5u);
  EXPECT_EQ(f.unparsed, 3u);  // "+nisuser", uid "abc", "short"

  const PasswdEntry& root = f.entries[0];
  EXPECT_EQ(root.name, "root");
  EXPECT_EQ(root.uid, "0");
  EXPECT_EQ(root.gid, "0");
  EXPECT_EQ(root.home, "/root");
  EXPECT_EQ(root.shell, "/bin/bash");
  EXPECT_EQ(root.line, 2u);  // after the comment line

  const PasswdEntry& alice = f.entries[2];
  EXPECT_EQ(alice.name, "alice");
  EXPECT_EQ(alice.uid, "1000");
  EXPECT_EQ(alice.full_name, "Alice Martin");  // GECOS up to the first comma

  const PasswdEntry& svc = f.entries[4];
  EXPECT_EQ(svc.name, "svc");
  EXPECT_EQ(svc.shell, "");  // empty shell: login(1) uses /bin/sh
  EXPECT_EQ(svc.line, 10u);
}

TEST(ParsePasswd, RejectsOverflowingUid) {
  PasswdFile f = ParsePasswd("x:x:99999999999:0::/:/bin/sh\n");
  EXPECT_TRUE(f.entries.empty());
  EXPECT_EQ(f.unparsed, 1u);
}

TEST(ParsePasswd, EmptyTextHasNoEntries) {
  PasswdFile f = ParsePasswd("");
  EXPECT_TRUE(f.entries.empty());
  EXPECT_EQ(f.unparsed, 0u);
}

TEST(ParseGroup, ReadsMembersAndSkipsBadGid) {
  GroupFile f = ParseGroup(testing::kGroup);
  ASSERT_EQ(f.entries.size(), 6u);
  EXPECT_EQ(f.unparsed, 1u);
  EXPECT_EQ(f.entries[1].name, "adm");
  EXPECT_EQ(f.entries[1].gid, "4");
  EXPECT_EQ(f.entries[1].members, (std::vector<std::string>{"syslog", "alice"}));
  EXPECT_EQ(f.entries[2].members, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_TRUE(f.entries[0].members.empty());
}

TEST(ParseOsRelease, UnquotesValues) {
  OsRelease os = ParseOsRelease(testing::kOsRelease);
  EXPECT_EQ(os.Get("NAME"), "Ubuntu");
  EXPECT_EQ(os.Get("PRETTY_NAME"), "Ubuntu 22.04.4 LTS");
  EXPECT_EQ(os.Get("VERSION_ID"), "22.04");
  EXPECT_EQ(os.Get("ID"), "ubuntu");
  EXPECT_EQ(os.Get("ID_LIKE"), "debian");
  EXPECT_EQ(os.Get("QUOTED"), "say \"hi\" $HOME");
  EXPECT_EQ(os.Get("SINGLE"), "single \\ kept");  // no escapes inside single quotes
  EXPECT_EQ(os.Get("MISSING"), "");
  EXPECT_EQ(os.unparsed, 2u);  // the unterminated quote and the line without '='
}

}  // namespace
}  // namespace beffroi::host::facts
