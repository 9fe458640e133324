// SQLite RAII layer: Database, Statement and Transaction. Together with the rest of
// analyzer/store this is the only code that includes <sqlite3.h>; the header forward-declares
// the handles so nothing above the store depends on SQLite's API.
//
// Database owns one connection. Open() turns on WAL journaling, foreign keys,
// synchronous=NORMAL and a busy timeout, so the analyzer, a concurrent `beffroi scan` and a
// triage shell can share one file, and a crash loses at most the last transactions, never
// consistency. Statement owns one prepared statement and points to its Database, which must
// outlive it. Transaction is BEGIN IMMEDIATE ... COMMIT, rolled back by its destructor unless
// committed; begun while another transaction is open it becomes a SAVEPOINT, so a library
// write made of several statements stays atomic inside a caller's transaction too.
//
// Values are always bound, never formatted into SQL. Every SQLite failure becomes an Error
// naming the database path with sqlite3_errmsg; lock contention ("database is locked by
// another process: PATH"), read-only files ("PATH is read-only"), corruption and files that
// are not databases get their own wording (see Database::MakeSqliteError).
//
// Thread-safety: a Database and its Statements are used by one thread at a time
// (thread-compatible). Parallel work opens one Database per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace beffroi::store {

// Long enough to ride out another process's commit of a large batch, short enough that a
// stuck writer is reported to the user instead of hanging the command.
inline constexpr int kDefaultBusyTimeoutMs = 5000;
inline constexpr int kDefaultCacheKib = 64 * 1024;

struct OpenOptions {
  // Opens with SQLITE_OPEN_READONLY: nothing is created or changed, writes fail with
  // "PATH is read-only". A file the OS will not let us write is also opened read-only.
  bool read_only = false;
  // How long a statement waits for another connection's lock before failing.
  int busy_timeout_ms = kDefaultBusyTimeoutMs;
  // Page cache per connection, allocated only as used. SQLite's 2 MiB default makes a large
  // insert spill index pages to the WAL and rewrite them again and again: SHA-256 keys land on
  // random index pages, so a batch touches far more pages than it adds.
  int cache_kib = kDefaultCacheKib;
};

struct SqliteCloser {
  void operator()(sqlite3* db) const;
};
struct SqliteFinalizer {
  void operator()(sqlite3_stmt* stmt) const;
};

class Statement;

class Database {
 public:
  // Opens (creating unless read-only) the database at `path`. Errors: "open PATH: detail";
  // "PATH: not a Beffroi database (file is not a database)" for a file that is not SQLite,
  // which is left untouched; "database is locked by another process: PATH".
  static Result<std::unique_ptr<Database>> Open(const std::string& path, bool read_only = false);
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                const OpenOptions& options);

  // Runs constant SQL, possibly several statements: schema, pragmas. Never pass values here;
  // use Statement and bind them.
  Status Exec(const std::string& sql);
  Result<Statement> Prepare(std::string_view sql);

  // `PRAGMA integrity_check`: ok, or kCorrupt listing SQLite's first findings.
  Status CheckIntegrity();

  std::int64_t last_insert_rowid() const;
  // Rows changed by the most recent INSERT, UPDATE or DELETE.
  std::int64_t changes() const;
  // True between BEGIN and COMMIT/ROLLBACK (SQLite's autocommit mode is off).
  bool in_transaction() const;
  bool read_only() const { return read_only_; }
  const std::string& path() const { return path_; }

  // An Error for SQLite result code `rc` on this connection: "WHAT: detail", where the detail
  // names the path and uses sqlite3_errmsg; `what` may be empty.
  Error MakeSqliteError(int rc, std::string_view what) const;

 private:
  friend class Statement;
  Database(std::unique_ptr<sqlite3, SqliteCloser> db, std::string path, bool read_only)
      : db_(std::move(db)), path_(std::move(path)), read_only_(read_only) {}

  std::unique_ptr<sqlite3, SqliteCloser> db_;
  std::string path_;
  bool read_only_;
};

class Statement {
 public:
  // Compiles exactly one SQL statement; trailing SQL is refused rather than silently ignored.
  static Result<Statement> Prepare(Database& db, std::string_view sql);

  // Binds by 1-based index. A failure (index out of range, out of memory) is remembered and
  // returned by the next Step, which keeps call sites to one line per value.
  Statement& BindInt64(int index, std::int64_t value);
  Statement& BindDouble(int index, double value);
  Statement& BindText(int index, std::string_view value);  // copied; "" stays "" (not NULL)
  // Not copied: `value` must stay alive and unchanged until the statement is Reset. For bulk
  // inserts, where SQLite's copy of every string is a measurable share of the time.
  Statement& BindTextNoCopy(int index, std::string_view value);
  Statement& BindNull(int index);
  Statement& BindBlob(int index, std::span<const std::uint8_t> value);
  // NULL when the optional is empty.
  Statement& BindOptionalText(int index, const std::optional<std::string>& value);
  Statement& BindOptionalTextNoCopy(int index, const std::optional<std::string>& value);
  Statement& BindOptionalInt64(int index, const std::optional<std::int64_t>& value);

  // Runs one step: true when a row is available, false when the statement is done.
  Result<bool> Step();
  // Steps until done, discarding any rows: for INSERT, UPDATE and DELETE.
  Status Run();
  // Rewinds for another execution, clears the bindings and any remembered bind error.
  void Reset();

  int column_count() const;
  bool ColumnIsNull(int index) const;
  std::int64_t ColumnInt64(int index) const;
  double ColumnDouble(int index) const;
  std::string ColumnText(int index) const;  // "" for NULL
  std::vector<std::uint8_t> ColumnBlob(int index) const;
  std::optional<std::string> ColumnOptionalText(int index) const;
  std::optional<std::int64_t> ColumnOptionalInt64(int index) const;

 private:
  Statement(Database* db, std::unique_ptr<sqlite3_stmt, SqliteFinalizer> stmt)
      : db_(db), stmt_(std::move(stmt)) {}
  void NoteBind(int rc, int index);

  Database* db_;
  std::unique_ptr<sqlite3_stmt, SqliteFinalizer> stmt_;
  int bind_rc_ = 0;  // SQLITE_OK
  int bind_index_ = 0;
};

// Resets (does not finalize) a statement when a scope ends, so that a cached statement never
// keeps a read snapshot open, or a RETURNING insert unfinished, between calls.
struct StatementResetter {
  void operator()(Statement* stmt) const { stmt->Reset(); }
};
using ScopedStatement = std::unique_ptr<Statement, StatementResetter>;

// The deleter is the rollback: a Transaction that is destroyed, moved from or not committed
// rolls back exactly once, with no hand-written move operations.
struct TransactionRollback {
  bool nested = false;
  void operator()(Database* db) const;
};

class Transaction {
 public:
  // BEGIN IMMEDIATE takes the write lock now, waiting up to the busy timeout, so a transaction
  // never fails halfway on a lock upgrade. Inside an open transaction this is a SAVEPOINT.
  static Result<Transaction> Begin(Database& db);

  // COMMIT (or RELEASE). On failure the transaction stays open and the destructor rolls back.
  Status Commit();
  bool nested() const { return db_.get_deleter().nested; }

 private:
  Transaction(Database& db, bool nested) : db_(&db, TransactionRollback{nested}) {}

  std::unique_ptr<Database, TransactionRollback> db_;
};

}  // namespace beffroi::store
