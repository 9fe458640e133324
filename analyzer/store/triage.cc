// Store: the responder's changes to incidents (status, assignee, tags, notes), the analysts'
// allowlist, repeated sightings and the timeline. Merge and split are in merge.cc.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "analyzer/store/internal.h"
#include "analyzer/store/lifecycle.h"
#include "analyzer/store/store.h"
#include "common/text.h"

namespace beffroi::store {

using internal::Context;

namespace {

constexpr std::size_t kMaxTagLength = 64;
constexpr std::size_t kMaxNameLength = 200;
constexpr std::size_t kMaxNoteLength = 16 * 1024;

constexpr std::string_view kTouch =
    "UPDATE incidents SET version = version + 1, updated_at = ?2 WHERE id = ?1";
constexpr std::string_view kWriteStatus = R"sql(
UPDATE incidents SET status = ?2, closed_at = ?3, resolution = ?4 WHERE id = ?1)sql";
constexpr std::string_view kWriteAssignee = "UPDATE incidents SET assignee = ?2 WHERE id = ?1";
constexpr std::string_view kAddTag =
    "INSERT INTO incident_tags (incident_id, tag) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
constexpr std::string_view kRemoveTag =
    "DELETE FROM incident_tags WHERE incident_id = ?1 AND tag = ?2";
constexpr std::string_view kTouchUpdatedAt = "UPDATE incidents SET updated_at = ?2 WHERE id = ?1";

constexpr std::string_view kAddAllowlist = R"sql(
INSERT INTO analyst_allowlist (kind, value, host_id, reason, incident_id, added_by, added_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (kind, value, host_id) DO NOTHING
RETURNING id)sql";
constexpr std::string_view kIsAllowlisted = R"sql(
SELECT EXISTS (SELECT 1 FROM analyst_allowlist WHERE
  (kind = 'sha256' AND ?2 <> '' AND value = ?2) OR
  (kind = 'path' AND ?3 <> '' AND value = ?3 AND host_id = ?1)))sql";
constexpr std::string_view kListAllowlist = R"sql(
SELECT id, kind, value, host_id, reason, incident_id, added_by, added_at
FROM analyst_allowlist ORDER BY id)sql";

constexpr std::string_view kDetectionIncident = R"sql(
SELECT d.incident_id, i.status, i.closed_at FROM detections d
LEFT JOIN incidents i ON i.id = d.incident_id WHERE d.id = ?1)sql";
constexpr std::string_view kCountSighting = R"sql(
UPDATE detections SET sightings = sightings + 1,
  last_observed_at = max(last_observed_at, ?2) WHERE id = ?1)sql";
constexpr std::string_view kReopen = R"sql(
UPDATE incidents SET status = 'new', closed_at = '', version = version + 1, updated_at = ?2,
  last_seen = max(last_seen, ?3) WHERE id = ?1)sql";

constexpr std::string_view kGetBundle = R"sql(
SELECT id, bundle_uuid, manifest_sha256, host_id, agent, agent_version, examiner, case_ref,
       started, ended, path, ingested_at, ingested_by FROM bundles WHERE id = ?1)sql";

// The incident and every incident merged into it, directly or through another merge.
constexpr std::string_view kMergedFamily = R"sql(
WITH RECURSIVE family(id) AS (
  SELECT ?1 UNION SELECT i.id FROM incidents i JOIN family f ON i.merged_into = f.id)
SELECT id FROM family)sql";

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::string Quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

}  // namespace

Result<IncidentDetail> Store::LoadForChange(std::int64_t incident_id,
                                            std::optional<std::int64_t> expect_version) {
  auto detail = GetIncident(incident_id);
  if (!detail) return detail.error();
  if (!detail->has_value()) {
    return MakeError(ErrorCode::kNotFound, "no incident " + std::to_string(incident_id));
  }
  if (expect_version && (*detail)->incident.version != *expect_version) {
    return MakeError(ErrorCode::kConflict,
                     "incident " + std::to_string(incident_id) + " is at version " +
                         std::to_string((*detail)->incident.version) + ", not " +
                         std::to_string(*expect_version) +
                         ": someone changed it since; look at it again (incidents show)");
  }
  return std::move(**detail);
}

Status Store::Touch(std::int64_t incident_id, std::string_view at) {
  auto stmt = Acquire(kTouch);
  if (!stmt) return stmt.error();
  (*stmt)->BindInt64(1, incident_id).BindText(2, at);
  return (*stmt)->Run();
}

Result<IncidentRow> Store::CommitChange(Transaction& tx, std::int64_t incident_id,
                                        std::string_view action, const std::string& details_json,
                                        const Who& who, std::string_view now,
                                        const std::string& what) {
  if (Status s = Touch(incident_id, now); !s.ok()) return Context(what, s.error());
  if (Status s = AppendAudit(who, action, "incident", incident_id, details_json, now); !s.ok()) {
    return s.error();
  }
  if (Status s = tx.Commit(); !s.ok()) return Context(what, s.error());
  auto after = LoadForChange(incident_id, std::nullopt);
  if (!after) return after.error();
  return after->incident;
}

Result<IncidentRow> Store::ChangeStatus(std::int64_t incident_id, std::string_view status,
                                        std::string_view reason, bool reopen, const Who& who,
                                        std::optional<std::int64_t> expect_version) {
  std::string what = "incident " + std::to_string(incident_id);
  if (reason.size() > kMaxNoteLength) return Invalid(what + ": the reason is too long");
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  auto detail = LoadForChange(incident_id, expect_version);
  if (!detail) return detail.error();
  const IncidentRow& before = detail->incident;
  if (Status s = CheckTransition(before.status, status, reopen, reason); !s.ok()) {
    return Context(what, s.error());
  }
  std::string now = NowTimestamp();
  bool closing = !IsOpenStatus(status);
  {
    auto stmt = Acquire(kWriteStatus);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)
        ->BindInt64(1, incident_id)
        .BindText(2, status)
        .BindText(3, closing ? std::string_view(now) : std::string_view())
        .BindText(4, closing ? reason : std::string_view(before.resolution));
    if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
  }
  nlohmann::json details = {{"from", before.status}, {"to", status}};
  if (!reason.empty()) details["reason"] = reason;
  if (!IsOpenStatus(before.status) || reopen) details["reopen"] = true;
  return CommitChange(*tx, incident_id, "incident.status",
                      details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), who,
                      now, what);
}

Result<IncidentRow> Store::AssignIncident(std::int64_t incident_id, std::string_view assignee,
                                          const Who& who,
                                          std::optional<std::int64_t> expect_version) {
  std::string what = "assign incident " + std::to_string(incident_id);
  if (assignee.size() > kMaxNameLength || HasControl(assignee) || !IsValidUtf8(assignee)) {
    return Invalid(what + ": the name must be UTF-8 text of at most 200 bytes, on one line");
  }
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  auto detail = LoadForChange(incident_id, expect_version);
  if (!detail) return detail.error();
  if (detail->incident.assignee == assignee) {
    return Invalid(what + ": it is already " +
                   (assignee.empty() ? "unassigned" : "assigned to " + Quoted(assignee)));
  }
  std::string now = NowTimestamp();
  {
    auto stmt = Acquire(kWriteAssignee);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, incident_id).BindText(2, assignee);
    if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
  }
  nlohmann::json details = {{"from", detail->incident.assignee}, {"to", assignee}};
  return CommitChange(*tx, incident_id, "incident.assign", details.dump(), who, now, what);
}

Result<IncidentRow> Store::TagIncident(std::int64_t incident_id,
                                       const std::vector<std::string>& add,
                                       const std::vector<std::string>& remove, const Who& who,
                                       std::optional<std::int64_t> expect_version) {
  std::string what = "tag incident " + std::to_string(incident_id);
  for (const auto* list : {&add, &remove}) {
    for (const std::string& t : *list) {
      bool bad = t.empty() || t.size() > kMaxTagLength || !IsValidUtf8(t) || HasControl(t) ||
                 t.find_first_of(" ,") != std::string::npos;
      if (bad) {
        return Invalid(what + ": tag " + Quoted(ToValidUtf8(t)) +
                       ": 1 to 64 bytes of UTF-8, no spaces, commas or control characters");
      }
    }
  }
  if (add.empty() && remove.empty()) return Invalid(what + ": no tag given");
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  auto detail = LoadForChange(incident_id, expect_version);
  if (!detail) return detail.error();
  const std::vector<std::string>& had = detail->incident.tags;
  nlohmann::json added = nlohmann::json::array(), removed = nlohmann::json::array();
  for (const std::string& t : add) {
    if (std::find(had.begin(), had.end(), t) != had.end() || added.contains(t)) continue;
    auto stmt = Acquire(kAddTag);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, incident_id).BindText(2, t);
    if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
    added.push_back(t);
  }
  for (const std::string& t : remove) {
    if (std::find(had.begin(), had.end(), t) == had.end()) {
      return Invalid(what + ": it has no tag " + Quoted(t));
    }
    auto stmt = Acquire(kRemoveTag);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, incident_id).BindText(2, t);
    if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
    removed.push_back(t);
  }
  if (added.empty() && removed.empty()) return Invalid(what + ": it already has these tags");
  nlohmann::json details = {{"added", added}, {"removed", removed}};
  return CommitChange(*tx, incident_id, "incident.tag", details.dump(), who, NowTimestamp(), what);
}

Status Store::AddNote(std::int64_t incident_id, std::string_view text, const Who& who) {
  std::string what = "note on incident " + std::to_string(incident_id);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Invalid(what + ": the note is empty");
  }
  if (text.size() > kMaxNoteLength) return Invalid(what + ": the note is longer than 16 KiB");
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  auto detail = LoadForChange(incident_id, std::nullopt);
  if (!detail) return detail.error();
  std::string now = NowTimestamp();
  {
    auto stmt = Acquire(kTouchUpdatedAt);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, incident_id).BindText(2, now);
    if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
  }
  nlohmann::json details = {{"text", ToValidUtf8(text)}};
  if (Status s = AppendAudit(who, "incident.note", "incident", incident_id, details.dump(), now);
      !s.ok()) {
    return s;
  }
  return tx->Commit();
}

Result<bool> Store::AddAllowlist(const AllowlistRow& r, const Who& who) {
  std::string what = "allowlist " + r.kind + " " + ToValidUtf8(r.value);
  if (r.kind != "sha256" && r.kind != "path") {
    return Invalid(what + ": the kind is sha256 or path");
  }
  if (r.value.empty()) return Invalid(what + ": nothing to allowlist (no " + r.kind + ")");
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  bool inserted = false;
  std::string now = r.added_at.empty() ? NowTimestamp() : r.added_at;
  {
    auto stmt = Acquire(kAddAllowlist);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)
        ->BindText(1, r.kind)
        .BindText(2, r.value)
        .BindInt64(3, r.kind == "path" ? r.host_id : 0)
        .BindText(4, r.reason)
        .BindOptionalInt64(5, r.incident_id)
        .BindText(6, who.Display())
        .BindText(7, now);
    auto row = (*stmt)->Step();
    if (!row) return Context(what, row.error());
    inserted = *row;
  }
  if (inserted) {
    nlohmann::json details = {
        {"kind", r.kind}, {"value", ToValidUtf8(r.value)}, {"reason", ToValidUtf8(r.reason)}};
    if (r.kind == "path") details["host_id"] = r.host_id;
    if (Status s =
            AppendAudit(who, "allowlist.add", "incident", r.incident_id, details.dump(), now);
        !s.ok()) {
      return s.error();
    }
  }
  if (Status s = tx->Commit(); !s.ok()) return Context(what, s.error());
  return inserted;
}

Result<bool> Store::IsAllowlisted(std::int64_t host_id, std::string_view sha256,
                                  std::string_view path) {
  auto stmt = Acquire(kIsAllowlisted);
  if (!stmt) return Context("check allowlist", stmt.error());
  (*stmt)->BindInt64(1, host_id).BindText(2, sha256).BindText(3, path);
  auto found = internal::StepForInt64(**stmt);
  if (!found) return Context("check allowlist", found.error());
  return *found != 0;
}

Result<std::vector<AllowlistRow>> Store::ListAllowlist() {
  auto stmt = Acquire(kListAllowlist);
  if (!stmt) return Context("list allowlist", stmt.error());
  std::vector<AllowlistRow> rows;
  for (;;) {
    auto row = (*stmt)->Step();
    if (!row) return Context("list allowlist", row.error());
    if (!*row) break;
    const Statement& s = **stmt;
    rows.push_back(AllowlistRow{s.ColumnInt64(0), s.ColumnText(1), s.ColumnText(2),
                                s.ColumnInt64(3), s.ColumnText(4), s.ColumnOptionalInt64(5),
                                s.ColumnText(6), s.ColumnText(7)});
  }
  return rows;
}

Result<bool> Store::RecordResighting(std::int64_t detection_id, std::string_view observed_at,
                                     const Who& who) {
  std::string what = "record sighting of detection " + std::to_string(detection_id);
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  std::optional<std::int64_t> incident;
  std::string status, closed_at;
  {
    auto stmt = Acquire(kDetectionIncident);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, detection_id);
    auto row = (*stmt)->Step();
    if (!row) return Context(what, row.error());
    if (!*row) return MakeError(ErrorCode::kNotFound, what + ": no such detection");
    incident = (*stmt)->ColumnOptionalInt64(0);
    status = (*stmt)->ColumnText(1);
    closed_at = (*stmt)->ColumnText(2);
  }
  {
    auto stmt = Acquire(kCountSighting);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, detection_id).BindText(2, observed_at);
    if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
  }
  // Only a closing the evidence postdates: an old bundle analysed late is history, not a
  // return of the threat.
  bool reopen = incident && status == kStatusClosed && observed_at > closed_at;
  if (reopen) {
    std::string now = NowTimestamp();
    auto stmt = Acquire(kReopen);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, *incident).BindText(2, now).BindText(3, observed_at);
    if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
    nlohmann::json details = {{"from", status},
                              {"to", kStatusNew},
                              {"detection", detection_id},
                              {"observed_at", observed_at},
                              {"reason", "detection found again after the incident was closed"}};
    if (Status s =
            AppendAudit(who, "incident.reopened", "incident", *incident, details.dump(), now);
        !s.ok()) {
      return s.error();
    }
  }
  if (Status s = tx->Commit(); !s.ok()) return Context(what, s.error());
  return reopen;
}

Result<std::optional<BundleRow>> Store::GetBundle(std::int64_t bundle_id) {
  std::string what = "get bundle " + std::to_string(bundle_id);
  auto stmt = Acquire(kGetBundle);
  if (!stmt) return Context(what, stmt.error());
  (*stmt)->BindInt64(1, bundle_id);
  auto row = (*stmt)->Step();
  if (!row) return Context(what, row.error());
  if (!*row) return std::optional<BundleRow>();
  const Statement& s = **stmt;
  return std::optional<BundleRow>(BundleRow{
      s.ColumnInt64(0), s.ColumnText(1), s.ColumnText(2), s.ColumnInt64(3), s.ColumnText(4),
      s.ColumnText(5), s.ColumnOptionalText(6), s.ColumnOptionalText(7), s.ColumnText(8),
      s.ColumnText(9), s.ColumnText(10), s.ColumnText(11), s.ColumnText(12)});
}

Result<std::vector<TimelineEntry>> Store::Timeline(std::int64_t incident_id) {
  std::string what = "timeline of incident " + std::to_string(incident_id);
  auto detail = GetIncident(incident_id);
  if (!detail) return detail.error();
  if (!detail->has_value()) {
    return MakeError(ErrorCode::kNotFound, "no incident " + std::to_string(incident_id));
  }
  std::vector<TimelineEntry> out;
  for (const DetectionRow& d : (*detail)->detections) {
    std::string subject = !d.file_path.empty() ? d.file_path : d.sha256;
    out.push_back(TimelineEntry{d.observed_at, "detection", "", d.kind,
                                d.rule + (subject.empty() ? "" : " on " + subject), d.id,
                                std::nullopt, d.incident_id.value_or(incident_id)});
    if (d.sightings > 1 && !d.last_observed_at.empty()) {
      out.push_back(TimelineEntry{
          d.last_observed_at, "sighting", "", d.kind,
          d.rule + " found again (" + std::to_string(d.sightings) + " sightings in all)", d.id,
          std::nullopt, d.incident_id.value_or(incident_id)});
    }
  }
  std::vector<std::int64_t> family;
  {
    auto stmt = Acquire(kMergedFamily);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, incident_id);
    for (;;) {
      auto row = (*stmt)->Step();
      if (!row) return Context(what, row.error());
      if (!*row) break;
      family.push_back((*stmt)->ColumnInt64(0));
    }
  }
  for (std::int64_t id : family) {
    auto audit = ListAudit("incident", id);
    if (!audit) return audit.error();
    for (const AuditRow& a : *audit) {
      Who who{a.actor, a.acting_as};
      out.push_back(TimelineEntry{a.at, "action", who.Display(), a.action, a.details_json,
                                  std::nullopt, a.id, id});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const TimelineEntry& a, const TimelineEntry& b) {
    if (a.at != b.at) return a.at < b.at;
    return (a.kind == "action") < (b.kind == "action");
  });
  return out;
}

}  // namespace beffroi::store
