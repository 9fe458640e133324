// Playbook runs: one run per incident and playbook, append-only events, and the version check
// that keeps two responders from overwriting each other.
#include <gtest/gtest.h>

#include "analyzer/store/migrations.h"
#include "store_fixture.h"

namespace beffroi::store {
namespace {

using testing::At;

class PlaybookRunsTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    auto id = store_->CreateIncident(Incident("playbook:ransomware", "high", At(2)));
    ASSERT_TRUE(id.ok()) << id.error().message;
    incident_ = *id;
  }
  PlaybookRunRow Row(const std::string& actor = "alice") {
    PlaybookRunRow r;
    r.incident_id = incident_;
    r.playbook_id = "playbook--8b309ddc-1ba0-4600-8a04-d071934488c8";
    r.playbook_name = "ransomware";
    r.playbook_title = "Ransomware";
    r.playbook_sha256 = std::string(64, 'a');
    r.aware_at = At(2);
    r.started_at = At(3);
    r.started_by = actor;
    return r;
  }
  PlaybookEventRow Event(std::int64_t run, const std::string& step, const std::string& actor) {
    PlaybookEventRow e;
    e.run_id = run;
    e.step_id = step;
    e.step_name = step;
    e.kind = "done";
    e.actor = actor;
    e.at = At(3, 11);
    return e;
  }
  std::int64_t incident_ = 0;
};

TEST_F(PlaybookRunsTest, OneRunPerIncidentAndPlaybook) {
  auto first = store_->EnsurePlaybookRun(Row("alice"));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->second);
  auto second = store_->EnsurePlaybookRun(Row("bob"));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->second);
  EXPECT_EQ(second->first.id, first->first.id);
  EXPECT_EQ(second->first.started_by, "alice");
  EXPECT_EQ(second->first.version, 0);
  auto runs = store_->ListPlaybookRuns(incident_);
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->size(), 1u);
}

TEST_F(PlaybookRunsTest, AppendChecksTheVersion) {
  auto run = store_->EnsurePlaybookRun(Row());
  ASSERT_TRUE(run.ok());
  std::int64_t id = run->first.id;
  auto v1 = store_->AppendPlaybookEvent(0, Event(id, "a", "alice"));
  ASSERT_TRUE(v1.ok()) << v1.error().message;
  EXPECT_EQ(*v1, std::optional<std::int64_t>(1));
  // Written against version 0 again: refused, nothing stored.
  auto stale = store_->AppendPlaybookEvent(0, Event(id, "b", "bob"));
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->has_value());
  auto events = store_->ListPlaybookEvents(id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].step_id, "a");
  EXPECT_EQ(Count("playbook_events"), 1);
}

TEST_F(PlaybookRunsTest, TwoConnectionsNeverLoseAnUpdate) {
  auto run = store_->EnsurePlaybookRun(Row());
  ASSERT_TRUE(run.ok());
  std::int64_t id = run->first.id;
  auto other = Store::Open(tmp_.path());
  ASSERT_TRUE(other.ok());
  // Both read the run at version 0.
  auto mine = store_->FindPlaybookRun(incident_, Row().playbook_id);
  auto theirs = (*other)->FindPlaybookRun(incident_, Row().playbook_id);
  ASSERT_TRUE(mine.ok() && theirs.ok());
  ASSERT_EQ((*mine)->version, 0);
  ASSERT_EQ((*theirs)->version, 0);
  auto a = store_->AppendPlaybookEvent((*mine)->version, Event(id, "isolate", "alice"));
  ASSERT_TRUE(a.ok() && a->has_value());
  auto b = (*other)->AppendPlaybookEvent((*theirs)->version, Event(id, "isolate", "bob"));
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->has_value()) << "the second writer must see the first's progress";
  // Bob reloads and sees Alice's event, then writes on top of it.
  auto reloaded = (*other)->FindPlaybookRun(incident_, Row().playbook_id);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ((*reloaded)->version, 1);
  auto seen = (*other)->ListPlaybookEvents(id);
  ASSERT_TRUE(seen.ok());
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ((*seen)[0].actor, "alice");
  auto c = (*other)->AppendPlaybookEvent(1, Event(id, "collect", "bob"));
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ(Count("playbook_events"), 2);
}

TEST_F(PlaybookRunsTest, EventsAreAppendOnly) {
  auto run = store_->EnsurePlaybookRun(Row());
  ASSERT_TRUE(run.ok());
  PlaybookEventRow e = Event(run->first.id, "a", "alice");
  e.kind = "choice";
  e.value = "true";
  e.variable = "personal_data";
  ASSERT_TRUE(store_->AppendPlaybookEvent(0, e).ok());
  EXPECT_FALSE(store_->db().Exec("UPDATE playbook_events SET actor = 'mallory'").ok());
  EXPECT_FALSE(store_->db().Exec("DELETE FROM playbook_events").ok());
  auto events = store_->ListPlaybookEvents(run->first.id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].variable, std::optional<std::string>("personal_data"));
  EXPECT_EQ((*events)[0].clock, std::nullopt);
  // The kind is checked by the schema.
  PlaybookEventRow bad = Event(run->first.id, "a", "alice");
  bad.kind = "undone";
  EXPECT_FALSE(store_->AppendPlaybookEvent(1, bad).ok());
}

TEST_F(PlaybookRunsTest, FinishKeepsTheFirstTime) {
  auto run = store_->EnsurePlaybookRun(Row());
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(store_->FinishPlaybookRun(run->first.id, At(5)).ok());
  ASSERT_TRUE(store_->FinishPlaybookRun(run->first.id, At(6)).ok());
  auto again = store_->FindPlaybookRun(incident_, Row().playbook_id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->finished_at, std::optional<std::string>(At(5)));
}

}  // namespace
}  // namespace beffroi::store
