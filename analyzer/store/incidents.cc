// Store: incidents (correlation's storage) and the severity scale. Detections are in
// detections.cc.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "analyzer/store/internal.h"
#include "analyzer/store/store.h"
#include "common/text.h"

namespace beffroi::store {

using internal::Context;
using internal::StepForInt64;

namespace {

// Shared SQL fragments, as macros so that they concatenate into constant SQL at compile time.
#define BEFFROI_SEVERITY_RANK                                                             \
  "(CASE i.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN " \
  "'low' THEN 1 ELSE 0 END)"
#define BEFFROI_SELECT_INCIDENT                                                             \
  "SELECT i.id, i.host_id, h.name, i.threat_key, i.title, i.severity, i.score, i.status, "  \
  "i.first_seen, i.last_seen, i.created_at, i.updated_at, i.techniques_json, i.playbook, "  \
  "(SELECT count(*) FROM detections d WHERE d.incident_id = i.id), i.assignee, i.version, " \
  "i.campaign_id, i.merged_into, i.closed_at, i.resolution, "                               \
  "(SELECT json_group_array(tag) FROM (SELECT tag FROM incident_tags t "                    \
  "WHERE t.incident_id = i.id ORDER BY tag)) "                                              \
  "FROM incidents i JOIN hosts h ON h.id = i.host_id "

constexpr std::string_view kFindOpenIncident = BEFFROI_SELECT_INCIDENT
    "WHERE i.host_id = ?1 AND i.threat_key = ?2 "
    "AND i.status NOT IN ('closed', 'false-positive', 'merged') "
    "AND i.last_seen >= ?3 AND (?4 = '' OR i.first_seen <= ?4) "
    "ORDER BY i.last_seen DESC, i.id DESC LIMIT 1";

constexpr std::string_view kGetIncident = BEFFROI_SELECT_INCIDENT "WHERE i.id = ?1";

constexpr std::string_view kListIncidents = BEFFROI_SELECT_INCIDENT
    "WHERE (?1 IS NULL OR i.status = ?1) "
    "AND (?2 = 0 OR i.status NOT IN ('closed', 'false-positive', 'merged')) "
    "AND " BEFFROI_SEVERITY_RANK
    " >= ?3 AND (?4 IS NULL OR h.name = ?4) "
    "AND (?6 IS NULL OR EXISTS (SELECT 1 FROM incident_tags t WHERE t.incident_id = i.id "
    "AND t.tag = ?6)) AND (?7 IS NULL OR i.assignee = ?7) AND (?8 IS NULL OR i.campaign_id = ?8) "
    "ORDER BY " BEFFROI_SEVERITY_RANK " DESC, i.last_seen DESC, i.id DESC LIMIT ?5";

constexpr std::string_view kIncidentDetections = R"sql(
SELECT id, incident_id, host_id, kind, rule, score, techniques_json, playbook, reasons_json,
       description, file_path, sha256, observed_at, created_at, source, source_id,
       last_observed_at, sightings
FROM detections WHERE incident_id = ?1 ORDER BY score DESC, observed_at, id)sql";

#undef BEFFROI_SEVERITY_RANK
#undef BEFFROI_SELECT_INCIDENT

constexpr std::string_view kCreateIncident = R"sql(
INSERT INTO incidents (host_id, threat_key, title, severity, score, status, first_seen,
                       last_seen, created_at, updated_at, techniques_json, playbook)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
RETURNING id)sql";

constexpr std::string_view kAggregate = R"sql(
SELECT count(*), max(score), min(observed_at), max(observed_at)
FROM detections WHERE incident_id = ?1)sql";

// Only text entries: techniques are ATT&CK ids ("T1486"); anything else is not one.
constexpr std::string_view kTechniques = R"sql(
SELECT DISTINCT j.value FROM detections d, json_each(d.techniques_json) j
WHERE d.incident_id = ?1 AND j.type = 'text' ORDER BY 1)sql";

// Ties go to the earliest detection, so the answer is stable across refreshes.
constexpr std::string_view kTopPlaybook = R"sql(
SELECT playbook FROM detections
WHERE incident_id = ?1 AND playbook IS NOT NULL AND playbook <> ''
ORDER BY score DESC, id LIMIT 1)sql";

constexpr std::string_view kUpdateIncident = R"sql(
UPDATE incidents SET score = ?2, severity = ?3, first_seen = ?4, last_seen = ?5,
  techniques_json = ?6, playbook = COALESCE(?7, playbook), updated_at = ?8
WHERE id = ?1)sql";

constexpr std::string_view kSetStatus =
    "UPDATE incidents SET status = ?2, updated_at = ?3 WHERE id = ?1";

IncidentRow ReadIncident(const Statement& s) {
  IncidentRow r;
  r.id = s.ColumnInt64(0);
  r.host_id = s.ColumnInt64(1);
  r.host_name = s.ColumnText(2);
  r.threat_key = s.ColumnText(3);
  r.title = s.ColumnText(4);
  r.severity = s.ColumnText(5);
  r.score = s.ColumnInt64(6);
  r.status = s.ColumnText(7);
  r.first_seen = s.ColumnText(8);
  r.last_seen = s.ColumnText(9);
  r.created_at = s.ColumnText(10);
  r.updated_at = s.ColumnText(11);
  r.techniques_json = s.ColumnText(12);
  r.playbook = s.ColumnOptionalText(13);
  r.detection_count = s.ColumnInt64(14);
  r.assignee = s.ColumnText(15);
  r.version = s.ColumnInt64(16);
  r.campaign_id = s.ColumnOptionalInt64(17);
  r.merged_into = s.ColumnOptionalInt64(18);
  r.closed_at = s.ColumnText(19);
  r.resolution = s.ColumnText(20);
  // Tags are checked non-empty text on insert; a malformed array reads as no tags.
  nlohmann::json tags = nlohmann::json::parse(s.ColumnText(21), nullptr, false);
  if (tags.is_array()) {
    for (const auto& t : tags) {
      if (t.is_string()) r.tags.push_back(t.get<std::string>());
    }
  }
  return r;
}

}  // namespace

namespace internal {

DetectionRow ReadDetection(const Statement& s) {
  DetectionRow r;
  r.id = s.ColumnInt64(0);
  r.incident_id = s.ColumnOptionalInt64(1);
  r.host_id = s.ColumnInt64(2);
  r.kind = s.ColumnText(3);
  r.rule = s.ColumnText(4);
  r.score = s.ColumnInt64(5);
  r.techniques_json = s.ColumnText(6);
  r.playbook = s.ColumnOptionalText(7);
  r.reasons_json = s.ColumnText(8);
  r.description = s.ColumnText(9);
  r.file_path = s.ColumnText(10);
  r.sha256 = s.ColumnText(11);
  r.observed_at = s.ColumnText(12);
  r.created_at = s.ColumnText(13);
  r.source = s.ColumnText(14);
  r.source_id = s.ColumnOptionalInt64(15);
  r.last_observed_at = s.ColumnText(16);
  r.sightings = s.ColumnInt64(17);
  return r;
}

IncidentRow ReadIncidentRow(const Statement& s) {
  return ReadIncident(s);
}

}  // namespace internal

using internal::ReadDetection;

std::string_view SeverityForScore(std::int64_t score) {
  if (score >= 90) return kSeverityCritical;
  if (score >= 70) return kSeverityHigh;
  if (score >= 40) return kSeverityMedium;
  return kSeverityLow;
}

std::string_view CampaignSeverity(std::int64_t max_score, std::int64_t hosts) {
  int rank = SeverityRank(SeverityForScore(max_score));
  if (hosts >= 3) ++rank;
  if (hosts >= 10) ++rank;
  constexpr std::string_view kByRank[] = {kSeverityLow, kSeverityMedium, kSeverityHigh,
                                          kSeverityCritical};
  return kByRank[std::min(rank, 4) - 1];
}

int SeverityRank(std::string_view severity) {
  if (severity == kSeverityLow) return 1;
  if (severity == kSeverityMedium) return 2;
  if (severity == kSeverityHigh) return 3;
  if (severity == kSeverityCritical) return 4;
  return 0;
}

Result<std::optional<IncidentRow>> Store::FindOpenIncident(std::int64_t host_id,
                                                           std::string_view threat_key,
                                                           std::string not_before,
                                                           std::string not_after) {
  std::string what = "find open incident " + std::string(threat_key);
  auto stmt = Acquire(kFindOpenIncident);
  if (!stmt) return Context(what, stmt.error());
  Statement& s = **stmt;
  s.BindInt64(1, host_id).BindText(2, threat_key).BindText(3, not_before).BindText(4, not_after);
  auto row = s.Step();
  if (!row) return Context(what, row.error());
  if (!*row) return std::optional<IncidentRow>();
  return std::optional<IncidentRow>(ReadIncident(s));
}

Result<std::int64_t> Store::CreateIncident(const IncidentRow& r) {
  std::string what = "create incident " + r.threat_key;
  if (SeverityRank(r.severity) == 0) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        what + ": severity \"" + r.severity + "\" is not one of low, medium, high, critical");
  }
  std::string now = NowTimestamp();
  auto stmt = Acquire(kCreateIncident);
  if (!stmt) return Context(what, stmt.error());
  (*stmt)
      ->BindInt64(1, r.host_id)
      .BindText(2, r.threat_key)
      .BindText(3, r.title)
      .BindText(4, r.severity)
      .BindInt64(5, r.score)
      .BindText(6, r.status.empty() ? kStatusNew : std::string_view(r.status))
      .BindText(7, r.first_seen)
      .BindText(8, r.last_seen)
      .BindText(9, r.created_at.empty() ? now : r.created_at)
      .BindText(10, r.updated_at.empty() ? now : r.updated_at)
      .BindText(11, internal::OrEmptyArray(r.techniques_json))
      .BindOptionalText(12, r.playbook);
  auto id = StepForInt64(**stmt);
  if (!id) return Context(what, id.error());
  return *id;
}

Status Store::RefreshIncident(std::int64_t incident_id) {
  std::string what = "refresh incident " + std::to_string(incident_id);
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  if (Status s = WriteRefresh(incident_id); !s.ok()) return Context(what, s.error());
  if (Status s = tx->Commit(); !s.ok()) return Context(what, s.error());
  return OkStatus();
}

Status Store::WriteRefresh(std::int64_t incident_id) {
  std::int64_t count = 0, score = 0;
  std::string first_seen, last_seen;
  {
    auto stmt = Acquire(kAggregate);
    if (!stmt) return stmt.error();
    (*stmt)->BindInt64(1, incident_id);
    auto row = StepForInt64(**stmt);
    if (!row) return row.error();
    count = *row;
    score = (*stmt)->ColumnInt64(1);
    first_seen = (*stmt)->ColumnText(2);
    last_seen = (*stmt)->ColumnText(3);
  }
  if (count == 0) {
    auto stmt = Acquire(internal::kIncidentHostSql);
    if (!stmt) return stmt.error();
    (*stmt)->BindInt64(1, incident_id);
    auto row = (*stmt)->Step();
    if (!row) return row.error();
    if (!*row) return MakeError(ErrorCode::kNotFound, "no such incident");
    return OkStatus();
  }
  nlohmann::json techniques = nlohmann::json::array();
  {
    auto stmt = Acquire(kTechniques);
    if (!stmt) return stmt.error();
    (*stmt)->BindInt64(1, incident_id);
    for (;;) {
      auto row = (*stmt)->Step();
      if (!row) return row.error();
      if (!*row) break;
      techniques.push_back((*stmt)->ColumnText(0));
    }
  }
  std::optional<std::string> playbook;
  {
    auto stmt = Acquire(kTopPlaybook);
    if (!stmt) return stmt.error();
    (*stmt)->BindInt64(1, incident_id);
    auto row = (*stmt)->Step();
    if (!row) return row.error();
    if (*row) playbook = (*stmt)->ColumnText(0);
  }
  auto stmt = Acquire(kUpdateIncident);
  if (!stmt) return stmt.error();
  // `replace`: a stored technique that is not valid UTF-8 must not make dump() throw.
  (*stmt)
      ->BindInt64(1, incident_id)
      .BindInt64(2, score)
      .BindText(3, SeverityForScore(score))
      .BindText(4, first_seen)
      .BindText(5, last_seen)
      .BindText(6, techniques.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .BindOptionalText(7, playbook)
      .BindText(8, NowTimestamp());
  return (*stmt)->Run();
}

Status Store::SetIncidentStatus(std::int64_t incident_id, std::string_view status,
                                std::string_view at) {
  std::string what = "set status of incident " + std::to_string(incident_id);
  auto stmt = Acquire(kSetStatus);
  if (!stmt) return Context(what, stmt.error());
  (*stmt)->BindInt64(1, incident_id).BindText(2, status).BindText(3, at);
  if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
  if (db_->changes() == 0) return MakeError(ErrorCode::kNotFound, what + ": no such incident");
  return OkStatus();
}

Result<std::vector<IncidentRow>> Store::ListIncidents(const IncidentFilter& filter) {
  std::string what = "list incidents";
  int min_rank = 0;
  if (filter.min_severity) {
    min_rank = SeverityRank(*filter.min_severity);
    if (min_rank == 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       what + ": severity \"" + *filter.min_severity +
                           "\" is not one of low, medium, high, critical");
    }
  }
  auto stmt = Acquire(kListIncidents);
  if (!stmt) return Context(what, stmt.error());
  Statement& s = **stmt;
  s.BindOptionalText(1, filter.status)
      .BindInt64(2, filter.open_only ? 1 : 0)
      .BindInt64(3, min_rank)
      .BindOptionalText(4, filter.host_name)
      .BindInt64(5, filter.limit > 0 ? filter.limit : -1)  // LIMIT -1: no limit
      .BindOptionalText(6, filter.tag)
      .BindOptionalText(7, filter.assignee)
      .BindOptionalInt64(8, filter.campaign_id);
  std::vector<IncidentRow> rows;
  for (;;) {
    auto row = s.Step();
    if (!row) return Context(what, row.error());
    if (!*row) break;
    rows.push_back(ReadIncident(s));
  }
  return rows;
}

Result<std::optional<IncidentDetail>> Store::GetIncident(std::int64_t incident_id) {
  std::string what = "get incident " + std::to_string(incident_id);
  IncidentDetail detail;
  {
    auto stmt = Acquire(kGetIncident);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, incident_id);
    auto row = (*stmt)->Step();
    if (!row) return Context(what, row.error());
    if (!*row) return std::optional<IncidentDetail>();
    detail.incident = ReadIncident(**stmt);
  }
  auto stmt = Acquire(kIncidentDetections);
  if (!stmt) return Context(what, stmt.error());
  (*stmt)->BindInt64(1, incident_id);
  for (;;) {
    auto row = (*stmt)->Step();
    if (!row) return Context(what, row.error());
    if (!*row) break;
    detail.detections.push_back(ReadDetection(**stmt));
  }
  // The two reads are not one snapshot; make the count agree with the list returned.
  detail.incident.detection_count = static_cast<std::int64_t>(detail.detections.size());
  return std::optional<IncidentDetail>(std::move(detail));
}

}  // namespace beffroi::store
