// Store: the append-only audit log and its hash chain.
#include <nlohmann/json.hpp>

#include "analyzer/store/internal.h"
#include "analyzer/store/store.h"
#include "common/hash.h"

namespace beffroi::store {

using internal::Context;

namespace {

constexpr std::string_view kLastHash = "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1";

constexpr std::string_view kAppendAudit = R"sql(
INSERT INTO audit_log (at, actor, action, object_type, object_id, details_json, acting_as,
                       prev_hash, hash)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9))sql";

#define BEFFROI_AUDIT_COLUMNS                                                                  \
  "SELECT id, at, actor, action, object_type, object_id, details_json, acting_as, prev_hash, " \
  "hash "

constexpr std::string_view kListAudit = BEFFROI_AUDIT_COLUMNS
    "FROM audit_log WHERE object_type = ?1 AND (?2 IS NULL OR object_id = ?2) ORDER BY id";
constexpr std::string_view kAllAudit = BEFFROI_AUDIT_COLUMNS "FROM audit_log ORDER BY id";
#undef BEFFROI_AUDIT_COLUMNS

constexpr std::string_view kAuditSequence =
    "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0)";

std::string_view OrEmptyObject(std::string_view json) {
  return json.empty() ? std::string_view("{}") : json;
}

AuditRow ReadAudit(const Statement& s) {
  AuditRow r{s.ColumnInt64(0), s.ColumnText(1),          s.ColumnText(2), s.ColumnText(3),
             s.ColumnText(4),  s.ColumnOptionalInt64(5), s.ColumnText(6)};
  r.acting_as = s.ColumnText(7);
  r.prev_hash = s.ColumnOptionalText(8);
  r.hash = s.ColumnOptionalText(9);
  return r;
}

}  // namespace

// The fields as one JSON array: unambiguous (no separator can be forged inside a field) and
// the same bytes on every machine. The id is left out (it is assigned on insert); the chain
// and the sequence check catch removals.
std::string AuditHash(std::string_view prev_hash, const AuditRow& r) {
  nlohmann::json fields = nlohmann::json::array(
      {prev_hash, r.at, r.actor, r.acting_as, r.action, r.object_type,
       r.object_id ? nlohmann::json(*r.object_id) : nlohmann::json(), r.details_json});
  return Sha256Hex(fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Status Store::AppendAudit(const Who& who, std::string_view action, std::string_view object_type,
                          std::optional<std::int64_t> object_id, std::string_view details_json,
                          std::string_view at) {
  std::string what = "append audit " + std::string(action);
  // Reading the last hash and appending after it must not interleave with another writer.
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  std::string prev;
  {
    auto stmt = Acquire(kLastHash);
    if (!stmt) return Context(what, stmt.error());
    auto row = (*stmt)->Step();
    if (!row) return Context(what, row.error());
    if (*row) prev = (*stmt)->ColumnText(0);  // "" after entries from before the chain
  }
  AuditRow r{0,
             std::string(at),
             who.user,
             std::string(action),
             std::string(object_type),
             object_id,
             std::string(OrEmptyObject(details_json))};
  r.acting_as = who.as;
  {
    auto stmt = Acquire(kAppendAudit);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)
        ->BindText(1, r.at)
        .BindText(2, r.actor)
        .BindText(3, r.action)
        .BindText(4, r.object_type)
        .BindOptionalInt64(5, r.object_id)
        .BindText(6, r.details_json)
        .BindText(7, r.acting_as)
        .BindText(8, prev)
        .BindText(9, AuditHash(prev, r));
    if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
  }
  if (Status s = tx->Commit(); !s.ok()) return Context(what, s.error());
  return OkStatus();
}

Result<std::vector<AuditRow>> Store::ListAudit(std::string_view object_type,
                                               std::optional<std::int64_t> object_id) {
  std::string what = "list audit " + std::string(object_type);
  auto stmt = Acquire(kListAudit);
  if (!stmt) return Context(what, stmt.error());
  Statement& s = **stmt;
  s.BindText(1, object_type).BindOptionalInt64(2, object_id);
  std::vector<AuditRow> rows;
  for (;;) {
    auto row = s.Step();
    if (!row) return Context(what, row.error());
    if (!*row) break;
    rows.push_back(ReadAudit(s));
  }
  return rows;
}

Result<AuditCheck> Store::VerifyAudit() {
  const std::string what = "verify audit log";
  AuditCheck check;
  std::int64_t last_id = 0;
  std::optional<std::string> last_hash;  // of the previous entry; nullopt before the chain
  auto fail = [&](std::int64_t id, std::string problem) {
    if (!check.bad_entry) {
      check.bad_entry = id;
      check.problem = std::move(problem);
    }
  };
  {
    auto stmt = Acquire(kAllAudit);
    if (!stmt) return Context(what, stmt.error());
    for (;;) {
      auto row = (*stmt)->Step();
      if (!row) return Context(what, row.error());
      if (!*row) break;
      AuditRow r = ReadAudit(**stmt);
      ++check.entries;
      if (r.id != last_id + 1) {
        fail(r.id, "entries " + std::to_string(last_id + 1) + ".." + std::to_string(r.id - 1) +
                       " are missing");
      }
      last_id = r.id;
      if (!r.hash) {
        if (last_hash) fail(r.id, "entry has no hash, but the entries before it are chained");
        continue;
      }
      ++check.chained;
      std::string expected_prev = last_hash.value_or("");
      if (r.prev_hash.value_or("") != expected_prev) {
        fail(r.id, "does not link to the entry before it (that entry was changed or removed)");
      } else if (AuditHash(expected_prev, r) != *r.hash) {
        fail(r.id, "its content does not match its hash (the entry was changed)");
      }
      last_hash = r.hash;
    }
  }
  auto stmt = Acquire(kAuditSequence);
  if (!stmt) return Context(what, stmt.error());
  auto seq = internal::StepForInt64(**stmt);
  if (!seq) return Context(what, seq.error());
  if (*seq > last_id) {
    fail(last_id + 1, "entries " + std::to_string(last_id + 1) + ".." + std::to_string(*seq) +
                          " at the end of the log are missing");
  }
  return check;
}

}  // namespace beffroi::store
