// Store: playbook runs and their events (the runner's progress, choices and notes).
#include "analyzer/store/internal.h"
#include "analyzer/store/store.h"

namespace beffroi::store {

using internal::Context;

namespace {

#define BEFFROI_SELECT_RUN                                                                \
  "SELECT id, incident_id, playbook_id, playbook_name, playbook_title, playbook_sha256, " \
  "aware_at, started_at, started_by, updated_at, finished_at, version FROM playbook_runs "

constexpr std::string_view kInsertRun = R"sql(
INSERT INTO playbook_runs (incident_id, playbook_id, playbook_name, playbook_title,
                           playbook_sha256, aware_at, started_at, started_by, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7)
ON CONFLICT (incident_id, playbook_id) DO NOTHING)sql";
constexpr std::string_view kFindRun =
    BEFFROI_SELECT_RUN "WHERE incident_id = ?1 AND playbook_id = ?2";
constexpr std::string_view kListRuns = BEFFROI_SELECT_RUN "WHERE incident_id = ?1 ORDER BY id";
#undef BEFFROI_SELECT_RUN

constexpr std::string_view kListEvents = R"sql(
SELECT id, run_id, step_id, step_name, kind, value, variable, clock, actor, at
FROM playbook_events WHERE run_id = ?1 ORDER BY id)sql";
constexpr std::string_view kBumpVersion = R"sql(
UPDATE playbook_runs SET version = version + 1, updated_at = ?3
WHERE id = ?1 AND version = ?2)sql";
constexpr std::string_view kInsertEvent = R"sql(
INSERT INTO playbook_events (run_id, step_id, step_name, kind, value, variable, clock, actor, at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9))sql";
constexpr std::string_view kFinishRun =
    "UPDATE playbook_runs SET finished_at = COALESCE(finished_at, ?2) WHERE id = ?1";

PlaybookRunRow ReadRun(const Statement& s) {
  PlaybookRunRow r;
  r.id = s.ColumnInt64(0);
  r.incident_id = s.ColumnInt64(1);
  r.playbook_id = s.ColumnText(2);
  r.playbook_name = s.ColumnText(3);
  r.playbook_title = s.ColumnText(4);
  r.playbook_sha256 = s.ColumnText(5);
  r.aware_at = s.ColumnText(6);
  r.started_at = s.ColumnText(7);
  r.started_by = s.ColumnText(8);
  r.updated_at = s.ColumnText(9);
  r.finished_at = s.ColumnOptionalText(10);
  r.version = s.ColumnInt64(11);
  return r;
}

}  // namespace

Result<std::optional<PlaybookRunRow>> Store::FindPlaybookRun(std::int64_t incident_id,
                                                             std::string_view playbook_id) {
  auto stmt = Acquire(kFindRun);
  if (!stmt) return Context("find playbook run", stmt.error());
  Statement& s = **stmt;
  s.BindInt64(1, incident_id).BindText(2, playbook_id);
  auto row = s.Step();
  if (!row) return Context("find playbook run", row.error());
  if (!*row) return std::optional<PlaybookRunRow>();
  return std::optional<PlaybookRunRow>(ReadRun(s));
}

Result<std::pair<PlaybookRunRow, bool>> Store::EnsurePlaybookRun(const PlaybookRunRow& r) {
  const std::string what = "start playbook run " + r.playbook_name;
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  bool inserted = false;
  {
    auto stmt = Acquire(kInsertRun);
    if (!stmt) return Context(what, stmt.error());
    Statement& s = **stmt;
    s.BindInt64(1, r.incident_id)
        .BindText(2, r.playbook_id)
        .BindText(3, r.playbook_name)
        .BindText(4, r.playbook_title)
        .BindText(5, r.playbook_sha256)
        .BindText(6, r.aware_at)
        .BindText(7, r.started_at)
        .BindText(8, r.started_by);
    if (Status st = s.Run(); !st.ok()) return Context(what, st.error());
    inserted = db_->changes() > 0;
  }
  auto found = FindPlaybookRun(r.incident_id, r.playbook_id);
  if (!found) return found.error();
  if (!found->has_value()) return MakeError(ErrorCode::kInternal, what + ": run vanished");
  if (Status st = tx->Commit(); !st.ok()) return Context(what, st.error());
  return std::make_pair(**found, inserted);
}

Result<std::vector<PlaybookRunRow>> Store::ListPlaybookRuns(std::int64_t incident_id) {
  auto stmt = Acquire(kListRuns);
  if (!stmt) return Context("list playbook runs", stmt.error());
  Statement& s = **stmt;
  s.BindInt64(1, incident_id);
  std::vector<PlaybookRunRow> out;
  for (;;) {
    auto row = s.Step();
    if (!row) return Context("list playbook runs", row.error());
    if (!*row) break;
    out.push_back(ReadRun(s));
  }
  return out;
}

Result<std::vector<PlaybookEventRow>> Store::ListPlaybookEvents(std::int64_t run_id) {
  auto stmt = Acquire(kListEvents);
  if (!stmt) return Context("list playbook events", stmt.error());
  Statement& s = **stmt;
  s.BindInt64(1, run_id);
  std::vector<PlaybookEventRow> out;
  for (;;) {
    auto row = s.Step();
    if (!row) return Context("list playbook events", row.error());
    if (!*row) break;
    PlaybookEventRow e;
    e.id = s.ColumnInt64(0);
    e.run_id = s.ColumnInt64(1);
    e.step_id = s.ColumnText(2);
    e.step_name = s.ColumnText(3);
    e.kind = s.ColumnText(4);
    e.value = s.ColumnText(5);
    e.variable = s.ColumnOptionalText(6);
    e.clock = s.ColumnOptionalText(7);
    e.actor = s.ColumnText(8);
    e.at = s.ColumnText(9);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::optional<std::int64_t>> Store::AppendPlaybookEvent(std::int64_t expected_version,
                                                               const PlaybookEventRow& e) {
  const std::string what = "record playbook step " + e.step_id;
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  {
    auto stmt = Acquire(kBumpVersion);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, e.run_id).BindInt64(2, expected_version).BindText(3, e.at);
    if (Status st = (*stmt)->Run(); !st.ok()) return Context(what, st.error());
    if (db_->changes() == 0) return std::optional<std::int64_t>();  // someone wrote first
  }
  {
    auto stmt = Acquire(kInsertEvent);
    if (!stmt) return Context(what, stmt.error());
    Statement& s = **stmt;
    s.BindInt64(1, e.run_id)
        .BindText(2, e.step_id)
        .BindText(3, e.step_name)
        .BindText(4, e.kind)
        .BindText(5, e.value)
        .BindOptionalText(6, e.variable)
        .BindOptionalText(7, e.clock)
        .BindText(8, e.actor)
        .BindText(9, e.at);
    if (Status st = s.Run(); !st.ok()) return Context(what, st.error());
  }
  if (Status st = tx->Commit(); !st.ok()) return Context(what, st.error());
  return std::optional<std::int64_t>(expected_version + 1);
}

Status Store::FinishPlaybookRun(std::int64_t run_id, std::string_view at) {
  auto stmt = Acquire(kFinishRun);
  if (!stmt) return Context("finish playbook run", stmt.error());
  (*stmt)->BindInt64(1, run_id).BindText(2, at);
  if (Status st = (*stmt)->Run(); !st.ok()) return Context("finish playbook run", st.error());
  return OkStatus();
}

}  // namespace beffroi::store
