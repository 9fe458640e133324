// Helpers and SQL shared by the Store's .cc files; not part of the store's API.
//
// Pure functions over a caller's Statement; thread-compatible like Statement.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "analyzer/store/rows.h"
#include "analyzer/store/sqlite.h"
#include "common/result.h"

namespace beffroi::store::internal {

inline constexpr std::string_view kIncidentHostSql = "SELECT host_id FROM incidents WHERE id = ?1";

// JSON array columns are NOT NULL; an empty string from the caller means "no entries".
inline std::string_view OrEmptyArray(const std::string& json) {
  return json.empty() ? std::string_view("[]") : std::string_view(json);
}

// "WHAT: message", keeping the error code.
inline Error Context(std::string_view what, const Error& error) {
  return MakeError(error.code, std::string(what) + ": " + error.message);
}

// Steps a statement that must return one row (an INSERT ... RETURNING id, a count) and reads
// its first column.
inline Result<std::int64_t> StepForInt64(Statement& stmt) {
  auto row = stmt.Step();
  if (!row) return row.error();
  if (!*row) return MakeError(ErrorCode::kInternal, "statement returned no row");
  return stmt.ColumnInt64(0);
}

// Row readers for the column lists of incidents.cc (kIncidentDetections, BEFFROI_SELECT_INCIDENT).
DetectionRow ReadDetection(const Statement& s);
IncidentRow ReadIncidentRow(const Statement& s);

// The SELECT list ReadDetection reads, for queries in other files.
inline constexpr std::string_view kDetectionColumns =
    "id, incident_id, host_id, kind, rule, score, techniques_json, playbook, reasons_json, "
    "description, file_path, sha256, observed_at, created_at, source, source_id, "
    "last_observed_at, sightings";

}  // namespace beffroi::store::internal
