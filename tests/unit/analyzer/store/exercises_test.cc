// Exercise sessions: the open session of a scenario, the clock written with the events in one
// transaction, append-only events, and the active session that dates the whole database.
#include <gtest/gtest.h>

#include "store_fixture.h"

namespace beffroi::store {
namespace {

using testing::At;

class ExerciseSessionsTest : public testing::StoreTest {
 protected:
  ExerciseSessionRow Row(const std::string& scenario) {
    ExerciseSessionRow r;
    r.scenario_id = scenario;
    r.scenario_title = "Title";
    r.scenario_file = "/x/" + scenario + ".json";
    r.scenario_sha256 = std::string(64, 'b');
    r.scenario_start = "2021-06-21T05:30:00Z";
    r.created_at = At(1);
    r.created_by = "trainer";
    return r;
  }
  ExerciseEventRow Event(const std::string& kind, const std::string& ref) {
    ExerciseEventRow e;
    e.kind = kind;
    e.ref = ref;
    e.elapsed_ns = 600'000'000'000;
    e.wall_ns = 5;
    e.actor = "trainer";
    return e;
  }
};

TEST_F(ExerciseSessionsTest, EventsAndClockAreWrittenTogether) {
  auto id = store_->CreateExerciseSession(Row("liege-2021"));
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto open = store_->FindOpenExerciseSession("liege-2021");
  ASSERT_TRUE(open.ok() && open->has_value());
  ExerciseSessionRow row = **open;
  row.clock_elapsed_ns = 600'000'000'000;
  row.clock_speed = 4;
  row.clock_running = true;
  row.answers_applied = 3;
  ASSERT_TRUE(
      store_->AppendExerciseEvents(row, {Event("clock", ""), Event("inject", "i01")}, std::nullopt)
          .ok());
  auto again = store_->GetExerciseSession(*id);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->clock_elapsed_ns, 600'000'000'000);
  EXPECT_EQ((*again)->clock_speed, 4);
  EXPECT_TRUE((*again)->clock_running);
  EXPECT_EQ((*again)->answers_applied, 3);
  auto events = store_->ListExerciseEvents(*id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].ref, "i01");
  // A bad event rolls back the clock too.
  row.clock_elapsed_ns = 1;
  EXPECT_FALSE(store_->AppendExerciseEvents(row, {Event("bogus", "")}, std::nullopt).ok());
  EXPECT_EQ((*store_->GetExerciseSession(*id))->clock_elapsed_ns, 600'000'000'000);
  // Ending the session: it is no longer open, but it still dates the database.
  ASSERT_TRUE(store_->AppendExerciseEvents(row, {Event("end", "")}, At(2)).ok());
  EXPECT_FALSE(store_->FindOpenExerciseSession("liege-2021")->has_value());
  auto active = store_->ActiveExerciseSession();
  ASSERT_TRUE(active.ok() && active->has_value());
  EXPECT_EQ((*active)->id, *id);
  EXPECT_EQ((*active)->finished_at, At(2));
}

TEST_F(ExerciseSessionsTest, EventsAreAppendOnly) {
  auto id = store_->CreateExerciseSession(Row("ddos-election"));
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_
                  ->AppendExerciseEvents(**store_->GetExerciseSession(*id), {Event("note", "")},
                                         std::nullopt)
                  .ok());
  EXPECT_FALSE(store_->db().Exec("UPDATE exercise_events SET value = 'x'").ok());
  EXPECT_FALSE(store_->db().Exec("DELETE FROM exercise_events").ok());
  ExerciseSessionRow ghost = Row("none");
  ghost.id = 999;
  EXPECT_FALSE(store_->AppendExerciseEvents(ghost, {}, std::nullopt).ok());
}

}  // namespace
}  // namespace beffroi::store
