// Store: the analyzer's database of hosts, evidence bundles, scans, file observations, the scan
// and YARA caches, detections, incidents and the append-only audit log.
//
// A Store owns one Database connection and a cache of prepared statements (so per-file calls
// such as GetScanCache or PutVerdict do not recompile SQL). Every write binds its values. A
// write of several statements runs in its own Transaction, which becomes a savepoint when the
// caller already holds one; to make several calls atomic together (a bundle, its observations,
// its detections and the audit entry), wrap them:
//
//   auto tx = Transaction::Begin(store->db());
//   ... store->InsertBundle(...), store->AppendAudit(...) ...
//   tx->Commit();
//
// Row types and timestamp conventions are in rows.h. Errors name the operation and the path:
// "insert bundle: database is locked by another process: /var/lib/beffroi/beffroi.db".
//
// Thread-compatible: one thread at a time per Store. Concurrent work opens one Store per
// thread or process; WAL lets readers run beside the one writer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyzer/store/rows.h"
#include "analyzer/store/sqlite.h"
#include "common/result.h"

namespace beffroi::store {

// The hash of an audit entry: SHA-256 (hex) of the previous entry's hash and this entry's
// fields (all but the id). `prev_hash` is "" for the first chained entry.
std::string AuditHash(std::string_view prev_hash, const AuditRow& row);

class Store {
 public:
  // Opens or creates the database and applies pending migrations (see migrations.h).
  static Result<std::unique_ptr<Store>> Open(const std::string& path,
                                             const OpenOptions& options = {});

  Database& db() { return *db_; }

  // Hosts: one row per name. first_seen/last_seen widen to include seen_at; an empty host_uid
  // keeps the stored one.
  Result<std::int64_t> UpsertHost(std::string_view name, std::string_view host_uid,
                                  std::string_view seen_at);
  Result<std::optional<HostRow>> FindHost(std::string_view name);
  // Records that `host_id` had address `ip` at `seen_at`.
  Status AddHostAddress(std::int64_t host_id, std::string_view ip, std::string_view seen_at);
  // The host most recently seen with `ip`, if any.
  Result<std::optional<HostRow>> FindHostByAddress(std::string_view ip);
  Status InsertNetObservations(const std::vector<NetObservationRow>& rows);

  // Bundles: the manifest SHA-256 identifies a bundle; inserting one twice is an error whose
  // message says so (look it up first to make ingest idempotent).
  Result<std::optional<std::int64_t>> FindBundleByManifest(std::string_view manifest_sha256);
  Result<std::int64_t> InsertBundle(const BundleRow& row);

  // Scans: BeginScan records a running scan (row.ended is ignored); FinishScan closes it.
  Result<std::int64_t> BeginScan(const ScanRow& row);
  Status FinishScan(std::int64_t scan_id, std::string_view ended, std::int64_t files_seen,
                    std::int64_t files_scanned, std::int64_t detections);
  Result<std::optional<ScanRow>> GetScan(std::int64_t scan_id);

  // All rows or none, with one prepared statement reused.
  Status InsertFileObservations(const std::vector<FileObservationRow>& rows);

  // The rescan cache, keyed by (host, device, inode); Put replaces.
  Result<std::optional<ScanCacheRow>> GetScanCache(std::int64_t host_id, std::int64_t device,
                                                   std::int64_t inode);
  Status PutScanCache(const ScanCacheRow& row);

  // YARA verdicts per content and rule-set version: the matches JSON, or nothing when that
  // content was never scanned with that rule set. Put replaces.
  Result<std::optional<std::string>> GetVerdict(std::string_view sha256,
                                                std::string_view ruleset_hash);
  Status PutVerdict(std::string_view sha256, std::string_view ruleset_hash,
                    std::string_view matches_json, std::string_view at);

  // Idempotent: a detection already stored (same host, kind, rule, file path and SHA-256) is
  // left as it was and its id returned with inserted=false. Empty JSON fields mean "[]".
  Result<DetectionInsert> InsertDetection(const DetectionRow& row);

  // The open incident (status neither closed nor false-positive) for this host and threat
  // whose span [first_seen, last_seen] reaches into [not_before, not_after] (an empty
  // `not_after` is no upper bound); the most recent if several.
  Result<std::optional<IncidentRow>> FindOpenIncident(std::int64_t host_id,
                                                      std::string_view threat_key,
                                                      std::string not_before,
                                                      std::string not_after = "");
  Result<std::int64_t> CreateIncident(const IncidentRow& row);
  // A detection joins one incident of its own host; attaching it elsewhere is an error.
  Status AttachDetection(std::int64_t incident_id, std::int64_t detection_id);
  // Recomputes score (max), severity (SeverityForScore), first/last_seen, the techniques
  // (sorted union) and the playbook (of the highest-scoring detection that names one) from the
  // incident's detections, and sets updated_at to now. No detections: left unchanged.
  Status RefreshIncident(std::int64_t incident_id);
  // Sets the status without any check or audit entry (for tests and migrations of old data);
  // responders go through ChangeStatus.
  Status SetIncidentStatus(std::int64_t incident_id, std::string_view status, std::string_view at);
  // Most severe first, then most recent last_seen.
  Result<std::vector<IncidentRow>> ListIncidents(const IncidentFilter& filter);
  Result<std::optional<IncidentDetail>> GetIncident(std::int64_t incident_id);

  // Playbook runs (playbook_runs.cc). EnsurePlaybookRun returns the run of that incident and
  // playbook, creating it from `row` when there is none (inserted=true then).
  Result<std::pair<PlaybookRunRow, bool>> EnsurePlaybookRun(const PlaybookRunRow& row);
  Result<std::optional<PlaybookRunRow>> FindPlaybookRun(std::int64_t incident_id,
                                                        std::string_view playbook_id);
  // Oldest first.
  Result<std::vector<PlaybookRunRow>> ListPlaybookRuns(std::int64_t incident_id);
  // Oldest first.
  Result<std::vector<PlaybookEventRow>> ListPlaybookEvents(std::int64_t run_id);
  // Appends `event` and bumps the run's version, only if the run is still at
  // `expected_version`: the new version, or nullopt when someone else wrote first (nothing is
  // written then; reload and look again). Atomic with the caller's transaction, if any.
  Result<std::optional<std::int64_t>> AppendPlaybookEvent(std::int64_t expected_version,
                                                          const PlaybookEventRow& event);
  Status FinishPlaybookRun(std::int64_t run_id, std::string_view at);

  // Exercise sessions. AppendExerciseEvents writes the events and the session's new clock
  // (and the count of --answers lines played) in one transaction. The active session is the
  // newest one (an ended session's clock stays where play stopped): its clock is the scenario
  // time of the whole database.
  Result<std::int64_t> CreateExerciseSession(const ExerciseSessionRow& row);
  Result<std::optional<ExerciseSessionRow>> GetExerciseSession(std::int64_t id);
  Result<std::optional<ExerciseSessionRow>> FindOpenExerciseSession(std::string_view scenario_id);
  Result<std::optional<ExerciseSessionRow>> ActiveExerciseSession();
  Result<std::vector<ExerciseSessionRow>> ListExerciseSessions();
  Result<std::vector<ExerciseEventRow>> ListExerciseEvents(std::int64_t session_id);
  Status AppendExerciseEvents(const ExerciseSessionRow& clock,
                              const std::vector<ExerciseEventRow>& events,
                              std::optional<std::string_view> finished_at);

  // The audit log only grows: the schema refuses UPDATE and DELETE. details_json "" means "{}".
  // Each entry carries the SHA-256 of the previous entry's hash and its own fields (AuditHash),
  // so an entry changed or removed behind the triggers' back breaks the chain.
  Status AppendAudit(const Who& who, std::string_view action, std::string_view object_type,
                     std::optional<std::int64_t> object_id, std::string_view details_json,
                     std::string_view at);
  // Oldest first. No object_id: every entry of that object type.
  Result<std::vector<AuditRow>> ListAudit(std::string_view object_type,
                                          std::optional<std::int64_t> object_id);
  // Walks the whole log: recomputes every hash, checks each entry links to the one before and
  // that no id is missing (AUTOINCREMENT never reuses one, so a gap is a removed entry, and a
  // sequence beyond the last id is a removed tail).
  Result<AuditCheck> VerifyAudit();

  // --- Triage (triage.cc, merge.cc). Each change runs in one write transaction that reads the
  // incident, checks the change, writes it, bumps `version` and appends the audit entry, so two
  // responders changing one incident at once are serialised and neither change is lost. With
  // `expect_version`, a change to an incident whose version differs (someone changed it since
  // the caller looked) is refused with kConflict. Unknown incidents are kNotFound; refused
  // changes kInvalidArgument with the reason.
  Result<IncidentRow> ChangeStatus(std::int64_t incident_id, std::string_view status,
                                   std::string_view reason, bool reopen, const Who& who,
                                   std::optional<std::int64_t> expect_version = std::nullopt);
  // "" unassigns.
  Result<IncidentRow> AssignIncident(std::int64_t incident_id, std::string_view assignee,
                                     const Who& who,
                                     std::optional<std::int64_t> expect_version = std::nullopt);
  Result<IncidentRow> TagIncident(std::int64_t incident_id, const std::vector<std::string>& add,
                                  const std::vector<std::string>& remove, const Who& who,
                                  std::optional<std::int64_t> expect_version = std::nullopt);
  // A note is an audit entry ("incident.note"); it does not bump the version (a colleague's
  // note must not make a status change fail).
  Status AddNote(std::int64_t incident_id, std::string_view text, const Who& who);
  // Moves every detection of `sources` into `target` (same host only: incidents on several
  // hosts are linked as a campaign instead); each source becomes "merged" with merged_into set.
  // Both sides' audit entries list the detections that moved.
  Result<MoveResult> MergeIncidents(std::int64_t target, const std::vector<std::int64_t>& sources,
                                    const Who& who,
                                    std::optional<std::int64_t> expect_version = std::nullopt);
  // Moves `detections` (some, not all, of the incident's) into a new incident on the same host
  // and threat, status new, in the same campaign.
  Result<MoveResult> SplitIncident(std::int64_t incident_id,
                                   const std::vector<std::int64_t>& detections, const Who& who,
                                   std::optional<std::int64_t> expect_version = std::nullopt);

  // The analysts' allowlist. Adding an entry already there is not an error (returns false).
  Result<bool> AddAllowlist(const AllowlistRow& row, const Who& who);
  // True when `sha256` (any host) or `path` on `host_id` is on the analysts' allowlist.
  Result<bool> IsAllowlisted(std::int64_t host_id, std::string_view sha256, std::string_view path);
  Result<std::vector<AllowlistRow>> ListAllowlist();

  // A detection found again, the evidence collected at `observed_at`: counts the sighting.
  // When its incident is closed (not a false positive) and the sighting is newer than the
  // closing, the threat is back: the incident is reopened as new, with an audit entry naming
  // the detection. Returns true when it reopened.
  Result<bool> RecordResighting(std::int64_t detection_id, std::string_view observed_at,
                                const Who& who);

  // The incident's detections and its audit entries (and those of incidents merged into it),
  // in time order.
  Result<std::vector<TimelineEntry>> Timeline(std::int64_t incident_id);
  Result<std::optional<BundleRow>> GetBundle(std::int64_t bundle_id);

  // --- Campaigns (campaigns.cc). Links `incident_id` with the incidents on other hosts that
  // share an indicator with it: a SHA-256, or a network indicator (domain, address, URL, JA3).
  // Joins or merges their campaigns, creating one when none exists, with an audit entry.
  // Returns the campaign, if any. With `detection_id`, only that detection's indicators are
  // looked at (the one just attached).
  Result<std::optional<std::int64_t>> LinkCampaign(
      std::int64_t incident_id, const Who& who,
      std::optional<std::int64_t> detection_id = std::nullopt);
  // Most severe first.
  Result<std::vector<CampaignRow>> ListCampaigns();
  Result<std::optional<CampaignRow>> GetCampaign(std::int64_t campaign_id);

 private:
  explicit Store(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  // The cached statement for `sql`, reset when the returned handle goes out of scope. A method
  // must not acquire the same SQL twice at once (none needs to).
  Result<ScopedStatement> Acquire(std::string_view sql);
  Status AttachChecked(std::int64_t incident_id, std::int64_t detection_id);
  Status WriteRefresh(std::int64_t incident_id);
  // Reads the incident for a change inside the caller's transaction; kNotFound, or kConflict
  // when `expect_version` is set and differs.
  Result<IncidentDetail> LoadForChange(std::int64_t incident_id,
                                       std::optional<std::int64_t> expect_version);
  // version + 1, updated_at = at.
  Status Touch(std::int64_t incident_id, std::string_view at);
  // The end of every change: Touch, the audit entry, commit, and the incident as it is now.
  Result<IncidentRow> CommitChange(Transaction& tx, std::int64_t incident_id,
                                   std::string_view action, const std::string& details_json,
                                   const Who& who, std::string_view now, const std::string& what);
  Result<CampaignRow> ReadCampaign(std::int64_t campaign_id);

  // Declared first so it is destroyed last, after the statements that point to it.
  std::unique_ptr<Database> db_;
  std::unordered_map<std::string, Statement> statements_;
};

}  // namespace beffroi::store
