#include "analyzer/store/sqlite.h"

#include <sqlite3.h>

#include <climits>
#include <cstring>

namespace beffroi::store {

namespace {

// The message for result code `rc`. Lock, read-only, corruption and not-a-database get their
// own wording because those are the ones a user can act on; the others carry SQLite's text.
Error Describe(const std::string& path, int rc, std::string_view what, std::string_view detail) {
  std::string prefix = what.empty() ? std::string() : std::string(what) + ": ";
  std::string text(detail);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return MakeError(ErrorCode::kIo, prefix + "database is locked by another process: " + path);
    case SQLITE_READONLY:
      return MakeError(ErrorCode::kIo, prefix + path + " is read-only (" + text + ")");
    case SQLITE_CORRUPT:
      return MakeError(ErrorCode::kCorrupt, prefix + path + ": database is corrupt (" + text +
                                                "); nothing was written, restore it from a backup");
    case SQLITE_NOTADB:
      return MakeError(ErrorCode::kCorrupt,
                       prefix + path + ": not a Beffroi database (file is not a database)");
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return MakeError(ErrorCode::kIo, prefix + path + ": " + text);
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
      return MakeError(ErrorCode::kInvalidArgument, prefix + text);
    default:
      return MakeError(ErrorCode::kInternal, prefix + path + ": " + text);
  }
}

bool IsSpecialOpenError(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return true;
    default:
      return false;
  }
}

// "open PATH: unable to open database file (No such file or directory)": SQLite's own text
// does not say why, errno does.
Error OpenError(sqlite3* db, const std::string& path, int rc) {
  if (db != nullptr && IsSpecialOpenError(rc)) return Describe(path, rc, "", sqlite3_errmsg(db));
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  int sys_errno = db != nullptr ? sqlite3_system_errno(db) : 0;
  if (sys_errno != 0) detail += std::string(" (") + std::strerror(sys_errno) + ")";
  return MakeError(ErrorCode::kIo, "open " + path + ": " + detail);
}

}  // namespace

void SqliteCloser::operator()(sqlite3* db) const {
  // close_v2 defers the close until the last statement is finalized instead of failing.
  sqlite3_close_v2(db);
}

void SqliteFinalizer::operator()(sqlite3_stmt* stmt) const {
  sqlite3_finalize(stmt);
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, bool read_only) {
  OpenOptions options;
  options.read_only = read_only;
  return Open(path, options);
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                 const OpenOptions& options) {
  // NOMUTEX: a Database is documented as used by one thread at a time, so SQLite's
  // per-connection mutex is pure overhead.
  int flags =
      SQLITE_OPEN_NOMUTEX |
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<sqlite3, SqliteCloser> handle(raw);  // SQLite allocates a handle even on error
  if (rc != SQLITE_OK) return OpenError(raw, path, rc);

  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // No SQL, not even ours, may corrupt the file on purpose (writable_schema, raw page edits).
  // The schema stays trusted: SQLite 3.40 does not mark json_valid() innocuous, and the CHECKs
  // that keep our JSON columns valid need it.
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);

  // SQLITE_OPEN_READWRITE silently falls back to read-only for a file the OS will not let us
  // write; record it so writes are refused up front with a clear message.
  bool read_only = options.read_only || sqlite3_db_readonly(raw, "main") == 1;
  std::unique_ptr<Database> db(new Database(std::move(handle), path, read_only));

  // Reading the schema makes SQLite read the file header, so a file that is not a database is
  // refused here, before the pragmas below could write anything to it.
  rc = sqlite3_exec(raw, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return OpenError(raw, path, rc);

  // foreign_keys and synchronous are per connection; journal_mode=WAL is stored in the file and
  // only needs (and can only be) set by a writer. WAL lets readers run beside one writer, and
  // with synchronous=NORMAL a crash can lose the last commits but never consistency.
  std::string pragmas = "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
  // Pragmas take no bound parameters; the cache size is a positive integer (a negative one
  // would turn "-" into a "--" comment), and negative cache_size means KiB to SQLite.
  if (options.cache_kib > 0) {
    pragmas += " PRAGMA cache_size = -" + std::to_string(options.cache_kib) + ";";
  }
  if (!read_only) pragmas += " PRAGMA journal_mode = WAL;";
  rc = sqlite3_exec(raw, pragmas.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return OpenError(raw, path, rc);
  return db;
}

Status Database::Exec(const std::string& sql) {
  int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return MakeSqliteError(rc, "");
  return OkStatus();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  return Statement::Prepare(*this, sql);
}

Status Database::CheckIntegrity() {
  auto stmt = Prepare("PRAGMA integrity_check");
  if (!stmt) return stmt.error();
  std::string findings;
  int shown = 0;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return row.error();
    if (!*row) break;
    std::string line = stmt->ColumnText(0);
    if (line == "ok") continue;
    // integrity_check can report hundreds of lines; the first few say enough.
    if (++shown > 5) continue;
    findings += (findings.empty() ? "" : "; ") + line;
  }
  if (findings.empty()) return OkStatus();
  return MakeError(ErrorCode::kCorrupt, path_ + ": integrity check failed: " + findings);
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_.get());
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(db_.get());
}

bool Database::in_transaction() const {
  return sqlite3_get_autocommit(db_.get()) == 0;
}

Error Database::MakeSqliteError(int rc, std::string_view what) const {
  return Describe(path_, rc, what, sqlite3_errmsg(db_.get()));
}

Result<Statement> Statement::Prepare(Database& db, std::string_view sql) {
  if (sql.size() > static_cast<std::size_t>(INT_MAX)) {
    return MakeError(ErrorCode::kInvalidArgument, "prepare: SQL text too long");
  }
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db.db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, &tail);
  std::unique_ptr<sqlite3_stmt, SqliteFinalizer> stmt(raw);
  if (rc != SQLITE_OK) return db.MakeSqliteError(rc, "prepare");
  if (raw == nullptr) return MakeError(ErrorCode::kInvalidArgument, "prepare: empty SQL");

  // A second statement after the first would be silently ignored by SQLite; refuse it. Only
  // whitespace and comments may follow, which compile to nothing.
  std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
  if (!rest.empty()) {
    sqlite3_stmt* extra = nullptr;
    rc = sqlite3_prepare_v2(db.db_.get(), rest.data(), static_cast<int>(rest.size()), &extra,
                            nullptr);
    std::unique_ptr<sqlite3_stmt, SqliteFinalizer> extra_owner(extra);
    if (rc != SQLITE_OK || extra != nullptr) {
      return MakeError(ErrorCode::kInvalidArgument, "prepare: more than one SQL statement");
    }
  }
  return Statement(&db, std::move(stmt));
}

void Statement::NoteBind(int rc, int index) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_index_ = index;
  }
}

Statement& Statement::BindInt64(int index, std::int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_.get(), index, value), index);
  return *this;
}

Statement& Statement::BindDouble(int index, double value) {
  NoteBind(sqlite3_bind_double(stmt_.get(), index, value), index);
  return *this;
}

Statement& Statement::BindText(int index, std::string_view value) {
  // An empty string_view may have a null data(), which SQLite would bind as NULL, not "".
  const char* data = value.data() != nullptr ? value.data() : "";
  NoteBind(
      sqlite3_bind_text64(stmt_.get(), index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
  return *this;
}

Statement& Statement::BindTextNoCopy(int index, std::string_view value) {
  const char* data = value.data() != nullptr ? value.data() : "";
  NoteBind(sqlite3_bind_text64(stmt_.get(), index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8),
           index);
  return *this;
}

Statement& Statement::BindNull(int index) {
  NoteBind(sqlite3_bind_null(stmt_.get(), index), index);
  return *this;
}

Statement& Statement::BindBlob(int index, std::span<const std::uint8_t> value) {
  // Same trap as BindText: a null pointer would make an empty blob NULL.
  if (value.empty()) {
    NoteBind(sqlite3_bind_zeroblob(stmt_.get(), index, 0), index);
  } else {
    NoteBind(sqlite3_bind_blob64(stmt_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT),
             index);
  }
  return *this;
}

Statement& Statement::BindOptionalText(int index, const std::optional<std::string>& value) {
  return value ? BindText(index, *value) : BindNull(index);
}

Statement& Statement::BindOptionalTextNoCopy(int index, const std::optional<std::string>& value) {
  return value ? BindTextNoCopy(index, *value) : BindNull(index);
}

Statement& Statement::BindOptionalInt64(int index, const std::optional<std::int64_t>& value) {
  return value ? BindInt64(index, *value) : BindNull(index);
}

Result<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) {
    return Describe(db_->path(), bind_rc_, "bind parameter " + std::to_string(bind_index_),
                    sqlite3_errstr(bind_rc_));
  }
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->MakeSqliteError(rc, "");
}

Status Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row) return row.error();
    if (!*row) return OkStatus();
  }
}

void Statement::Reset() {
  // sqlite3_reset repeats the last step's error, which Step already reported.
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_rc_ = SQLITE_OK;
  bind_index_ = 0;
}

int Statement::column_count() const {
  return sqlite3_column_count(stmt_.get());
}

bool Statement::ColumnIsNull(int index) const {
  return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

std::int64_t Statement::ColumnInt64(int index) const {
  return sqlite3_column_int64(stmt_.get(), index);
}

double Statement::ColumnDouble(int index) const {
  return sqlite3_column_double(stmt_.get(), index);
}

std::string Statement::ColumnText(int index) const {
  // text before bytes: the byte count must describe the UTF-8 form we read.
  const unsigned char* text = sqlite3_column_text(stmt_.get(), index);
  if (text == nullptr) return std::string();
  auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), index));
  return std::string(reinterpret_cast<const char*>(text), size);
}

std::vector<std::uint8_t> Statement::ColumnBlob(int index) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_.get(), index));
  if (data == nullptr) return {};
  auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), index));
  return std::vector<std::uint8_t>(data, data + size);
}

std::optional<std::string> Statement::ColumnOptionalText(int index) const {
  if (ColumnIsNull(index)) return std::nullopt;
  return ColumnText(index);
}

std::optional<std::int64_t> Statement::ColumnOptionalInt64(int index) const {
  if (ColumnIsNull(index)) return std::nullopt;
  return ColumnInt64(index);
}

void TransactionRollback::operator()(Database* db) const {
  // Errors are ignored: SQLite may already have rolled back by itself (after SQLITE_FULL or an
  // I/O error), and a destructor has no one to report to.
  if (nested) {
    (void)db->Exec("ROLLBACK TO beffroi_nested; RELEASE beffroi_nested");
  } else {
    (void)db->Exec("ROLLBACK");
  }
}

Result<Transaction> Transaction::Begin(Database& db) {
  if (db.read_only()) {
    return MakeError(ErrorCode::kIo, db.path() + " is read-only");
  }
  bool nested = db.in_transaction();
  // One fixed savepoint name is enough: savepoints nest LIFO and RELEASE/ROLLBACK TO act on
  // the innermost one of that name.
  Status begun = db.Exec(nested ? "SAVEPOINT beffroi_nested" : "BEGIN IMMEDIATE");
  if (!begun.ok()) return begun.error();
  return Transaction(db, nested);
}

Status Transaction::Commit() {
  if (!db_) return MakeError(ErrorCode::kInternal, "commit: transaction already committed");
  Status done = db_->Exec(nested() ? "RELEASE beffroi_nested" : "COMMIT");
  if (!done.ok()) return done;
  db_.release();
  return OkStatus();
}

}  // namespace beffroi::store
