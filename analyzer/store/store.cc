// Store: opening, hosts, bundles, scans, file observations, caches and the audit log.
// Detections are in detections.cc, incidents in incidents.cc.
#include "analyzer/store/store.h"

#include "analyzer/store/internal.h"
#include "analyzer/store/migrations.h"

namespace beffroi::store {

using internal::Context;
using internal::StepForInt64;

namespace {

// NULLIF keeps a stored host_uid when the caller does not know it; min/max widen the window
// because bundles can be ingested out of order.
constexpr std::string_view kUpsertHost = R"sql(
INSERT INTO hosts (name, host_uid, first_seen, last_seen) VALUES (?1, NULLIF(?2, ''), ?3, ?3)
ON CONFLICT (name) DO UPDATE SET
  host_uid = COALESCE(excluded.host_uid, host_uid),
  first_seen = min(first_seen, excluded.first_seen),
  last_seen = max(last_seen, excluded.last_seen)
RETURNING id)sql";

constexpr std::string_view kFindHost =
    "SELECT id, name, host_uid, first_seen, last_seen FROM hosts WHERE name = ?1";

constexpr std::string_view kAddHostAddress = R"sql(
INSERT INTO host_addresses (ip, host_id, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)
ON CONFLICT (ip, host_id) DO UPDATE SET
  first_seen = min(first_seen, excluded.first_seen),
  last_seen = max(last_seen, excluded.last_seen))sql";

constexpr std::string_view kFindHostByAddress = R"sql(
SELECT h.id, h.name, h.host_uid, h.first_seen, h.last_seen
FROM host_addresses a JOIN hosts h ON h.id = a.host_id
WHERE a.ip = ?1 ORDER BY a.last_seen DESC LIMIT 1)sql";

constexpr std::string_view kInsertNetObservation = R"sql(
INSERT INTO net_observations (host_id, bundle_id, kind, observed_at, transport, src_ip, src_port,
                              dst_ip, dst_port, domain, url, ja3, ja4, user_agent, sha256, detail)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16))sql";

constexpr std::string_view kFindBundle = "SELECT id FROM bundles WHERE manifest_sha256 = ?1";

constexpr std::string_view kInsertBundle = R"sql(
INSERT INTO bundles (bundle_uuid, manifest_sha256, host_id, agent, agent_version, examiner,
                     case_ref, started, ended, path, ingested_at, ingested_by)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
RETURNING id)sql";

constexpr std::string_view kInsertScan = R"sql(
INSERT INTO scans (host_id, started, roots_json, ruleset_hash, actor, files_seen,
                   files_scanned, detections)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
RETURNING id)sql";

constexpr std::string_view kFinishScan = R"sql(
UPDATE scans SET ended = ?2, files_seen = ?3, files_scanned = ?4, detections = ?5
WHERE id = ?1)sql";

constexpr std::string_view kGetScan = R"sql(
SELECT id, host_id, started, ended, roots_json, ruleset_hash, actor, files_seen,
       files_scanned, detections
FROM scans WHERE id = ?1)sql";

constexpr std::string_view kInsertObservation = R"sql(
INSERT INTO file_observations (host_id, bundle_id, scan_id, path, size, sha256, md5, sha1,
                               mtime, magic, observed_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11))sql";

constexpr std::string_view kGetScanCache = R"sql(
SELECT size, mtime_ns, ctime_ns, ruleset_hash, sha256, md5, sha1
FROM scan_cache WHERE host_id = ?1 AND device = ?2 AND inode = ?3)sql";

constexpr std::string_view kPutScanCache = R"sql(
INSERT INTO scan_cache (host_id, device, inode, size, mtime_ns, ctime_ns, ruleset_hash, sha256,
                        md5, sha1)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
ON CONFLICT (host_id, device, inode) DO UPDATE SET
  size = excluded.size, mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns,
  ruleset_hash = excluded.ruleset_hash, sha256 = excluded.sha256, md5 = excluded.md5,
  sha1 = excluded.sha1)sql";

constexpr std::string_view kGetVerdict =
    "SELECT matches_json FROM yara_verdicts WHERE sha256 = ?1 AND ruleset_hash = ?2";

constexpr std::string_view kPutVerdict = R"sql(
INSERT INTO yara_verdicts (sha256, ruleset_hash, matches_json, scanned_at)
VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (sha256, ruleset_hash) DO UPDATE SET
  matches_json = excluded.matches_json, scanned_at = excluded.scanned_at)sql";

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, const OpenOptions& options) {
  auto db = Database::Open(path, options);
  if (!db) return db.error();
  if (Status migrated = Migrate(**db); !migrated.ok()) return migrated.error();
  return std::unique_ptr<Store>(new Store(std::move(*db)));
}

Result<ScopedStatement> Store::Acquire(std::string_view sql) {
  auto it = statements_.find(std::string(sql));
  if (it == statements_.end()) {
    auto stmt = Statement::Prepare(*db_, sql);
    if (!stmt) return stmt.error();
    it = statements_.emplace(std::string(sql), std::move(*stmt)).first;
  }
  return ScopedStatement(&it->second);
}

Result<std::int64_t> Store::UpsertHost(std::string_view name, std::string_view host_uid,
                                       std::string_view seen_at) {
  std::string what = "upsert host " + std::string(name);
  auto stmt = Acquire(kUpsertHost);
  if (!stmt) return Context(what, stmt.error());
  (*stmt)->BindText(1, name).BindText(2, host_uid).BindText(3, seen_at);
  auto id = StepForInt64(**stmt);
  if (!id) return Context(what, id.error());
  return *id;
}

Result<std::optional<HostRow>> Store::FindHost(std::string_view name) {
  std::string what = "find host " + std::string(name);
  auto stmt = Acquire(kFindHost);
  if (!stmt) return Context(what, stmt.error());
  Statement& s = **stmt;
  s.BindText(1, name);
  auto row = s.Step();
  if (!row) return Context(what, row.error());
  if (!*row) return std::optional<HostRow>();
  return std::optional<HostRow>(HostRow{s.ColumnInt64(0), s.ColumnText(1), s.ColumnOptionalText(2),
                                        s.ColumnText(3), s.ColumnText(4)});
}

Result<std::optional<std::int64_t>> Store::FindBundleByManifest(std::string_view manifest_sha256) {
  std::string what = "find bundle " + std::string(manifest_sha256);
  auto stmt = Acquire(kFindBundle);
  if (!stmt) return Context(what, stmt.error());
  (*stmt)->BindText(1, manifest_sha256);
  auto row = (*stmt)->Step();
  if (!row) return Context(what, row.error());
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>((*stmt)->ColumnInt64(0));
}

Result<std::int64_t> Store::InsertBundle(const BundleRow& r) {
  std::string what = "insert bundle " + r.manifest_sha256;
  // The lookup and the insert share one write transaction, so the "already stored" answer
  // cannot be overtaken by another ingest.
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  auto existing = FindBundleByManifest(r.manifest_sha256);
  if (!existing) return existing.error();
  if (*existing) {
    return MakeError(ErrorCode::kInvalidArgument,
                     what + ": a bundle with this manifest is already stored (bundle " +
                         std::to_string(**existing) + ")");
  }
  std::int64_t id = 0;
  {
    auto stmt = Acquire(kInsertBundle);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)
        ->BindText(1, r.bundle_uuid)
        .BindText(2, r.manifest_sha256)
        .BindInt64(3, r.host_id)
        .BindText(4, r.agent)
        .BindText(5, r.agent_version)
        .BindOptionalText(6, r.examiner)
        .BindOptionalText(7, r.case_ref)
        .BindText(8, r.started)
        .BindText(9, r.ended)
        .BindText(10, r.path)
        .BindText(11, r.ingested_at)
        .BindText(12, r.ingested_by);
    auto inserted = StepForInt64(**stmt);
    if (!inserted) return Context(what, inserted.error());
    id = *inserted;
  }
  if (Status s = tx->Commit(); !s.ok()) return Context(what, s.error());
  return id;
}

Result<std::int64_t> Store::BeginScan(const ScanRow& r) {
  std::string what = "begin scan";
  auto stmt = Acquire(kInsertScan);
  if (!stmt) return Context(what, stmt.error());
  (*stmt)
      ->BindInt64(1, r.host_id)
      .BindText(2, r.started)
      .BindText(3, r.roots_json.empty() ? std::string_view("[]") : r.roots_json)
      .BindOptionalText(4, r.ruleset_hash)
      .BindText(5, r.actor)
      .BindInt64(6, r.files_seen)
      .BindInt64(7, r.files_scanned)
      .BindInt64(8, r.detections);
  auto id = StepForInt64(**stmt);
  if (!id) return Context(what, id.error());
  return *id;
}

Status Store::FinishScan(std::int64_t scan_id, std::string_view ended, std::int64_t files_seen,
                         std::int64_t files_scanned, std::int64_t detections) {
  std::string what = "finish scan " + std::to_string(scan_id);
  auto stmt = Acquire(kFinishScan);
  if (!stmt) return Context(what, stmt.error());
  (*stmt)
      ->BindInt64(1, scan_id)
      .BindText(2, ended)
      .BindInt64(3, files_seen)
      .BindInt64(4, files_scanned)
      .BindInt64(5, detections);
  if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
  if (db_->changes() == 0) return MakeError(ErrorCode::kNotFound, what + ": no such scan");
  return OkStatus();
}

Result<std::optional<ScanRow>> Store::GetScan(std::int64_t scan_id) {
  std::string what = "get scan " + std::to_string(scan_id);
  auto stmt = Acquire(kGetScan);
  if (!stmt) return Context(what, stmt.error());
  Statement& s = **stmt;
  s.BindInt64(1, scan_id);
  auto row = s.Step();
  if (!row) return Context(what, row.error());
  if (!*row) return std::optional<ScanRow>();
  ScanRow r;
  r.id = s.ColumnInt64(0);
  r.host_id = s.ColumnInt64(1);
  r.started = s.ColumnText(2);
  r.ended = s.ColumnOptionalText(3);
  r.roots_json = s.ColumnText(4);
  r.ruleset_hash = s.ColumnOptionalText(5);
  r.actor = s.ColumnText(6);
  r.files_seen = s.ColumnInt64(7);
  r.files_scanned = s.ColumnInt64(8);
  r.detections = s.ColumnInt64(9);
  return std::optional<ScanRow>(std::move(r));
}

Status Store::AddHostAddress(std::int64_t host_id, std::string_view ip, std::string_view seen_at) {
  const std::string what = "record address " + std::string(ip);
  auto stmt = Acquire(kAddHostAddress);
  if (!stmt) return Context(what, stmt.error());
  (*stmt)->BindText(1, ip).BindInt64(2, host_id).BindText(3, seen_at);
  if (Status st = (*stmt)->Run(); !st.ok()) return Context(what, st.error());
  return OkStatus();
}

Result<std::optional<HostRow>> Store::FindHostByAddress(std::string_view ip) {
  const std::string what = "find host by address " + std::string(ip);
  auto stmt = Acquire(kFindHostByAddress);
  if (!stmt) return Context(what, stmt.error());
  (*stmt)->BindText(1, ip);
  auto row = (*stmt)->Step();
  if (!row) return Context(what, row.error());
  if (!*row) return std::optional<HostRow>();
  Statement& st = **stmt;
  return std::optional<HostRow>(HostRow{st.ColumnInt64(0), st.ColumnText(1),
                                        st.ColumnOptionalText(2), st.ColumnText(3),
                                        st.ColumnText(4)});
}

Status Store::InsertNetObservations(const std::vector<NetObservationRow>& rows) {
  if (rows.empty()) return OkStatus();
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context("insert network observations", tx.error());
  {
    auto stmt = Acquire(kInsertNetObservation);
    if (!stmt) return Context("insert network observations", stmt.error());
    Statement& s = **stmt;
    for (const NetObservationRow& r : rows) {
      s.Reset();
      s.BindInt64(1, r.host_id)
          .BindOptionalInt64(2, r.bundle_id)
          .BindTextNoCopy(3, r.kind)
          .BindTextNoCopy(4, r.observed_at)
          .BindOptionalTextNoCopy(5, r.transport)
          .BindOptionalTextNoCopy(6, r.src_ip)
          .BindOptionalInt64(7, r.src_port)
          .BindOptionalTextNoCopy(8, r.dst_ip)
          .BindOptionalInt64(9, r.dst_port)
          .BindOptionalTextNoCopy(10, r.domain)
          .BindOptionalTextNoCopy(11, r.url)
          .BindOptionalTextNoCopy(12, r.ja3)
          .BindOptionalTextNoCopy(13, r.ja4)
          .BindOptionalTextNoCopy(14, r.user_agent)
          .BindOptionalTextNoCopy(15, r.sha256)
          .BindOptionalTextNoCopy(16, r.detail);
      if (Status st = s.Run(); !st.ok()) return Context("insert network observation", st.error());
    }
  }
  if (Status s = tx->Commit(); !s.ok()) return Context("insert network observations", s.error());
  return OkStatus();
}

Status Store::InsertFileObservations(const std::vector<FileObservationRow>& rows) {
  if (rows.empty()) return OkStatus();
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context("insert file observations", tx.error());
  {
    auto stmt = Acquire(kInsertObservation);
    if (!stmt) return Context("insert file observations", stmt.error());
    Statement& s = **stmt;
    for (const FileObservationRow& r : rows) {
      // `rows` outlives each step and the Reset before the next row, so SQLite need not copy.
      s.Reset();
      s.BindInt64(1, r.host_id)
          .BindOptionalInt64(2, r.bundle_id)
          .BindOptionalInt64(3, r.scan_id)
          .BindTextNoCopy(4, r.path)
          .BindOptionalInt64(5, r.size)
          .BindOptionalTextNoCopy(6, r.sha256)
          .BindOptionalTextNoCopy(7, r.md5)
          .BindOptionalTextNoCopy(8, r.sha1)
          .BindOptionalTextNoCopy(9, r.mtime)
          .BindOptionalTextNoCopy(10, r.magic)
          .BindTextNoCopy(11, r.observed_at);
      if (Status st = s.Run(); !st.ok()) {
        return Context("insert file observation " + r.path, st.error());
      }
    }
  }
  if (Status s = tx->Commit(); !s.ok()) return Context("insert file observations", s.error());
  return OkStatus();
}

Result<std::optional<ScanCacheRow>> Store::GetScanCache(std::int64_t host_id, std::int64_t device,
                                                        std::int64_t inode) {
  std::string what = "get scan cache";
  auto stmt = Acquire(kGetScanCache);
  if (!stmt) return Context(what, stmt.error());
  Statement& s = **stmt;
  s.BindInt64(1, host_id).BindInt64(2, device).BindInt64(3, inode);
  auto row = s.Step();
  if (!row) return Context(what, row.error());
  if (!*row) return std::optional<ScanCacheRow>();
  ScanCacheRow r;
  r.host_id = host_id;
  r.device = device;
  r.inode = inode;
  r.size = s.ColumnInt64(0);
  r.mtime_ns = s.ColumnInt64(1);
  r.ctime_ns = s.ColumnInt64(2);
  r.ruleset_hash = s.ColumnText(3);
  r.sha256 = s.ColumnText(4);
  r.md5 = s.ColumnOptionalText(5);
  r.sha1 = s.ColumnOptionalText(6);
  return std::optional<ScanCacheRow>(std::move(r));
}

Status Store::PutScanCache(const ScanCacheRow& r) {
  std::string what = "put scan cache";
  auto stmt = Acquire(kPutScanCache);
  if (!stmt) return Context(what, stmt.error());
  (*stmt)
      ->BindInt64(1, r.host_id)
      .BindInt64(2, r.device)
      .BindInt64(3, r.inode)
      .BindInt64(4, r.size)
      .BindInt64(5, r.mtime_ns)
      .BindInt64(6, r.ctime_ns)
      .BindText(7, r.ruleset_hash)
      .BindText(8, r.sha256)
      .BindOptionalText(9, r.md5)
      .BindOptionalText(10, r.sha1);
  if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
  return OkStatus();
}

Result<std::optional<std::string>> Store::GetVerdict(std::string_view sha256,
                                                     std::string_view ruleset_hash) {
  std::string what = "get verdict " + std::string(sha256);
  auto stmt = Acquire(kGetVerdict);
  if (!stmt) return Context(what, stmt.error());
  (*stmt)->BindText(1, sha256).BindText(2, ruleset_hash);
  auto row = (*stmt)->Step();
  if (!row) return Context(what, row.error());
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>((*stmt)->ColumnText(0));
}

Status Store::PutVerdict(std::string_view sha256, std::string_view ruleset_hash,
                         std::string_view matches_json, std::string_view at) {
  std::string what = "put verdict " + std::string(sha256);
  auto stmt = Acquire(kPutVerdict);
  if (!stmt) return Context(what, stmt.error());
  (*stmt)->BindText(1, sha256).BindText(2, ruleset_hash).BindText(3, matches_json).BindText(4, at);
  if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
  return OkStatus();
}

}  // namespace beffroi::store
