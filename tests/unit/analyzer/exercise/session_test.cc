#include "analyzer/exercise/session.h"

#include <gtest/gtest.h>

#include "analyzer/exercise/loader.h"
#include "analyzer/exercise/report.h"
#include "tests/unit/analyzer/exercise/test_scenario.h"

namespace beffroi::exercise {
namespace {

constexpr std::int64_t kSec = 1'000'000'000;

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LoadResult r = LoadScenario(testing::SmallScenario(), "s.json");
    ASSERT_TRUE(r.scenario);
    s_ = *r.scenario;
  }
  // Applies a console line at wall time `now` (seconds) and keeps the events.
  void Do(const std::string& line, std::int64_t now) {
    auto c = ParseCommand(line);
    ASSERT_TRUE(c.ok()) << line << ": " << c.error().message;
    auto e = Apply(s_, State(), *c, now * kSec);
    ASSERT_TRUE(e.ok()) << line << ": " << e.error().message;
    events_.insert(events_.end(), e->begin(), e->end());
  }
  std::string Refused(const std::string& line, std::int64_t now) {
    auto c = ParseCommand(line);
    if (!c.ok()) return c.error().message;
    auto e = Apply(s_, State(), *c, now * kSec);
    return e.ok() ? "" : e.error().message;
  }
  SessionState State() const { return SessionState::Fold(events_); }

  Scenario s_;
  std::vector<SessionEvent> events_;
};

TEST_F(SessionTest, StartDeliversWhatIsDueAndNextJumps) {
  Do("start", 0);
  EXPECT_EQ(State().delivered_ids, (std::set<std::string>{"i1"}));
  Do("next", 10);
  SessionState st = State();
  EXPECT_EQ(st.delivered.size(), 2u);
  EXPECT_EQ(st.delivered[1].elapsed_ns, 30 * 60 * kSec);
  EXPECT_EQ(Elapsed(st.clock, 10 * kSec), 30 * 60 * kSec);
  // Contingency injects wait for the facilitator.
  Do("next", 20);
  EXPECT_EQ(State().delivered.back().inject, "i3");
  EXPECT_EQ(State().delivered_ids.count("c1"), 0u);
  Do("inject c1", 30);
  EXPECT_EQ(State().delivered.back().inject, "c1");
  EXPECT_NE(Refused("next", 40).find("every inject"), std::string::npos);
}

TEST_F(SessionTest, TheRunningClockDeliversWhatFallsDue) {
  EXPECT_TRUE(DeliverDue(s_, State(), 3600 * kSec).empty());  // not started: nothing
  Do("start", 0);
  Do("speed 60", 0);
  auto due = DeliverDue(s_, State(), 29 * kSec);  // T+0:29
  EXPECT_TRUE(due.empty());
  due = DeliverDue(s_, State(), 31 * kSec);  // T+0:31: i2, dated at its own 0:30
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].ref, "i2");
  EXPECT_EQ(due[0].elapsed_ns, 30 * 60 * kSec);
  events_.insert(events_.end(), due.begin(), due.end());
  Do("pause", 40);
  EXPECT_TRUE(DeliverDue(s_, State(), 100000 * kSec).empty());
}

TEST_F(SessionTest, DecisionsTicksAndRefusals) {
  Do("start", 0);
  Do("jump 0:40", 0);
  Do("decide dpo Notify the APD today", 0);
  SessionState st = State();
  ASSERT_EQ(st.decisions.size(), 1u);
  EXPECT_EQ(st.decisions[0].took_ns, 10 * 60 * kSec);  // since i2 at 0:30
  Do("tick isolate partly late by ten minutes", 0);
  Do("tick isolate met", 0);
  EXPECT_EQ(State().ticks.at("isolate").rating, Rating::kMet);
  EXPECT_NE(Refused("tick isolate maybe", 0).find("met, partly or missed"), std::string::npos);
  EXPECT_NE(Refused("tick nothing met", 0).find("no expected action"), std::string::npos);
  EXPECT_NE(Refused("decide mayor yes", 0).find("no team"), std::string::npos);
  EXPECT_NE(Refused("jump 0:10", 0).find("in the past"), std::string::npos);
  EXPECT_NE(Refused("plan notify dpo tomorrow", 0).find("YYYY-MM-DD"), std::string::npos);
  EXPECT_NE(Refused("fly", 0).find("unknown command"), std::string::npos);
  // A command built by hand with too few words is refused, not read past its end.
  auto bare = Apply(s_, State(), Command{"plan", {"notify"}}, 0);
  ASSERT_FALSE(bare.ok());
  EXPECT_NE(bare.error().message.find("missing arguments"), std::string::npos);
  Do("end", 0);
  EXPECT_TRUE(State().ended);
  EXPECT_NE(Refused("note late", 0).find("ended"), std::string::npos);
}

TEST_F(SessionTest, ResumeFreezesTheClockWhereItStopped) {
  Do("start", 0);
  Do("speed 60", 0);
  SessionState before = State();
  std::int64_t at_stop = Elapsed(before.clock, 60 * kSec);  // an hour of scenario
  Do("note stopped here", 60);
  // Interrupted for a day; the resumed session does not count it.
  events_.push_back(ResumeEvent(State(), 86400 * kSec));
  SessionState after = State();
  EXPECT_FALSE(after.clock.running);
  EXPECT_EQ(Elapsed(after.clock, 90000 * kSec), at_stop);
  EXPECT_EQ(after.notes.size(), 1u);
  EXPECT_EQ(after.delivered.size(), before.delivered.size());
}

TEST_F(SessionTest, ReportListsMilestonesAndThePlan) {
  Do("start", 0);
  Do("next", 0);
  Do("jump 0:40", 0);
  Do("tick isolate met", 0);
  Do("note <script>alert(1)</script>", 0);
  Do("end", 0);
  SessionState st = State();
  ReportInput in;
  in.scenario = &s_;
  in.state = &st;
  in.created_at = "2026-01-10T09:00:00Z";
  in.finished_at = "2026-01-10T11:30:00Z";
  in.steps.playbooks["ransomware"] = {{"isolate-network", ""}, {"notify-apd", "gdpr-art33"}};
  in.clocks = {{"gdpr-art33", "GDPR notification", "GDPR art. 33", 72}};
  auto milestones = Milestones(in);
  ASSERT_GE(milestones.size(), 3u);
  EXPECT_EQ(milestones[0].name, "isolation");
  EXPECT_EQ(milestones[0].done_ns, 40 * 60 * kSec);
  EXPECT_EQ(milestones.back().due_ns, (30 + 72 * 60) * 60 * kSec);  // from i2's evidence
  auto plan = ImprovementPlan(in);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].action_id, "notify");
  EXPECT_EQ(plan[0].owner, "IT manager");
  EXPECT_EQ(plan[0].due, "2026-02-09");
  std::string html = RenderHtml(in);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(RenderMarkdown(in).find("| notify |"), std::string::npos);
}

}  // namespace
}  // namespace beffroi::exercise
