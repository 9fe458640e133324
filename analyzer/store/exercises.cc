// Store: tabletop exercise sessions and their append-only events.
#include "analyzer/store/internal.h"
#include "analyzer/store/store.h"

namespace beffroi::store {

using internal::Context;

namespace {

#define BEFFROI_SELECT_SESSION                                                               \
  "SELECT id, scenario_id, scenario_title, scenario_file, scenario_sha256, scenario_start, " \
  "created_at, created_by, finished_at, clock_elapsed_ns, clock_anchor_ns, clock_speed, "    \
  "clock_running, answers_applied FROM exercise_sessions "

constexpr std::string_view kInsertSession = R"sql(
INSERT INTO exercise_sessions (scenario_id, scenario_title, scenario_file, scenario_sha256,
                               scenario_start, created_at, created_by)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7))sql";
constexpr std::string_view kGetSession = BEFFROI_SELECT_SESSION "WHERE id = ?1";
constexpr std::string_view kOpenSession = BEFFROI_SELECT_SESSION
    "WHERE scenario_id = ?1 AND finished_at IS NULL ORDER BY id DESC LIMIT 1";
constexpr std::string_view kActiveSession = BEFFROI_SELECT_SESSION "ORDER BY id DESC LIMIT 1";
constexpr std::string_view kListSessions = BEFFROI_SELECT_SESSION "ORDER BY id";
#undef BEFFROI_SELECT_SESSION

constexpr std::string_view kListEvents = R"sql(
SELECT id, session_id, kind, ref, team, value, detail, elapsed_ns, took_ns, wall_ns, actor
FROM exercise_events WHERE session_id = ?1 ORDER BY id)sql";
constexpr std::string_view kInsertEvent = R"sql(
INSERT INTO exercise_events (session_id, kind, ref, team, value, detail, elapsed_ns, took_ns,
                             wall_ns, actor)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10))sql";
constexpr std::string_view kUpdateClock = R"sql(
UPDATE exercise_sessions SET clock_elapsed_ns = ?2, clock_anchor_ns = ?3, clock_speed = ?4,
  clock_running = ?5, answers_applied = ?6, finished_at = COALESCE(finished_at, ?7)
WHERE id = ?1)sql";

ExerciseSessionRow ReadSession(const Statement& s) {
  ExerciseSessionRow r;
  r.id = s.ColumnInt64(0);
  r.scenario_id = s.ColumnText(1);
  r.scenario_title = s.ColumnText(2);
  r.scenario_file = s.ColumnText(3);
  r.scenario_sha256 = s.ColumnText(4);
  r.scenario_start = s.ColumnText(5);
  r.created_at = s.ColumnText(6);
  r.created_by = s.ColumnText(7);
  r.finished_at = s.ColumnOptionalText(8);
  r.clock_elapsed_ns = s.ColumnInt64(9);
  r.clock_anchor_ns = s.ColumnInt64(10);
  r.clock_speed = s.ColumnDouble(11);
  r.clock_running = s.ColumnInt64(12) != 0;
  r.answers_applied = s.ColumnInt64(13);
  return r;
}

}  // namespace

Result<std::int64_t> Store::CreateExerciseSession(const ExerciseSessionRow& r) {
  auto stmt = Acquire(kInsertSession);
  if (!stmt) return Context("create exercise session", stmt.error());
  Statement& s = **stmt;
  s.BindText(1, r.scenario_id)
      .BindText(2, r.scenario_title)
      .BindText(3, r.scenario_file)
      .BindText(4, r.scenario_sha256)
      .BindText(5, r.scenario_start)
      .BindText(6, r.created_at)
      .BindText(7, r.created_by);
  if (Status st = s.Run(); !st.ok()) return Context("create exercise session", st.error());
  return db_->last_insert_rowid();
}

namespace {
template <typename Bind>
Result<std::optional<ExerciseSessionRow>> OneSession(Result<ScopedStatement> stmt,
                                                     const Bind& bind) {
  if (!stmt) return Context("find exercise session", stmt.error());
  Statement& s = **stmt;
  bind(s);
  auto row = s.Step();
  if (!row) return Context("find exercise session", row.error());
  if (!*row) return std::optional<ExerciseSessionRow>();
  return std::optional<ExerciseSessionRow>(ReadSession(s));
}
}  // namespace

Result<std::optional<ExerciseSessionRow>> Store::GetExerciseSession(std::int64_t id) {
  return OneSession(Acquire(kGetSession), [&](Statement& s) { s.BindInt64(1, id); });
}

Result<std::optional<ExerciseSessionRow>> Store::FindOpenExerciseSession(
    std::string_view scenario_id) {
  return OneSession(Acquire(kOpenSession), [&](Statement& s) { s.BindText(1, scenario_id); });
}

Result<std::optional<ExerciseSessionRow>> Store::ActiveExerciseSession() {
  return OneSession(Acquire(kActiveSession), [](Statement&) {});
}

Result<std::vector<ExerciseSessionRow>> Store::ListExerciseSessions() {
  auto stmt = Acquire(kListSessions);
  if (!stmt) return Context("list exercise sessions", stmt.error());
  Statement& s = **stmt;
  std::vector<ExerciseSessionRow> out;
  for (;;) {
    auto row = s.Step();
    if (!row) return Context("list exercise sessions", row.error());
    if (!*row) break;
    out.push_back(ReadSession(s));
  }
  return out;
}

Result<std::vector<ExerciseEventRow>> Store::ListExerciseEvents(std::int64_t session_id) {
  auto stmt = Acquire(kListEvents);
  if (!stmt) return Context("list exercise events", stmt.error());
  Statement& s = **stmt;
  s.BindInt64(1, session_id);
  std::vector<ExerciseEventRow> out;
  for (;;) {
    auto row = s.Step();
    if (!row) return Context("list exercise events", row.error());
    if (!*row) break;
    ExerciseEventRow e;
    e.id = s.ColumnInt64(0);
    e.session_id = s.ColumnInt64(1);
    e.kind = s.ColumnText(2);
    e.ref = s.ColumnText(3);
    e.team = s.ColumnText(4);
    e.value = s.ColumnText(5);
    e.detail = s.ColumnText(6);
    e.elapsed_ns = s.ColumnInt64(7);
    e.took_ns = s.ColumnInt64(8);
    e.wall_ns = s.ColumnInt64(9);
    e.actor = s.ColumnText(10);
    out.push_back(std::move(e));
  }
  return out;
}

Status Store::AppendExerciseEvents(const ExerciseSessionRow& c,
                                   const std::vector<ExerciseEventRow>& events,
                                   std::optional<std::string_view> finished_at) {
  const std::string what = "record exercise session " + std::to_string(c.id);
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  for (const ExerciseEventRow& e : events) {
    auto stmt = Acquire(kInsertEvent);
    if (!stmt) return Context(what, stmt.error());
    Statement& s = **stmt;
    s.BindInt64(1, c.id)
        .BindText(2, e.kind)
        .BindText(3, e.ref)
        .BindText(4, e.team)
        .BindText(5, e.value)
        .BindText(6, e.detail)
        .BindInt64(7, e.elapsed_ns)
        .BindInt64(8, e.took_ns)
        .BindInt64(9, e.wall_ns)
        .BindText(10, e.actor);
    if (Status st = s.Run(); !st.ok()) return Context(what, st.error());
  }
  {
    auto stmt = Acquire(kUpdateClock);
    if (!stmt) return Context(what, stmt.error());
    Statement& s = **stmt;
    s.BindInt64(1, c.id)
        .BindInt64(2, c.clock_elapsed_ns)
        .BindInt64(3, c.clock_anchor_ns)
        .BindDouble(4, c.clock_speed)
        .BindInt64(5, c.clock_running ? 1 : 0)
        .BindInt64(6, c.answers_applied);
    if (finished_at)
      s.BindText(7, *finished_at);
    else
      s.BindNull(7);
    if (Status st = s.Run(); !st.ok()) return Context(what, st.error());
    if (db_->changes() == 0) return MakeError(ErrorCode::kNotFound, what + ": no such session");
  }
  return tx->Commit();
}

}  // namespace beffroi::store
