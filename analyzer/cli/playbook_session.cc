#include "analyzer/cli/playbook_session.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "analyzer/cli/context.h"
#include "common/text.h"

namespace beffroi::cli {

namespace {

Status Audit(store::Store& store, const store::Who& who, const std::string& action,
             const store::PlaybookRunRow& run, nlohmann::json details, const std::string& at) {
  details["playbook"] = run.playbook_name;
  details["playbook_id"] = run.playbook_id;
  details["run"] = run.id;
  return store.AppendAudit(who, action, "incident", run.incident_id, Dump(details), at);
}

}  // namespace

playbook::RunEvent ToRunEvent(const store::PlaybookEventRow& row) {
  playbook::RunEvent e;
  e.step_id = row.step_id;
  e.kind = playbook::EventKindFromName(row.kind).value_or(playbook::EventKind::kNote);
  e.value = row.value;
  e.actor = row.actor;
  e.at = row.at;
  return e;
}

Result<LoadedRun> Reload(store::Store& store, const playbook::Playbook& pb,
                         const store::PlaybookRunRow& run) {
  auto found = store.FindPlaybookRun(run.incident_id, run.playbook_id);
  if (!found.ok()) return found.error();
  if (!found->has_value()) return MakeError(ErrorCode::kNotFound, "the playbook run vanished");
  LoadedRun out;
  out.run = **found;
  auto events = store.ListPlaybookEvents(out.run.id);
  if (!events.ok()) return events.error();
  out.events = std::move(*events);
  std::vector<playbook::RunEvent> folded;
  folded.reserve(out.events.size());
  for (const auto& e : out.events)
    folded.push_back(ToRunEvent(e));
  out.state = playbook::RunState::Fold(folded);
  out.position = playbook::Walk(pb, out.state);
  return out;
}

Result<LoadedRun> OpenRun(store::Store& store, const playbook::Playbook& pb,
                          std::int64_t incident_id, const store::Who& who,
                          const std::string& aware_at, bool create) {
  const std::string actor = who.Display();
  auto detail = store.GetIncident(incident_id);
  if (!detail.ok()) return detail.error();
  if (!detail->has_value())
    return MakeError(ErrorCode::kNotFound, "no incident " + std::to_string(incident_id));
  auto existing = store.FindPlaybookRun(incident_id, pb.id);
  if (!existing.ok()) return existing.error();
  if (existing->has_value()) return Reload(store, pb, **existing);
  if (!create) {
    return MakeError(ErrorCode::kNotFound, "no run of " + pb.Handle() + " on incident " +
                                               std::to_string(incident_id) + " yet");
  }
  std::string now = NowTimestamp();
  store::PlaybookRunRow row;
  row.incident_id = incident_id;
  row.playbook_id = pb.id;
  row.playbook_name = pb.Handle();
  row.playbook_title = pb.name;
  row.playbook_sha256 = pb.sha256;
  row.aware_at = aware_at.empty() ? (*detail)->incident.created_at : aware_at;
  row.started_at = now;
  row.started_by = actor;
  auto tx = store::Transaction::Begin(store.db());
  if (!tx.ok()) return tx.error();
  auto ensured = store.EnsurePlaybookRun(row);
  if (!ensured.ok()) return ensured.error();
  if (ensured->second) {
    Status s = Audit(store, who, "playbook.started", ensured->first,
                     {{"title", pb.name}, {"sha256", pb.sha256}, {"aware_at", row.aware_at}}, now);
    if (!s.ok()) return s.error();
  }
  if (Status s = tx->Commit(); !s.ok()) return s.error();
  return Reload(store, pb, ensured->first);
}

Result<ApplyOutcome> Apply(store::Store& store, const playbook::Playbook& pb,
                           const store::PlaybookRunRow& run, const playbook::Request& request,
                           const store::Who& who, std::optional<std::int64_t> expected_version) {
  const std::string actor = who.Display();
  auto tx = store::Transaction::Begin(store.db());
  if (!tx.ok()) return tx.error();
  auto now_run = Reload(store, pb, run);
  if (!now_run.ok()) return now_run.error();
  ApplyOutcome out;
  if (expected_version && now_run->run.version != *expected_version) {
    out.conflict = true;
    auto from = static_cast<std::size_t>(std::max<std::int64_t>(0, *expected_version));
    for (std::size_t i = from; i < now_run->events.size(); ++i)
      out.theirs.push_back(now_run->events[i]);
    out.after = std::move(*now_run);
    return out;  // the transaction rolls back: nothing was written
  }
  auto event = playbook::Validate(pb, now_run->state, request);
  if (!event.ok()) return event.error();
  event->actor = actor;
  event->at = NowTimestamp();
  const playbook::Step* step = pb.Find(event->step_id);
  store::PlaybookEventRow row;
  row.run_id = now_run->run.id;
  row.step_id = event->step_id;
  row.step_name = step->Handle();
  row.kind = std::string(playbook::EventKindName(event->kind));
  row.value = event->value;
  if (event->kind == playbook::EventKind::kChoice && !step->variable.empty())
    row.variable = step->variable;
  if (event->kind == playbook::EventKind::kDone && !step->legal_clock.empty())
    row.clock = step->legal_clock;
  row.actor = actor;
  row.at = event->at;
  auto version = store.AppendPlaybookEvent(now_run->run.version, row);
  if (!version.ok()) return version.error();
  if (!version->has_value())  // cannot happen inside our write transaction; say so if it does
    return MakeError(ErrorCode::kInternal, "the run changed inside a write transaction");
  nlohmann::json details = {
      {"step", step->id}, {"ref", step->ref}, {"name", step->name}, {"version", **version}};
  if (!row.value.empty())
    details[event->kind == playbook::EventKind::kSkipped  ? "reason"
            : event->kind == playbook::EventKind::kChoice ? "choice"
                                                          : "note"] = row.value;
  if (row.variable) details["variable"] = *row.variable;
  if (row.clock) details["legal_clock"] = *row.clock;
  if (Status s = Audit(store, who, "playbook." + row.kind, now_run->run, details, row.at); !s.ok())
    return s.error();
  auto after = Reload(store, pb, now_run->run);
  if (!after.ok()) return after.error();
  if (after->position.finished && !after->run.finished_at) {
    if (Status s = store.FinishPlaybookRun(after->run.id, row.at); !s.ok()) return s.error();
    if (Status s = Audit(store, who, "playbook.finished", after->run, {}, row.at); !s.ok())
      return s.error();
    out.finished_now = true;
    after->run.finished_at = row.at;
  }
  if (Status s = tx->Commit(); !s.ok()) return s.error();
  out.after = std::move(*after);
  out.event = std::move(*event);
  return out;
}

}  // namespace beffroi::cli
