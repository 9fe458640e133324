// Store: detections, and attaching them to incidents.
#include "analyzer/store/internal.h"
#include "analyzer/store/store.h"

namespace beffroi::store {

using internal::Context;
using internal::OrEmptyArray;
using internal::StepForInt64;

namespace {

constexpr std::string_view kInsertDetection = R"sql(
INSERT INTO detections (incident_id, host_id, kind, rule, score, techniques_json, playbook,
                        reasons_json, description, file_path, sha256, observed_at, created_at,
                        source, source_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
ON CONFLICT (host_id, kind, rule, file_path, sha256) DO NOTHING
RETURNING id)sql";

constexpr std::string_view kFindDetection = R"sql(
SELECT id FROM detections
WHERE host_id = ?1 AND kind = ?2 AND rule = ?3 AND file_path = ?4 AND sha256 = ?5)sql";

constexpr std::string_view kDetectionOwner =
    "SELECT host_id, incident_id FROM detections WHERE id = ?1";
constexpr std::string_view kAttach = "UPDATE detections SET incident_id = ?1 WHERE id = ?2";

}  // namespace

Result<DetectionInsert> Store::InsertDetection(const DetectionRow& r) {
  std::string what = "insert detection " + r.kind + " " + r.rule;
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  DetectionInsert result;
  {
    auto stmt = Acquire(kInsertDetection);
    if (!stmt) return Context(what, stmt.error());
    Statement& s = **stmt;
    s.BindOptionalInt64(1, r.incident_id)
        .BindInt64(2, r.host_id)
        .BindText(3, r.kind)
        .BindText(4, r.rule)
        .BindInt64(5, r.score)
        .BindText(6, OrEmptyArray(r.techniques_json))
        .BindOptionalText(7, r.playbook)
        .BindText(8, OrEmptyArray(r.reasons_json))
        .BindText(9, r.description)
        .BindText(10, r.file_path)
        .BindText(11, r.sha256)
        .BindText(12, r.observed_at)
        .BindText(13, r.created_at)
        .BindText(14, r.source)
        .BindOptionalInt64(15, r.source_id);
    auto row = s.Step();
    if (!row) return Context(what, row.error());
    // DO NOTHING returns no row on conflict; the existing row is looked up below.
    if (*row) result = DetectionInsert{s.ColumnInt64(0), true};
  }
  if (!result.inserted) {
    auto stmt = Acquire(kFindDetection);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)
        ->BindInt64(1, r.host_id)
        .BindText(2, r.kind)
        .BindText(3, r.rule)
        .BindText(4, r.file_path)
        .BindText(5, r.sha256);
    auto id = StepForInt64(**stmt);
    if (!id) return Context(what, id.error());
    result.id = *id;
  }
  if (Status s = tx->Commit(); !s.ok()) return Context(what, s.error());
  return result;
}

Status Store::AttachDetection(std::int64_t incident_id, std::int64_t detection_id) {
  std::string what = "attach detection " + std::to_string(detection_id) + " to incident " +
                     std::to_string(incident_id);
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  if (Status s = AttachChecked(incident_id, detection_id); !s.ok()) {
    return Context(what, s.error());
  }
  if (Status s = tx->Commit(); !s.ok()) return Context(what, s.error());
  return OkStatus();
}

Status Store::AttachChecked(std::int64_t incident_id, std::int64_t detection_id) {
  std::int64_t detection_host = 0;
  std::optional<std::int64_t> current;
  {
    auto stmt = Acquire(kDetectionOwner);
    if (!stmt) return stmt.error();
    (*stmt)->BindInt64(1, detection_id);
    auto row = (*stmt)->Step();
    if (!row) return row.error();
    if (!*row) return MakeError(ErrorCode::kNotFound, "no such detection");
    detection_host = (*stmt)->ColumnInt64(0);
    current = (*stmt)->ColumnOptionalInt64(1);
  }
  if (current == incident_id) return OkStatus();
  if (current) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "it already belongs to incident " + std::to_string(*current));
  }
  {
    auto stmt = Acquire(internal::kIncidentHostSql);
    if (!stmt) return stmt.error();
    (*stmt)->BindInt64(1, incident_id);
    auto row = (*stmt)->Step();
    if (!row) return row.error();
    if (!*row) return MakeError(ErrorCode::kNotFound, "no such incident");
    if ((*stmt)->ColumnInt64(0) != detection_host) {
      return MakeError(ErrorCode::kInvalidArgument, "they are about different hosts");
    }
  }
  auto stmt = Acquire(kAttach);
  if (!stmt) return stmt.error();
  (*stmt)->BindInt64(1, incident_id).BindInt64(2, detection_id);
  return (*stmt)->Run();
}

}  // namespace beffroi::store
