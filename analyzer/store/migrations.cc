#include "analyzer/store/migrations.h"

#include <iterator>
#include <string>

namespace beffroi::store {

namespace {

// Schema version 1. Conventions, so that later migrations keep them:
// - Timestamps are RFC 3339 UTC text from common/text.h ("2026-11-22T03:49:49.123456Z"): fixed
//   width, so text order is time order and min()/max()/>= work on them directly.
// - STRICT tables: a value of the wrong type is an error, not a silent conversion.
// - Columns in a UNIQUE key are NOT NULL with '' for "not applicable", because SQLite treats
//   NULLs as distinct and the key would stop deduplicating.
// - *_json columns hold JSON text; CHECKs keep it valid so readers (and json_each in
//   RefreshIncident) never meet garbage.
constexpr std::string_view kSchemaV1 = R"sql(
PRAGMA application_id = 1111901778;  -- kApplicationId, "BFFR"

CREATE TABLE hosts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,  -- what examiners type and agents report
  host_uid TEXT,              -- machine-id or SID when known: tells reinstalls apart
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL
) STRICT;

CREATE TABLE bundles (
  id INTEGER PRIMARY KEY,
  bundle_uuid TEXT NOT NULL,
  manifest_sha256 TEXT NOT NULL UNIQUE,  -- makes ingest idempotent
  host_id INTEGER NOT NULL REFERENCES hosts(id),
  agent TEXT NOT NULL,
  agent_version TEXT NOT NULL,
  examiner TEXT,
  case_ref TEXT,
  started TEXT NOT NULL,
  ended TEXT NOT NULL,
  path TEXT NOT NULL,
  ingested_at TEXT NOT NULL,
  ingested_by TEXT NOT NULL
) STRICT;
CREATE INDEX bundles_by_host ON bundles(host_id);

CREATE TABLE scans (
  id INTEGER PRIMARY KEY,
  host_id INTEGER NOT NULL REFERENCES hosts(id),
  started TEXT NOT NULL,
  ended TEXT,  -- NULL while running, or if the scan was interrupted
  roots_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(roots_json)),
  ruleset_hash TEXT,
  actor TEXT NOT NULL,
  files_seen INTEGER NOT NULL DEFAULT 0,
  files_scanned INTEGER NOT NULL DEFAULT 0,
  detections INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX scans_by_host ON scans(host_id);

-- Every observation names exactly one source, bundle or scan: chain of custody.
CREATE TABLE file_observations (
  id INTEGER PRIMARY KEY,
  host_id INTEGER NOT NULL REFERENCES hosts(id),
  bundle_id INTEGER REFERENCES bundles(id),
  scan_id INTEGER REFERENCES scans(id),
  path TEXT NOT NULL,
  size INTEGER,
  sha256 TEXT,  -- NULL when the file could not be read
  md5 TEXT,
  sha1 TEXT,
  mtime TEXT,
  magic TEXT,
  observed_at TEXT NOT NULL,
  CHECK ((bundle_id IS NULL) <> (scan_id IS NULL))
) STRICT;
CREATE INDEX file_observations_by_sha256 ON file_observations(sha256);
CREATE INDEX file_observations_by_host_path ON file_observations(host_id, path);

-- Lets a rescan skip files whose size, mtime and ctime did not change. ctime is there because
-- mtime can be set back by anyone who can write the file; ctime cannot.
CREATE TABLE scan_cache (
  host_id INTEGER NOT NULL REFERENCES hosts(id),
  device INTEGER NOT NULL,
  inode INTEGER NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  ctime_ns INTEGER NOT NULL,
  ruleset_hash TEXT NOT NULL,  -- '' when the file was hashed but not YARA-scanned
  sha256 TEXT NOT NULL,
  md5 TEXT,
  sha1 TEXT,
  PRIMARY KEY (host_id, device, inode)
) STRICT, WITHOUT ROWID;

-- Each unique content is YARA-scanned once per rule-set version.
CREATE TABLE yara_verdicts (
  sha256 TEXT NOT NULL,
  ruleset_hash TEXT NOT NULL,
  matches_json TEXT NOT NULL CHECK (json_valid(matches_json)),
  scanned_at TEXT NOT NULL,
  PRIMARY KEY (sha256, ruleset_hash)
) STRICT, WITHOUT ROWID;

CREATE TABLE incidents (
  id INTEGER PRIMARY KEY,
  host_id INTEGER NOT NULL REFERENCES hosts(id),
  threat_key TEXT NOT NULL,
  title TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  score INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'new' CHECK (status <> ''),
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  techniques_json TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(techniques_json) AND json_type(techniques_json) = 'array'),
  playbook TEXT
) STRICT;
CREATE INDEX incidents_by_host_threat ON incidents(host_id, threat_key, last_seen);

CREATE TABLE detections (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER REFERENCES incidents(id),
  host_id INTEGER NOT NULL REFERENCES hosts(id),
  kind TEXT NOT NULL CHECK (kind <> ''),
  rule TEXT NOT NULL,
  score INTEGER NOT NULL,
  techniques_json TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(techniques_json) AND json_type(techniques_json) = 'array'),
  playbook TEXT,
  reasons_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(reasons_json)),
  description TEXT NOT NULL DEFAULT '',
  file_path TEXT NOT NULL DEFAULT '',
  sha256 TEXT NOT NULL DEFAULT '',
  observed_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('bundle', 'scan')),
  source_id INTEGER,  -- bundles.id or scans.id, per `source`
  UNIQUE (host_id, kind, rule, file_path, sha256)
) STRICT;
CREATE INDEX detections_by_incident ON detections(incident_id);

-- AUTOINCREMENT never reuses an id, so a row removed behind the triggers' back (by someone
-- editing the file directly) leaves a visible gap.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id INTEGER,
  details_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details_json))
) STRICT;
CREATE INDEX audit_log_by_object ON audit_log(object_type, object_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only');
END;
)sql";

// Network evidence: the addresses each host was seen with (to put network detections on the
// host they concern), and one row per DNS/HTTP/TLS record or flow, for search and retro-hunts.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE host_addresses (
  ip TEXT NOT NULL,
  host_id INTEGER NOT NULL REFERENCES hosts(id),
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  PRIMARY KEY (ip, host_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE net_observations (
  id INTEGER PRIMARY KEY,
  host_id INTEGER NOT NULL REFERENCES hosts(id),  -- the city host concerned (by address)
  bundle_id INTEGER REFERENCES bundles(id),
  kind TEXT NOT NULL,                             -- dns, http, tls, flow
  observed_at TEXT NOT NULL,
  transport TEXT,
  src_ip TEXT, src_port INTEGER, dst_ip TEXT, dst_port INTEGER,
  domain TEXT,      -- DNS question, HTTP host or TLS SNI
  url TEXT,
  ja3 TEXT, ja4 TEXT,
  user_agent TEXT,
  sha256 TEXT,      -- HTTP body or stream sample
  detail TEXT       -- JSON: DNS answers, HTTP status, certificate, byte counts
) STRICT;
CREATE INDEX net_observations_domain ON net_observations(domain);
CREATE INDEX net_observations_dst_ip ON net_observations(dst_ip);
CREATE INDEX net_observations_src_ip ON net_observations(src_ip);
CREATE INDEX net_observations_host ON net_observations(host_id, observed_at);
)sql";

// Imported IOC feeds and host observations (processes, sockets, persistence, anomalies).
// - ioc_feeds: one row per imported version of a feed; content_sha256 is over the parsed
//   indicators (FeedContentHash), so the same content again is recognised. A new version of
//   a feed supersedes the old one (superseded_by); `beffroi ioc remove` sets removed_at.
//   Rows are never deleted: they are the history of what the city was matched against.
// - ioc_indicators: the indicators of the feed versions still in use; a superseded or removed
//   version's indicators are deleted.
// - host_observations: what host bundles say beyond files, for matching, search and
//   retro-hunts. `value_sha256` is the executable's hash (process), `ip`/`port` the socket's
//   address, `path` the executable or the persistence file, `command_line` what runs.
// Numbered in its own constant (kSchemaFeeds) so that it can be renumbered when migrations
// of other branches land before it.
constexpr std::string_view kSchemaFeeds = R"sql(
CREATE TABLE ioc_feeds (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL CHECK (name <> ''),
  version INTEGER NOT NULL,
  format TEXT NOT NULL,
  sources_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(sources_json)),
  content_sha256 TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  imported_by TEXT NOT NULL,
  indicator_count INTEGER NOT NULL DEFAULT 0,
  counts_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(counts_json)),
  superseded_by INTEGER REFERENCES ioc_feeds(id),
  removed_at TEXT,
  UNIQUE (name, version)
) STRICT;
CREATE INDEX ioc_feeds_by_content ON ioc_feeds(content_sha256);

CREATE TABLE ioc_indicators (
  feed_id INTEGER NOT NULL REFERENCES ioc_feeds(id),
  type TEXT NOT NULL,
  value TEXT NOT NULL,
  score INTEGER NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  techniques_json TEXT NOT NULL DEFAULT '[]',
  playbook TEXT,
  ref TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (feed_id, type, value)
) STRICT, WITHOUT ROWID;
CREATE INDEX ioc_indicators_by_value ON ioc_indicators(type, value);

CREATE TABLE host_observations (
  id INTEGER PRIMARY KEY,
  host_id INTEGER NOT NULL REFERENCES hosts(id),
  bundle_id INTEGER NOT NULL REFERENCES bundles(id),
  kind TEXT NOT NULL,  -- process, socket, persistence, anomaly
  observed_at TEXT NOT NULL,
  name TEXT,           -- process name, persistence mechanism, anomaly name
  path TEXT,           -- executable, persistence file, anomaly path
  sha256 TEXT,         -- the executable's content
  command_line TEXT,
  ip TEXT, port INTEGER, transport TEXT,
  detail TEXT          -- JSON: pid, user, schedule, unit, message ...
) STRICT;
CREATE INDEX host_observations_sha256 ON host_observations(sha256) WHERE sha256 IS NOT NULL;
CREATE INDEX host_observations_ip ON host_observations(ip) WHERE ip IS NOT NULL;
CREATE INDEX host_observations_host ON host_observations(host_id, observed_at);

-- Search by URL, fingerprint and user agent as fast as by domain and address. Partial: most
-- records have none of these, and an index entry per NULL would only slow ingest down
-- (`column = ?` implies NOT NULL, so lookups still use them).
CREATE INDEX net_observations_url ON net_observations(url) WHERE url IS NOT NULL;
CREATE INDEX net_observations_ja3 ON net_observations(ja3) WHERE ja3 IS NOT NULL;
CREATE INDEX net_observations_user_agent ON net_observations(user_agent)
  WHERE user_agent IS NOT NULL;
CREATE INDEX net_observations_sha256 ON net_observations(sha256) WHERE sha256 IS NOT NULL;
CREATE INDEX file_observations_by_md5 ON file_observations(md5) WHERE md5 IS NOT NULL;
CREATE INDEX file_observations_by_sha1 ON file_observations(sha1) WHERE sha1 IS NOT NULL;
)sql";

// Playbook runs: one run per (incident, playbook), and the responders' events on it, which
// only grow like the audit log. `version` counts the events, so a responder who read the run
// at version N can write only if it is still N: two people on one incident never overwrite
// each other's progress. `variable` and `clock` copy what the playbook said about the step
// (a decision's variable, the legal clock a step satisfies) so the deadlines can be shown
// without the playbook file. Kept in its own constant, like
// kSchemaFeeds.
constexpr std::string_view kSchemaPlaybooks = R"sql(
CREATE TABLE playbook_runs (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  playbook_id TEXT NOT NULL,      -- CACAO id, "playbook--<uuid>"
  playbook_name TEXT NOT NULL,    -- short name, "ransomware"
  playbook_title TEXT NOT NULL,
  playbook_sha256 TEXT NOT NULL,  -- the file the run started with
  aware_at TEXT NOT NULL,         -- T0 of the legal clocks
  started_at TEXT NOT NULL,
  started_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  finished_at TEXT,
  version INTEGER NOT NULL DEFAULT 0,
  UNIQUE (incident_id, playbook_id)
) STRICT;

CREATE TABLE playbook_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER NOT NULL REFERENCES playbook_runs(id),
  step_id TEXT NOT NULL,
  step_name TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL CHECK (kind IN ('done', 'skipped', 'note', 'choice')),
  value TEXT NOT NULL DEFAULT '',
  variable TEXT,  -- decisions: the variable the answer sets
  clock TEXT,     -- done steps: the legal clock they satisfy
  actor TEXT NOT NULL,
  at TEXT NOT NULL
) STRICT;
CREATE INDEX playbook_events_by_run ON playbook_events(run_id, id);
CREATE TRIGGER playbook_events_no_update BEFORE UPDATE ON playbook_events
BEGIN
  SELECT RAISE(ABORT, 'playbook events are append-only');
END;
CREATE TRIGGER playbook_events_no_delete BEFORE DELETE ON playbook_events
BEGIN
  SELECT RAISE(ABORT, 'playbook events are append-only');
END;
)sql";

// Triage: the incident lifecycle (assignee, optimistic version, merge and closing details),
// tags, campaigns across hosts, the analysts' allowlist, repeated sightings of a detection, and
// the audit log's second actor column and hash chain. Entries written before this version
// carry no hash; the chain starts at the first entry that has one (see Store::VerifyAudit).
constexpr std::string_view kSchemaTriage = R"sql(
CREATE TABLE campaigns (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- Why incidents were linked: JSON array of {"indicator", "incidents"} objects.
  indicators_json TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(indicators_json) AND json_type(indicators_json) = 'array')
) STRICT;

ALTER TABLE incidents ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
-- Bumped by every change: `--expect-version` refuses to act on an incident someone else
-- changed since the responder looked at it.
ALTER TABLE incidents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE incidents ADD COLUMN campaign_id INTEGER REFERENCES campaigns(id);
ALTER TABLE incidents ADD COLUMN merged_into INTEGER REFERENCES incidents(id);
ALTER TABLE incidents ADD COLUMN closed_at TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN resolution TEXT NOT NULL DEFAULT '';  -- reason of the last close
CREATE INDEX incidents_by_campaign ON incidents(campaign_id);

CREATE TABLE incident_tags (
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  tag TEXT NOT NULL CHECK (tag <> ''),
  PRIMARY KEY (incident_id, tag)
) STRICT, WITHOUT ROWID;

-- A detection found again (a rescan, a later bundle) is the same row; these count the repeats.
ALTER TABLE detections ADD COLUMN last_observed_at TEXT NOT NULL DEFAULT '';
ALTER TABLE detections ADD COLUMN sightings INTEGER NOT NULL DEFAULT 1;
CREATE INDEX detections_by_sha256 ON detections(sha256) WHERE sha256 <> '';
CREATE INDEX detections_by_rule ON detections(kind, rule);

-- Known-good content and paths added by analysts when they close a false positive. A hash
-- holds on every host; a path on the host it was found on.
CREATE TABLE analyst_allowlist (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('sha256', 'path')),
  value TEXT NOT NULL CHECK (value <> ''),
  host_id INTEGER NOT NULL DEFAULT 0,  -- 0 for hashes; hosts.id for paths
  reason TEXT NOT NULL,
  incident_id INTEGER REFERENCES incidents(id),
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL,
  UNIQUE (kind, value, host_id)
) STRICT;

ALTER TABLE audit_log ADD COLUMN acting_as TEXT NOT NULL DEFAULT '';  -- --as NAME
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
)sql";

// Tabletop exercise sessions (analyzer/exercise): one row per session with the facilitator's
// clock (so that every command opening an exercise database follows the scenario time), and
// the append-only list of what happened in it, from which a resumed session is rebuilt.
// `answers_applied` counts the lines of an --answers script already played.
constexpr std::string_view kSchemaExercises = R"sql(
CREATE TABLE exercise_sessions (
  id INTEGER PRIMARY KEY,
  scenario_id TEXT NOT NULL,
  scenario_title TEXT NOT NULL,
  scenario_file TEXT NOT NULL,
  scenario_sha256 TEXT NOT NULL,
  scenario_start TEXT NOT NULL,       -- T+0 of the story, RFC 3339
  created_at TEXT NOT NULL,           -- wall clock
  created_by TEXT NOT NULL,
  finished_at TEXT,
  clock_elapsed_ns INTEGER NOT NULL DEFAULT 0,
  clock_anchor_ns INTEGER NOT NULL DEFAULT 0,
  clock_speed REAL NOT NULL DEFAULT 1,
  clock_running INTEGER NOT NULL DEFAULT 0 CHECK (clock_running IN (0, 1)),
  answers_applied INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE exercise_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id INTEGER NOT NULL REFERENCES exercise_sessions(id),
  kind TEXT NOT NULL
    CHECK (kind IN ('clock', 'inject', 'decision', 'tick', 'note', 'plan', 'end')),
  ref TEXT NOT NULL DEFAULT '',
  team TEXT NOT NULL DEFAULT '',
  value TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  elapsed_ns INTEGER NOT NULL,
  took_ns INTEGER NOT NULL DEFAULT 0,
  wall_ns INTEGER NOT NULL,
  actor TEXT NOT NULL
) STRICT;
CREATE INDEX exercise_events_by_session ON exercise_events(session_id, id);
CREATE TRIGGER exercise_events_no_update BEFORE UPDATE ON exercise_events
BEGIN
  SELECT RAISE(ABORT, 'exercise events are append-only');
END;
CREATE TRIGGER exercise_events_no_delete BEFORE DELETE ON exercise_events
BEGIN
  SELECT RAISE(ABORT, 'exercise events are append-only');
END;
)sql";

constexpr Migration kMigrations[] = {
    {1, "initial schema", kSchemaV1},
    {2, "network evidence", kSchemaV2},
    {3, "ioc feeds and host observations", kSchemaFeeds},
    {4, "playbook runs", kSchemaPlaybooks},
    {5, "triage", kSchemaTriage},
    {6, "exercise sessions", kSchemaExercises},
};

Result<std::int64_t> ReadInt(Database& db, std::string_view sql) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return stmt.error();
  auto row = stmt->Step();
  if (!row) return row.error();
  if (!*row) return MakeError(ErrorCode::kInternal, std::string(sql) + ": no row");
  return stmt->ColumnInt64(0);
}

Error TooNew(const Database& db, int found, int latest) {
  return MakeError(ErrorCode::kUnsupported,
                   db.path() + ": database schema version " + std::to_string(found) +
                       " is newer than this beffroi understands (" + std::to_string(latest) +
                       "); use a newer beffroi (this is " BEFFROI_VERSION ")");
}

Error Context(const std::string& what, const Error& error) {
  return MakeError(error.code, what + ": " + error.message);
}

// One migration in its own transaction. Returns without doing anything when another process
// applied it while we waited for the write lock.
Status ApplyOne(Database& db, const Migration& m, int latest) {
  std::string what = "migrate " + db.path() + " to schema version " + std::to_string(m.version) +
                     " (" + std::string(m.name) + ")";
  auto tx = Transaction::Begin(db);
  if (!tx) return Context(what, tx.error());
  auto current = ReadSchemaVersion(db);
  if (!current) return Context(what, current.error());
  if (*current > latest) return TooNew(db, *current, latest);
  if (*current >= m.version) return OkStatus();
  if (Status s = db.Exec(std::string(m.sql)); !s.ok()) return Context(what, s.error());
  // Pragmas cannot take bound parameters; the version is a constant from this file.
  if (Status s = db.Exec("PRAGMA user_version = " + std::to_string(m.version)); !s.ok()) {
    return Context(what, s.error());
  }
  if (Status s = tx->Commit(); !s.ok()) return Context(what, s.error());
  return OkStatus();
}

}  // namespace

std::span<const Migration> AllMigrations() {
  return kMigrations;
}

int LatestSchemaVersion() {
  return std::rbegin(kMigrations)->version;
}

Result<int> ReadSchemaVersion(Database& db) {
  auto version = ReadInt(db, "PRAGMA user_version");
  if (!version) return version.error();
  return static_cast<int>(*version);
}

Status ApplyMigrations(Database& db, std::span<const Migration> migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return MakeError(ErrorCode::kInternal, "migrations: version " +
                                                 std::to_string(migrations[i].version) +
                                                 " at position " + std::to_string(i + 1));
    }
  }
  int latest = migrations.empty() ? 0 : migrations.back().version;
  auto current = ReadSchemaVersion(db);
  if (!current) return Context("read schema version of " + db.path(), current.error());
  if (*current > latest) return TooNew(db, *current, latest);
  if (*current == latest) return OkStatus();
  if (db.read_only()) {
    return MakeError(ErrorCode::kIo, db.path() + " is read-only, and its schema (version " +
                                         std::to_string(*current) + ") must be migrated to " +
                                         std::to_string(latest) +
                                         ": open it once with write access");
  }
  for (const Migration& m : migrations) {
    if (m.version <= *current) continue;
    if (Status s = ApplyOne(db, m, latest); !s.ok()) return s;
  }
  return OkStatus();
}

Status Migrate(Database& db) {
  auto app_id = ReadInt(db, "PRAGMA application_id");
  if (!app_id) return Context("read application id of " + db.path(), app_id.error());
  auto version = ReadSchemaVersion(db);
  if (!version) return Context("read schema version of " + db.path(), version.error());
  auto objects = ReadInt(db, "SELECT count(*) FROM sqlite_schema");
  if (!objects) return Context("read schema of " + db.path(), objects.error());

  // Only an empty file may become a Beffroi database; anything else must carry our id.
  bool fresh = *app_id == 0 && *version == 0 && *objects == 0;
  if (!fresh && *app_id != kApplicationId) {
    std::string why = *app_id != 0
                          ? "it belongs to another application, id " + std::to_string(*app_id)
                          : "a SQLite database of another application";
    return MakeError(ErrorCode::kInvalidArgument,
                     db.path() + ": not a Beffroi database (" + why + ")");
  }
  return ApplyMigrations(db, AllMigrations());
}

}  // namespace beffroi::store
