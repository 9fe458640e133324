// Store: merging incidents into one, and splitting detections off into a new incident. Every
// detection stays somewhere; the audit entries on both sides list which ones moved.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "analyzer/store/internal.h"
#include "analyzer/store/store.h"
#include "common/text.h"

namespace beffroi::store {

using internal::Context;

namespace {

constexpr std::string_view kMoveAll =
    "UPDATE detections SET incident_id = ?1 WHERE incident_id = ?2";
constexpr std::string_view kMoveOne =
    "UPDATE detections SET incident_id = ?1 WHERE id = ?2 AND incident_id = ?3";
constexpr std::string_view kCopyTags = R"sql(
INSERT INTO incident_tags (incident_id, tag) SELECT ?1, tag FROM incident_tags
WHERE incident_id = ?2 ON CONFLICT DO NOTHING)sql";
constexpr std::string_view kMarkMerged = R"sql(
UPDATE incidents SET status = 'merged', merged_into = ?2 WHERE id = ?1)sql";
constexpr std::string_view kAdoptCampaign = R"sql(
UPDATE incidents SET campaign_id = coalesce(campaign_id, ?2) WHERE id = ?1)sql";

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

Result<MoveResult> Store::MergeIncidents(std::int64_t target,
                                         const std::vector<std::int64_t>& sources, const Who& who,
                                         std::optional<std::int64_t> expect_version) {
  std::string what = "merge into incident " + std::to_string(target);
  if (sources.empty()) return Invalid(what + ": name the incidents to merge into it");
  std::set<std::int64_t> unique(sources.begin(), sources.end());
  if (unique.size() != sources.size()) return Invalid(what + ": an incident is named twice");
  if (unique.count(target)) return Invalid(what + ": an incident cannot be merged into itself");
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  auto into = LoadForChange(target, expect_version);
  if (!into) return into.error();
  if (into->incident.status == kStatusMerged) {
    return Invalid(what + ": it was itself merged into incident " +
                   std::to_string(into->incident.merged_into.value_or(0)) + "; merge into that");
  }
  MoveResult result{target, {}};
  std::string now = NowTimestamp();
  for (std::int64_t source : sources) {
    auto from = LoadForChange(source, std::nullopt);
    if (!from) return Context(what, from.error());
    const IncidentRow& f = from->incident;
    if (f.status == kStatusMerged) {
      return Invalid(what + ": incident " + std::to_string(source) +
                     " was already merged into incident " +
                     std::to_string(f.merged_into.value_or(0)));
    }
    if (f.host_id != into->incident.host_id) {
      return Invalid(what + ": incident " + std::to_string(source) + " is on " + f.host_name +
                     " and incident " + std::to_string(target) + " on " + into->incident.host_name +
                     "; incidents on different hosts are linked as a campaign, not merged");
    }
    std::vector<std::int64_t> moved;
    for (const DetectionRow& d : from->detections)
      moved.push_back(d.id);
    for (std::string_view sql : {kMoveAll, kCopyTags}) {
      auto stmt = Acquire(sql);
      if (!stmt) return Context(what, stmt.error());
      (*stmt)->BindInt64(1, target).BindInt64(2, source);
      if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
    }
    {
      auto stmt = Acquire(kMarkMerged);
      if (!stmt) return Context(what, stmt.error());
      (*stmt)->BindInt64(1, source).BindInt64(2, target);
      if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
    }
    if (f.campaign_id) {
      auto stmt = Acquire(kAdoptCampaign);
      if (!stmt) return Context(what, stmt.error());
      (*stmt)->BindInt64(1, target).BindInt64(2, *f.campaign_id);
      if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
    }
    if (Status s = Touch(source, now); !s.ok()) return Context(what, s.error());
    if (Status s = AppendAudit(
            who, "incident.merged_into", "incident", source,
            nlohmann::json{{"into", target}, {"from_status", f.status}, {"detections", moved}}
                .dump(),
            now);
        !s.ok()) {
      return s.error();
    }
    if (Status s = AppendAudit(who, "incident.merged", "incident", target,
                               nlohmann::json{{"from", source}, {"detections", moved}}.dump(), now);
        !s.ok()) {
      return s.error();
    }
    result.detections.insert(result.detections.end(), moved.begin(), moved.end());
  }
  if (Status s = WriteRefresh(target); !s.ok()) return Context(what, s.error());
  if (Status s = Touch(target, now); !s.ok()) return Context(what, s.error());
  if (Status s = tx->Commit(); !s.ok()) return Context(what, s.error());
  return result;
}

Result<MoveResult> Store::SplitIncident(std::int64_t incident_id,
                                        const std::vector<std::int64_t>& detections, const Who& who,
                                        std::optional<std::int64_t> expect_version) {
  std::string what = "split incident " + std::to_string(incident_id);
  if (detections.empty()) return Invalid(what + ": name the detections to split off");
  std::set<std::int64_t> unique(detections.begin(), detections.end());
  if (unique.size() != detections.size()) return Invalid(what + ": a detection is named twice");
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  auto from = LoadForChange(incident_id, expect_version);
  if (!from) return from.error();
  const IncidentRow& f = from->incident;
  if (f.status == kStatusMerged) {
    return Invalid(what + ": it was merged into incident " +
                   std::to_string(f.merged_into.value_or(0)));
  }
  std::set<std::int64_t> own;
  for (const DetectionRow& d : from->detections)
    own.insert(d.id);
  for (std::int64_t id : detections) {
    if (!own.count(id)) {
      return Invalid(what + ": detection " + std::to_string(id) + " is not part of it");
    }
  }
  if (unique.size() == own.size()) {
    return Invalid(what + ": that is every detection it has; keep at least one");
  }
  std::string now = NowTimestamp();
  IncidentRow row;
  row.host_id = f.host_id;
  row.threat_key = f.threat_key;
  row.title = f.title;
  row.severity = f.severity;
  row.score = f.score;
  row.first_seen = f.first_seen;
  row.last_seen = f.last_seen;
  row.created_at = now;
  row.updated_at = now;
  row.playbook = f.playbook;
  auto created = CreateIncident(row);
  if (!created) return Context(what, created.error());
  if (f.campaign_id) {
    auto stmt = Acquire(kAdoptCampaign);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, *created).BindInt64(2, *f.campaign_id);
    if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
  }
  std::vector<std::int64_t> moved(unique.begin(), unique.end());
  for (std::int64_t id : moved) {
    auto stmt = Acquire(kMoveOne);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, *created).BindInt64(2, id).BindInt64(3, incident_id);
    if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
  }
  for (std::int64_t id : {incident_id, *created}) {
    if (Status s = WriteRefresh(id); !s.ok()) return Context(what, s.error());
  }
  if (Status s = Touch(incident_id, now); !s.ok()) return Context(what, s.error());
  if (Status s = AppendAudit(who, "incident.split", "incident", incident_id,
                             nlohmann::json{{"into", *created}, {"detections", moved}}.dump(), now);
      !s.ok()) {
    return s.error();
  }
  if (Status s = AppendAudit(
          who, "incident.split_from", "incident", *created,
          nlohmann::json{
              {"from", incident_id}, {"detections", moved}, {"title", ToValidUtf8(f.title)}}
              .dump(),
          now);
      !s.ok()) {
    return s.error();
  }
  if (Status s = tx->Commit(); !s.ok()) return Context(what, s.error());
  return MoveResult{*created, moved};
}

}  // namespace beffroi::store
