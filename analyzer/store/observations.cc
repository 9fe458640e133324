// ObservationStore (feeds.h): host observations, and the reads over all observation tables.
#include <string>

#include "analyzer/store/feeds.h"
#include "analyzer/store/feeds_internal.h"

namespace beffroi::store {
namespace {

// Each table's SELECT, with the columns Read() expects in this order.
constexpr std::string_view kFileSelect =
    "SELECT o.id, o.host_id, h.name, 'file', o.observed_at, o.bundle_id, o.scan_id, o.path, "
    "o.sha256, o.md5, o.sha1, o.mtime FROM file_observations o JOIN hosts h ON h.id = o.host_id";
constexpr std::string_view kNetSelect =
    "SELECT o.id, o.host_id, h.name, o.kind, o.observed_at, o.bundle_id, NULL, o.transport, "
    "o.src_ip, o.src_port, o.dst_ip, o.dst_port, o.domain, o.url, o.ja3, o.ja4, o.user_agent, "
    "o.sha256 FROM net_observations o JOIN hosts h ON h.id = o.host_id";
constexpr std::string_view kHostSelect =
    "SELECT o.id, o.host_id, h.name, o.kind, o.observed_at, o.bundle_id, NULL, o.name, o.path, "
    "o.sha256, o.command_line, o.ip, o.port, o.transport FROM host_observations o JOIN hosts h "
    "ON h.id = o.host_id";

ObservationView Read(std::string_view table, const Statement& s) {
  ObservationView v;
  v.table = std::string(table);
  v.id = s.ColumnInt64(0);
  v.host_id = s.ColumnInt64(1);
  v.host_name = s.ColumnText(2);
  v.kind = s.ColumnText(3);
  v.observed_at = s.ColumnText(4);
  if (!s.ColumnIsNull(5)) {
    v.source = "bundle";
    v.source_id = s.ColumnInt64(5);
  } else if (!s.ColumnIsNull(6)) {
    v.source = "scan";
    v.source_id = s.ColumnInt64(6);
  }
  if (table == "file") {
    v.path = s.ColumnText(7);
    v.sha256 = s.ColumnText(8);
    v.md5 = s.ColumnText(9);
    v.sha1 = s.ColumnText(10);
    v.mtime = s.ColumnText(11);
  } else if (table == "net") {
    v.transport = s.ColumnText(7);
    v.src_ip = s.ColumnText(8);
    v.src_port = s.ColumnInt64(9);
    v.dst_ip = s.ColumnText(10);
    v.dst_port = s.ColumnInt64(11);
    v.domain = s.ColumnText(12);
    v.url = s.ColumnText(13);
    v.ja3 = s.ColumnText(14);
    v.ja4 = s.ColumnText(15);
    v.user_agent = s.ColumnText(16);
    v.sha256 = s.ColumnText(17);
  } else {
    v.name = s.ColumnText(7);
    v.path = s.ColumnText(8);
    v.sha256 = s.ColumnText(9);
    v.command_line = s.ColumnText(10);
    v.ip = s.ColumnText(11);
    v.port = s.ColumnInt64(12);
    v.transport = s.ColumnText(13);
  }
  return v;
}

Result<std::string_view> SelectFor(std::string_view table) {
  if (table == "file") return kFileSelect;
  if (table == "net") return kNetSelect;
  if (table == "host") return kHostSelect;
  return MakeError(ErrorCode::kInternal, "no observation table " + std::string(table));
}

struct Where {
  std::string_view table;
  std::string_view condition;  // uses ?1 for the value
};

std::vector<Where> WheresFor(const ObservationQuery& q) {
  using F = ObservationQuery::Field;
  switch (q.field) {
    case F::kHash:
      if (q.value.size() == 32) return {{"file", "o.md5 = ?1"}};
      if (q.value.size() == 40) return {{"file", "o.sha1 = ?1"}};
      return {{"file", "o.sha256 = ?1"}, {"net", "o.sha256 = ?1"}, {"host", "o.sha256 = ?1"}};
    case F::kDomain:
      if (q.subdomains) {
        return {{"net", "(o.domain = ?1 OR substr(o.domain, -length(?1) - 1) = '.' || ?1)"}};
      }
      return {{"net", "o.domain = ?1"}};
    case F::kIp:
      return {{"net", "(o.src_ip = ?1 OR o.dst_ip = ?1)"}, {"host", "o.ip = ?1"}};
    case F::kUrl:
      return {{"net", "o.url = ?1"}};
    case F::kJa3:
      return {{"net", "o.ja3 = ?1"}};
    case F::kUserAgent:
      return {{"net", "o.user_agent = ?1"}};
  }
  return {};
}

}  // namespace

Status ObservationStore::InsertHostObservations(const std::vector<HostObservationRow>& rows) {
  if (rows.empty()) return OkStatus();
  auto tx = Transaction::Begin(db_);
  if (!tx) return Context("insert host observations", tx.error());
  auto stmt = db_.Prepare(
      "INSERT INTO host_observations (host_id, bundle_id, kind, observed_at, name, path, sha256, "
      "command_line, ip, port, transport, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
      "?10, ?11, ?12)");
  if (!stmt) return Context("insert host observations", stmt.error());
  for (const HostObservationRow& r : rows) {
    stmt->Reset();
    stmt->BindInt64(1, r.host_id)
        .BindInt64(2, r.bundle_id)
        .BindTextNoCopy(3, r.kind)
        .BindTextNoCopy(4, r.observed_at)
        .BindOptionalTextNoCopy(5, r.name)
        .BindOptionalTextNoCopy(6, r.path)
        .BindOptionalTextNoCopy(7, r.sha256)
        .BindOptionalTextNoCopy(8, r.command_line)
        .BindOptionalTextNoCopy(9, r.ip)
        .BindOptionalInt64(10, r.port)
        .BindOptionalTextNoCopy(11, r.transport)
        .BindOptionalTextNoCopy(12, r.detail);
    if (Status s = stmt->Run(); !s.ok()) return Context("insert host observation", s.error());
  }
  return tx->Commit();
}

Status ObservationStore::ForEach(std::string_view table,
                                 const std::function<void(const ObservationView&)>& fn) {
  auto select = SelectFor(table);
  if (!select) return select.error();
  auto stmt = db_.Prepare(std::string(*select) + " ORDER BY o.id");
  if (!stmt) return Context("read observations", stmt.error());
  for (;;) {
    auto row = stmt->Step();
    if (!row) return Context("read " + std::string(table) + " observations", row.error());
    if (!*row) break;
    fn(Read(table, *stmt));
  }
  return OkStatus();
}

Result<std::vector<ObservationView>> ObservationStore::Search(const ObservationQuery& q) {
  std::vector<ObservationView> out;
  for (const Where& w : WheresFor(q)) {
    auto select = SelectFor(w.table);
    if (!select) return select.error();
    std::string sql = std::string(*select) + " WHERE " + std::string(w.condition) +
                      " AND (?2 = '' OR o.observed_at >= ?2) AND (?3 = '' OR o.observed_at <= ?3)"
                      " ORDER BY o.observed_at LIMIT ?4";
    auto stmt = db_.Prepare(sql);
    if (!stmt) return Context("search", stmt.error());
    stmt->BindText(1, q.value)
        .BindText(2, q.since)
        .BindText(3, q.until)
        .BindInt64(4, q.limit > 0 ? q.limit : -1);
    for (;;) {
      auto row = stmt->Step();
      if (!row) return Context("search", row.error());
      if (!*row) break;
      out.push_back(Read(w.table, *stmt));
    }
  }
  return out;
}

Result<std::vector<std::string>> ObservationStore::DistinctAddresses() {
  auto stmt = db_.Prepare(
      "SELECT src_ip FROM net_observations WHERE src_ip IS NOT NULL UNION "
      "SELECT dst_ip FROM net_observations WHERE dst_ip IS NOT NULL UNION "
      "SELECT ip FROM host_observations WHERE ip IS NOT NULL");
  if (!stmt) return Context("list addresses", stmt.error());
  std::vector<std::string> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return Context("list addresses", row.error());
    if (!*row) break;
    out.push_back(stmt->ColumnText(0));
  }
  return out;
}

Result<std::int64_t> ObservationStore::Count(std::string_view table) {
  std::string name = table == "file"  ? "file_observations"
                     : table == "net" ? "net_observations"
                                      : "host_observations";
  auto stmt = db_.Prepare("SELECT count(*) FROM " + name);
  if (!stmt) return stmt.error();
  auto row = stmt->Step();
  if (!row) return row.error();
  return stmt->ColumnInt64(0);
}

}  // namespace beffroi::store
