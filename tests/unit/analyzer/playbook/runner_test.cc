#include "analyzer/playbook/runner.h"

#include <gtest/gtest.h>

#include "analyzer/playbook/loader.h"
#include "test_playbooks.h"

namespace beffroi::playbook {
namespace {

using testing::Id;

Playbook Load(const nlohmann::json& doc) {
  LoadResult r = LoadPlaybook(doc.dump(), "p.json");
  EXPECT_TRUE(r.playbook.has_value());
  return std::move(*r.playbook);
}

struct TestRun {
  const Playbook& p;
  std::vector<RunEvent> events;

  Result<RunEvent> Do(const std::string& step, EventKind kind, const std::string& value = "",
                      const std::string& actor = "alice") {
    auto e = Validate(p, RunState::Fold(events), {step, kind, value});
    if (e.ok()) {
      e->actor = actor;
      e->at = "2026-12-04T09:00:0" + std::to_string(events.size() % 10) + "Z";
      events.push_back(*e);
    }
    return e;
  }
  Position Where() const { return Walk(p, RunState::Fold(events)); }
};

std::vector<std::string> Refs(const Position& pos) {
  std::vector<std::string> out;
  for (const Step* s : pos.path)
    out.push_back(s->Handle());
  return out;
}

TEST(PlaybookRunner, StopsAtTheFirstUnansweredDecision) {
  Playbook p = Load(testing::BranchingPlaybook());
  TestRun run{p, {}};
  Position pos = run.Where();
  EXPECT_EQ(Refs(pos), (std::vector<std::string>{"a", "personal-data"}));
  ASSERT_NE(pos.current, nullptr);
  EXPECT_EQ(pos.current->ref, "a");
  EXPECT_FALSE(pos.finished);
}

TEST(PlaybookRunner, FollowsTheChosenBranchThenReturns) {
  Playbook p = Load(testing::BranchingPlaybook());
  TestRun run{p, {}};
  ASSERT_TRUE(run.Do("a", EventKind::kDone).ok());
  EXPECT_EQ(run.Where().current->ref, "personal-data");
  ASSERT_TRUE(run.Do("personal-data", EventKind::kChoice, "true").ok());
  Position pos = run.Where();
  EXPECT_EQ(Refs(pos), (std::vector<std::string>{"a", "personal-data", "notify", "b"}));
  EXPECT_EQ(pos.current->ref, "notify");
  // The other branch is not on the path: it cannot be marked.
  auto off = run.Do("record", EventKind::kDone);
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.error().message, "step record: not on the path this run has taken so far");
  // Steps later on the path may be marked out of order.
  ASSERT_TRUE(run.Do("b", EventKind::kDone).ok());
  EXPECT_EQ(run.Where().current->ref, "notify");
  ASSERT_TRUE(run.Do("notify", EventKind::kSkipped, "done by phone").ok());
  pos = run.Where();
  EXPECT_TRUE(pos.finished);
  EXPECT_EQ(pos.current, nullptr);
  EXPECT_EQ(pos.done, 4u);
}

TEST(PlaybookRunner, FalseBranchAndMissingFalseBranch) {
  nlohmann::json doc = testing::BranchingPlaybook();
  Playbook p = Load(doc);
  TestRun run{p, {}};
  ASSERT_TRUE(run.Do("personal-data", EventKind::kChoice, "false").ok());
  EXPECT_EQ(Refs(run.Where()), (std::vector<std::string>{"a", "personal-data", "record", "b"}));

  // Without on_false, "false" goes straight to on_completion.
  doc["workflow"][Id("if-condition", 3)].erase("on_false");
  doc["workflow"].erase(Id("action", 6));
  doc["workflow"].erase(Id("end", 7));
  Playbook q = Load(doc);
  TestRun r2{q, {}};
  ASSERT_TRUE(r2.Do("personal-data", EventKind::kChoice, "false").ok());
  EXPECT_EQ(Refs(r2.Where()), (std::vector<std::string>{"a", "personal-data", "b"}));
}

TEST(PlaybookRunner, RefusesWhatCannotBeRecorded) {
  Playbook p = Load(testing::BranchingPlaybook());
  TestRun run{p, {}};
  EXPECT_EQ(run.Do("nope", EventKind::kDone).error().message, "no step \"nope\" in test-branching");
  EXPECT_EQ(run.Do("a", EventKind::kSkipped).error().message, "step a: a skip needs a reason");
  EXPECT_EQ(run.Do("a", EventKind::kChoice, "true").error().message,
            "step a: not a decision; mark it done or skipped instead");
  EXPECT_EQ(run.Do("personal-data", EventKind::kDone).error().message,
            "step personal-data: a decision: answer it with a choice");
  EXPECT_EQ(run.Do("personal-data", EventKind::kChoice, "maybe").error().message,
            "step personal-data: answer one of: true, false");
  EXPECT_EQ(run.Do("a", EventKind::kNote, "").error().message, "step a: a note needs text");
  ASSERT_TRUE(run.Do("a", EventKind::kDone, "", "alice").ok());
  auto twice = run.Do("a", EventKind::kDone, "", "bob");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().message, "step a: already done by alice at 2026-12-04T09:00:00Z");
  ASSERT_TRUE(run.Do("personal-data", EventKind::kChoice, "true", "alice").ok());
  EXPECT_NE(run.Do("personal-data", EventKind::kChoice, "false", "bob")
                .error()
                .message.find("already answered \"true\" by alice"),
            std::string::npos);
  // Notes are always welcome, even on steps off the path.
  EXPECT_TRUE(run.Do("record", EventKind::kNote, "checked anyway").ok());
}

TEST(PlaybookRunner, FoldKeepsTheFirstWordAndEveryNote) {
  std::vector<RunEvent> events = {
      {"s", EventKind::kDone, "", "alice", "t1"},
      {"s", EventKind::kSkipped, "late", "bob", "t2"},
      {"s", EventKind::kNote, "one", "bob", "t3"},
      {"s", EventKind::kNote, "two", "carol", "t4"},
      {"d", EventKind::kChoice, "true", "alice", "t5"},
      {"d", EventKind::kChoice, "false", "bob", "t6"},
  };
  RunState st = RunState::Fold(events);
  const StepProgress* s = st.Get("s");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->status, StepProgress::Status::kDone);
  EXPECT_EQ(s->actor, "alice");
  ASSERT_EQ(s->notes.size(), 2u);
  EXPECT_EQ(s->notes[1].text, "two");
  EXPECT_EQ(st.Get("d")->choice, std::optional<std::string>("true"));
}

TEST(PlaybookRunner, ParallelBranchesAreWalkedInTurn) {
  nlohmann::json doc = testing::BranchingPlaybook();
  std::string par = Id("parallel", 20), x = Id("action", 21), xe = Id("end", 22),
              y = Id("action", 23), ye = Id("end", 24);
  doc["workflow"][Id("action", 2)]["on_completion"] = par;
  doc["workflow"][par] = {
      {"type", "parallel"}, {"next_steps", {x, y}}, {"on_completion", Id("if-condition", 3)}};
  doc["workflow"][x] = testing::Action("x", xe);
  doc["workflow"][xe] = testing::End();
  doc["workflow"][y] = testing::Action("y", ye);
  doc["workflow"][ye] = testing::End();
  Playbook p = Load(doc);
  TestRun run{p, {}};
  EXPECT_EQ(Refs(run.Where()), (std::vector<std::string>{"a", "x", "y", "personal-data"}));
  ASSERT_TRUE(run.Do("y", EventKind::kDone).ok());
  EXPECT_EQ(run.Where().current->ref, "a");
}

TEST(PlaybookRunner, SwitchTakesTheNamedCaseOrTheDefault) {
  nlohmann::json doc = testing::BranchingPlaybook();
  std::string sw = Id("switch-condition", 40), web = Id("action", 41), we = Id("end", 42),
              other = Id("action", 43), oe = Id("end", 44);
  doc["workflow"][Id("action", 2)]["on_completion"] = sw;
  doc["workflow"][sw] = {
      {"type", "switch-condition"},
      {"switch", "__access__:value"},
      {"cases", {{"web-shell", web}, {"default", other}}},
      {"on_completion", Id("if-condition", 3)},
      {"step_extensions",
       {{std::string(kExtensionId), {{"ref", "access"}, {"question", "How?"}}}}}};
  doc["workflow"][web] = testing::Action("web", we);
  doc["workflow"][we] = testing::End();
  doc["workflow"][other] = testing::Action("other", oe);
  doc["workflow"][oe] = testing::End();
  Playbook p = Load(doc);
  EXPECT_EQ(ChoicesOf(*p.Find("access")), (std::vector<std::string>{"default", "web-shell"}));
  TestRun run{p, {}};
  EXPECT_EQ(run.Do("access", EventKind::kChoice, "vpn").error().message,
            "step access: answer one of: default, web-shell");
  ASSERT_TRUE(run.Do("access", EventKind::kChoice, "web-shell").ok());
  EXPECT_EQ(Refs(run.Where()), (std::vector<std::string>{"a", "access", "web", "personal-data"}));
  TestRun other_run{p, {}};
  ASSERT_TRUE(other_run.Do("access", EventKind::kChoice, "default").ok());
  EXPECT_EQ(Refs(other_run.Where()),
            (std::vector<std::string>{"a", "access", "other", "personal-data"}));
}

TEST(PlaybookRunner, ARepeatedQuestionKeepsItsFirstAnswer) {
  nlohmann::json doc = testing::BranchingPlaybook();
  // b -> second decision on the same variable -> final (yes branch) -> end
  std::string again = Id("if-condition", 30), fin = Id("action", 31), fe = Id("end", 32);
  doc["workflow"][Id("action", 8)]["on_completion"] = again;
  doc["workflow"][again] = testing::Decision("again", "personal_data", fin, "", Id("end", 9));
  doc["workflow"][fin] = testing::Action("final", fe);
  doc["workflow"][fe] = testing::End();
  Playbook p = Load(doc);
  TestRun run{p, {}};
  ASSERT_TRUE(run.Do("personal-data", EventKind::kChoice, "true").ok());
  Position pos = run.Where();
  EXPECT_EQ(Refs(pos),
            (std::vector<std::string>{"a", "personal-data", "notify", "b", "again", "final"}));
  auto asked = run.Do("again", EventKind::kChoice, "false");
  ASSERT_FALSE(asked.ok());
  EXPECT_NE(asked.error().message.find("(through personal-data)"), std::string::npos);
}

}  // namespace
}  // namespace beffroi::playbook
