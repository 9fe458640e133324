// Row types of the analyzer database (see migrations.cc for the schema) and the severity
// scale shared by detections and incidents.
//
// Plain value structs, one per table, with the table's column names. `id` fields are assigned
// by the database and ignored on insert. Nullable columns are std::optional; columns that are
// part of a UNIQUE key use "" for "not applicable" instead. Timestamps are RFC 3339 UTC text
// from common/text.h (FormatTimestamp, NowTimestamp), whose fixed width makes text order time
// order. *_json fields hold JSON text. Every member has a default initializer, so designated
// initializers that name only some fields compile cleanly under -Wmissing-field-initializers.
// Thread-compatible value types; the functions are pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace beffroi::store {

inline constexpr std::string_view kSeverityLow = "low";
inline constexpr std::string_view kSeverityMedium = "medium";
inline constexpr std::string_view kSeverityHigh = "high";
inline constexpr std::string_view kSeverityCritical = "critical";

// The incident lifecycle (NIST SP 800-61 phases): new -> triaged -> contained -> eradicated ->
// recovered -> closed, or false-positive. "merged" is set only by a merge. Closed,
// false-positive and merged incidents are not open (the SQL in incidents.cc spells these out);
// lifecycle.h says which moves are allowed.
inline constexpr std::string_view kStatusNew = "new";
inline constexpr std::string_view kStatusTriaged = "triaged";
inline constexpr std::string_view kStatusContained = "contained";
inline constexpr std::string_view kStatusEradicated = "eradicated";
inline constexpr std::string_view kStatusRecovered = "recovered";
inline constexpr std::string_view kStatusClosed = "closed";
inline constexpr std::string_view kStatusFalsePositive = "false-positive";
inline constexpr std::string_view kStatusMerged = "merged";

inline constexpr std::string_view kSourceBundle = "bundle";
inline constexpr std::string_view kSourceScan = "scan";

// >= 90 critical, >= 70 high, >= 40 medium, else low.
std::string_view SeverityForScore(std::int64_t score);
// 1 (low) .. 4 (critical); 0 for anything else.
int SeverityRank(std::string_view severity);
// A campaign's severity: its highest score's band, one band higher from 3 hosts hit and two
// from 10 (the same malware on ten city machines is an emergency whatever one file scores).
std::string_view CampaignSeverity(std::int64_t max_score, std::int64_t hosts);

// Who did something, for the audit log: the OS account that ran the command, and the name
// given with --as (a responder acting from a shared account), kept side by side.
struct Who {
  std::string user{};  // OS user
  std::string as{};    // --as NAME, or ""
  // "alice" or "Marie Dupont (as alice)": for the actor columns of scans and bundles.
  std::string Display() const { return as.empty() ? user : as + " (as " + user + ")"; }
};

struct HostRow {
  std::int64_t id = 0;
  std::string name{};
  std::optional<std::string> host_uid{};
  std::string first_seen{};
  std::string last_seen{};
};

struct BundleRow {
  std::int64_t id = 0;
  std::string bundle_uuid{};
  std::string manifest_sha256{};
  std::int64_t host_id = 0;
  std::string agent{};
  std::string agent_version{};
  std::optional<std::string> examiner{};
  std::optional<std::string> case_ref{};
  std::string started{};
  std::string ended{};
  std::string path{};  // where the bundle was ingested from
  std::string ingested_at{};
  std::string ingested_by{};
};

struct ScanRow {
  std::int64_t id = 0;
  std::int64_t host_id = 0;
  std::string started{};
  std::optional<std::string> ended{};  // set by FinishScan
  std::string roots_json = "[]";       // JSON array of the scanned paths
  std::optional<std::string> ruleset_hash{};
  std::string actor{};
  std::int64_t files_seen = 0;
  std::int64_t files_scanned = 0;
  std::int64_t detections = 0;
};

// Exactly one of bundle_id and scan_id is set (the schema enforces it).
struct FileObservationRow {
  std::int64_t id = 0;
  std::int64_t host_id = 0;
  std::optional<std::int64_t> bundle_id{};
  std::optional<std::int64_t> scan_id{};
  std::string path{};
  std::optional<std::int64_t> size{};
  std::optional<std::string> sha256{};  // empty when the file could not be read
  std::optional<std::string> md5{};
  std::optional<std::string> sha1{};
  std::optional<std::string> mtime{};
  std::optional<std::string> magic{};
  std::string observed_at{};
};

struct NetObservationRow {
  std::int64_t host_id = 0;
  std::optional<std::int64_t> bundle_id{};
  std::string kind{};
  std::string observed_at{};
  std::optional<std::string> transport{}, src_ip{}, dst_ip{};
  std::optional<std::int64_t> src_port{}, dst_port{};
  std::optional<std::string> domain{}, url{}, ja3{}, ja4{}, user_agent{}, sha256{}, detail{};
};

// Keyed by (host_id, device, inode); dev_t and ino_t values are stored bit-for-bit as int64.
struct ScanCacheRow {
  std::int64_t host_id = 0;
  std::int64_t device = 0;
  std::int64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::string ruleset_hash{};  // "" when hashed but not YARA-scanned
  std::string sha256{};
  std::optional<std::string> md5{};
  std::optional<std::string> sha1{};
};

// Unique on (host_id, kind, rule, file_path, sha256): the same finding twice is one row.
struct DetectionRow {
  std::int64_t id = 0;
  std::optional<std::int64_t> incident_id{};
  std::int64_t host_id = 0;
  std::string kind{};  // "yara", "ioc.hash", "ioc.filename", ...
  std::string rule{};
  std::int64_t score = 0;
  std::string techniques_json = "[]";  // JSON array of ATT&CK ids
  std::optional<std::string> playbook{};
  std::string reasons_json = "[]";
  std::string description{};
  std::string file_path{};  // "" when not about a file
  std::string sha256{};     // "" when not about content
  std::string observed_at{};
  std::string created_at{};
  std::string source{};  // kSourceBundle or kSourceScan
  std::optional<std::int64_t> source_id{};
  // Filled by reads, ignored on insert: the latest repeat ("" when never found again) and
  // how many times the detection was found in all.
  std::string last_observed_at{};
  std::int64_t sightings = 1;
};

struct DetectionInsert {
  std::int64_t id = 0;
  bool inserted = false;  // false: the detection was already stored; id is the existing row
};

struct IncidentRow {
  std::int64_t id = 0;
  std::int64_t host_id = 0;
  std::string threat_key{};  // what correlation groups detections by
  std::string title{};
  std::string severity{};  // kSeverity*
  std::int64_t score = 0;
  std::string status{};  // "" on create means kStatusNew
  std::string first_seen{};
  std::string last_seen{};
  std::string created_at{};  // "" on create means now
  std::string updated_at{};  // "" on create means now
  std::string techniques_json = "[]";
  std::optional<std::string> playbook{};
  // Filled by reads, ignored on create.
  std::string host_name{};
  std::int64_t detection_count = 0;
  std::string assignee{};
  std::int64_t version = 1;
  std::optional<std::int64_t> campaign_id{};
  std::optional<std::int64_t> merged_into{};
  std::string closed_at{};
  std::string resolution{};
  std::vector<std::string> tags{};  // sorted
};

struct IncidentDetail {
  IncidentRow incident{};
  std::vector<DetectionRow> detections{};  // highest score first
};

struct IncidentFilter {
  std::optional<std::string> status{};        // exact status
  bool open_only = false;                     // leave out closed, false-positive, merged
  std::optional<std::string> min_severity{};  // kSeverity*; others are an error
  std::optional<std::string> host_name{};
  std::optional<std::string> tag{};
  std::optional<std::string> assignee{};
  std::optional<std::int64_t> campaign_id{};
  std::int64_t limit = 0;  // 0: all
};

struct AuditRow {
  std::int64_t id = 0;
  std::string at{};
  std::string actor{};
  std::string action{};  // dotted verb: "bundle.ingest", "incident.status"
  std::string object_type{};
  std::optional<std::int64_t> object_id{};
  std::string details_json = "{}";
  std::string acting_as{};                 // --as NAME, or ""
  std::optional<std::string> prev_hash{};  // the chain: absent on entries older than schema 3
  std::optional<std::string> hash{};
};

// The result of Store::VerifyAudit.
struct AuditCheck {
  std::int64_t entries = 0;
  std::int64_t chained = 0;                 // entries that carry a hash
  std::optional<std::int64_t> bad_entry{};  // the first entry that fails, if any
  std::string problem{};                    // what is wrong with it
};

struct CampaignRow {
  std::int64_t id = 0;
  std::string title{};
  std::string created_at{};
  std::string indicators_json = "[]";
  // Filled by reads.
  std::vector<std::int64_t> incidents{};
  std::vector<std::string> hosts{};  // sorted
  std::int64_t max_score = 0;
  std::string severity{};  // CampaignSeverity
  std::string first_seen{};
  std::string last_seen{};
};

struct AllowlistRow {
  std::int64_t id = 0;
  std::string kind{};  // "sha256" or "path"
  std::string value{};
  std::int64_t host_id = 0;  // 0 for hashes
  std::string reason{};
  std::optional<std::int64_t> incident_id{};
  std::string added_by{};
  std::string added_at{};
};

// One line of an incident's timeline: a detection observed, or an analyst's (or the
// analyzer's) action from the audit log. In time order, detections before actions at a tie.
struct TimelineEntry {
  std::string at{};
  std::string kind{};    // "detection", "sighting" or "action"
  std::string actor{};   // actions: Who::Display()
  std::string action{};  // actions: the audit action; detections: the detection kind
  std::string summary{};
  std::optional<std::int64_t> detection_id{};
  std::optional<std::int64_t> audit_id{};
  std::int64_t incident_id = 0;  // where it happened (an incident merged into this one)
};

// What a merge or split moved, for the caller's message.
struct MoveResult {
  std::int64_t incident_id = 0;  // the target (merge) or the new incident (split)
  std::vector<std::int64_t> detections{};
};

// One run of a playbook on an incident (unique per incident and playbook). `version` counts
// its events: AppendPlaybookEvent writes only when the caller saw the current version.
struct PlaybookRunRow {
  std::int64_t id = 0;
  std::int64_t incident_id = 0;
  std::string playbook_id{};  // CACAO id
  std::string playbook_name{};
  std::string playbook_title{};
  std::string playbook_sha256{};
  std::string aware_at{};  // T0 of the legal clocks
  std::string started_at{};
  std::string started_by{};
  std::string updated_at{};
  std::optional<std::string> finished_at{};
  std::int64_t version = 0;
};

struct PlaybookEventRow {
  std::int64_t id = 0;
  std::int64_t run_id = 0;
  std::string step_id{};
  std::string step_name{};
  std::string kind{};  // "done", "skipped", "note", "choice"
  std::string value{};
  std::optional<std::string> variable{};
  std::optional<std::string> clock{};
  std::string actor{};
  std::string at{};
};

// An exercise session and its facilitator's clock (analyzer/exercise/clock.h).
struct ExerciseSessionRow {
  std::int64_t id = 0;
  std::string scenario_id{};
  std::string scenario_title{};
  std::string scenario_file{};
  std::string scenario_sha256{};
  std::string scenario_start{};  // T+0 of the story
  std::string created_at{};
  std::string created_by{};
  std::optional<std::string> finished_at{};
  std::int64_t clock_elapsed_ns = 0;
  std::int64_t clock_anchor_ns = 0;
  double clock_speed = 1;
  bool clock_running = false;
  std::int64_t answers_applied = 0;
};

struct ExerciseEventRow {
  std::int64_t id = 0;
  std::int64_t session_id = 0;
  std::string kind{};  // clock, inject, decision, tick, note, plan, end
  std::string ref{};
  std::string team{};
  std::string value{};
  std::string detail{};
  std::int64_t elapsed_ns = 0;
  std::int64_t took_ns = 0;
  std::int64_t wall_ns = 0;
  std::string actor{};
};

}  // namespace beffroi::store
