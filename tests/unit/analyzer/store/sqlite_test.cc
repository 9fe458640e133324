#include "analyzer/store/sqlite.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "analyzer/store/store.h"
#include "temp_db.h"

namespace beffroi::store {
namespace {

using testing::QueryInt;
using testing::ReadBytes;
using testing::TempDb;
using testing::WriteBytes;

std::string QueryText(Database& db, std::string_view sql) {
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return "prepare failed: " + stmt.error().message;
  auto row = stmt->Step();
  if (!row.ok() || !*row) return "no row";
  return stmt->ColumnText(0);
}

std::unique_ptr<Database> OpenOrDie(const std::string& path, OpenOptions options = {}) {
  auto db = Database::Open(path, options);
  EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().message);
  return db.ok() ? std::move(*db) : nullptr;
}

TEST(Database, OpenSetsWalForeignKeysSynchronousBusyTimeoutAndCache) {
  TempDb tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(QueryText(*db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryInt(*db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(QueryInt(*db, "PRAGMA synchronous"), 1);  // NORMAL
  EXPECT_EQ(QueryInt(*db, "PRAGMA busy_timeout"), kDefaultBusyTimeoutMs);
  EXPECT_EQ(QueryInt(*db, "PRAGMA cache_size"), -kDefaultCacheKib);
  EXPECT_FALSE(db->read_only());
  EXPECT_FALSE(db->in_transaction());
}

TEST(Database, BindsAndReadsEveryTypeVerbatim) {
  TempDb tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, n TEXT, b BLOB, e TEXT)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  ASSERT_TRUE(insert.ok()) << insert.error().message;
  const std::string hostile = "x'); DROP TABLE t; --";
  const std::vector<std::uint8_t> blob = {0x00, 0xff, 0x10};
  insert->BindInt64(1, INT64_MIN)
      .BindDouble(2, 2.5)
      .BindText(3, hostile)
      .BindNull(4)
      .BindBlob(5, blob)
      .BindText(6, std::string_view());  // an empty view must stay "", not become NULL
  ASSERT_TRUE(insert->Run().ok());
  EXPECT_EQ(db->changes(), 1);
  EXPECT_EQ(db->last_insert_rowid(), 1);

  auto select = db->Prepare("SELECT i, d, s, n, b, e FROM t");
  ASSERT_TRUE(select.ok());
  auto row = select->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(select->column_count(), 6);
  EXPECT_EQ(select->ColumnInt64(0), INT64_MIN);
  EXPECT_EQ(select->ColumnDouble(1), 2.5);
  EXPECT_EQ(select->ColumnText(2), hostile);
  EXPECT_TRUE(select->ColumnIsNull(3));
  EXPECT_EQ(select->ColumnOptionalText(3), std::nullopt);
  EXPECT_EQ(select->ColumnBlob(4), blob);
  EXPECT_FALSE(select->ColumnIsNull(5));
  EXPECT_EQ(select->ColumnOptionalText(5), std::optional<std::string>(""));
  row = select->Step();
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(*row);
}

TEST(Database, ResetAllowsReuseAndClearsBindings) {
  TempDb tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (a INTEGER, b TEXT)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES (?1, ?2)");
  ASSERT_TRUE(insert.ok());
  insert->BindInt64(1, 1).BindText(2, "one");
  ASSERT_TRUE(insert->Run().ok());
  insert->Reset();
  insert->BindInt64(1, 2);  // ?2 not bound again: NULL, not "one"
  ASSERT_TRUE(insert->Run().ok());
  EXPECT_EQ(QueryInt(*db, "SELECT count(*) FROM t WHERE b IS NULL AND a = 2"), 1);
}

TEST(Database, PrepareRefusesSecondStatementAndReportsSyntaxErrors) {
  TempDb tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  auto two = db->Prepare("SELECT 1; SELECT 2");
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.error().message.find("more than one SQL statement"), std::string::npos);
  EXPECT_TRUE(db->Prepare("SELECT 1; -- a trailing comment\n").ok());
  auto bad = db->Prepare("SELEKT 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("syntax error"), std::string::npos) << bad.error().message;
}

TEST(Database, BindErrorIsReportedByStep) {
  TempDb tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  auto stmt = db->Prepare("SELECT ?1");
  ASSERT_TRUE(stmt.ok());
  stmt->BindInt64(2, 7);
  auto row = stmt->Step();
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(row.error().message.find("bind parameter 2"), std::string::npos);
  stmt->Reset();  // forgets the bind error
  stmt->BindInt64(1, 7);
  row = stmt->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(stmt->ColumnInt64(0), 7);
}

TEST(Database, FileThatIsNotADatabaseIsRefusedAndLeftUnchanged) {
  TempDb tmp;
  std::string content = "Municipal inventory, not SQLite.\n";
  for (int i = 0; i < 200; ++i)
    content += "line " + std::to_string(i) + " of a text file\n";
  WriteBytes(tmp.path(), content);

  auto db = Database::Open(tmp.path());
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(db.error().message, tmp.path() + ": not a Beffroi database (file is not a database)");
  auto store = Store::Open(tmp.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().message, db.error().message);

  EXPECT_EQ(ReadBytes(tmp.path()), content);
  EXPECT_FALSE(tmp.HasCompanionFiles());
}

TEST(Database, MissingFileOpenedReadOnlyNamesPathAndReason) {
  TempDb tmp;
  auto db = Database::Open(tmp.path(), /*read_only=*/true);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::kIo);
  EXPECT_EQ(db.error().message.rfind("open " + tmp.path() + ": ", 0), 0u) << db.error().message;
  EXPECT_NE(db.error().message.find("No such file or directory"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(tmp.path()));
}

TEST(Database, ReadOnlyOpenRefusesWritesClearly) {
  TempDb tmp;
  {
    auto store = Store::Open(tmp.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE((*store)->UpsertHost("fs01", "", "2026-03-01T10:00:00.000000Z").ok());
  }
  std::string before = ReadBytes(tmp.path());

  auto db = OpenOrDie(tmp.path(), OpenOptions{.read_only = true});
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->read_only());
  EXPECT_EQ(QueryInt(*db, "SELECT count(*) FROM hosts"), 1);  // reads work
  auto tx = Transaction::Begin(*db);
  ASSERT_FALSE(tx.ok());
  EXPECT_NE(tx.error().message.find(tmp.path() + " is read-only"), std::string::npos);
  Status exec = db->Exec("DELETE FROM hosts");
  ASSERT_FALSE(exec.ok());
  EXPECT_NE(exec.error().message.find(tmp.path() + " is read-only"), std::string::npos)
      << exec.error().message;
  db.reset();

  auto store = Store::Open(tmp.path(), OpenOptions{.read_only = true});
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto host = (*store)->FindHost("fs01");
  ASSERT_TRUE(host.ok() && host->has_value());
  auto upsert = (*store)->UpsertHost("fs02", "", "2026-03-01T10:00:00.000000Z");
  ASSERT_FALSE(upsert.ok());
  EXPECT_EQ(upsert.error().code, ErrorCode::kIo);
  EXPECT_NE(upsert.error().message.find(tmp.path() + " is read-only"), std::string::npos)
      << upsert.error().message;
  store->reset();
  EXPECT_EQ(ReadBytes(tmp.path()), before);
}

TEST(Database, FileWithoutWritePermissionIsOpenedReadOnly) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes through chmod 0444; see ReadOnlyOpen*";
  TempDb tmp;
  {
    auto store = Store::Open(tmp.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
  }
  ASSERT_EQ(::chmod(tmp.path().c_str(), 0444), 0);
  auto store = Store::Open(tmp.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_TRUE((*store)->db().read_only());
  auto upsert = (*store)->UpsertHost("fs01", "", "2026-03-01T10:00:00.000000Z");
  ASSERT_FALSE(upsert.ok());
  EXPECT_NE(upsert.error().message.find(tmp.path() + " is read-only"), std::string::npos)
      << upsert.error().message;
}

TEST(Database, LockedDatabaseFailsWithinTheBusyTimeout) {
  TempDb tmp;
  {
    auto store = Store::Open(tmp.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
  }
  auto holder = OpenOrDie(tmp.path());
  ASSERT_NE(holder, nullptr);
  auto held = Transaction::Begin(*holder);
  ASSERT_TRUE(held.ok()) << held.error().message;

  // Opening and reading still work beside a writer (WAL); writing waits, then gives up.
  auto store = Store::Open(tmp.path(), OpenOptions{.busy_timeout_ms = 100});
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto start = std::chrono::steady_clock::now();
  auto upsert = (*store)->UpsertHost("fs01", "", "2026-03-01T10:00:00.000000Z");
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(upsert.ok());
  EXPECT_EQ(upsert.error().message,
            "upsert host fs01: database is locked by another process: " + tmp.path());
  EXPECT_GE(waited, std::chrono::milliseconds(90));
  EXPECT_LT(waited, std::chrono::seconds(3));

  auto tx = Transaction::Begin((*store)->db());
  ASSERT_FALSE(tx.ok());
  EXPECT_EQ(tx.error().message, "database is locked by another process: " + tmp.path());

  held = Error{};  // the other process finishes (rolls back)
  EXPECT_TRUE((*store)->UpsertHost("fs01", "", "2026-03-01T10:00:00.000000Z").ok());
}

TEST(Transaction, DestroyedWithoutCommitLeavesNothing) {
  TempDb tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (a INTEGER)").ok());
  {
    auto tx = Transaction::Begin(*db);
    ASSERT_TRUE(tx.ok());
    EXPECT_FALSE(tx->nested());
    EXPECT_TRUE(db->in_transaction());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1), (2)").ok());
  }
  EXPECT_FALSE(db->in_transaction());
  EXPECT_EQ(QueryInt(*db, "SELECT count(*) FROM t"), 0);
  {
    auto tx = Transaction::Begin(*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (3)").ok());
    ASSERT_TRUE(tx->Commit().ok());
    EXPECT_FALSE(tx->Commit().ok());  // already committed
  }
  EXPECT_EQ(QueryInt(*db, "SELECT count(*) FROM t"), 1);
}

TEST(Transaction, InsideAnotherItIsASavepoint) {
  TempDb tmp;
  auto db = OpenOrDie(tmp.path());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE t (a INTEGER)").ok());
  auto outer = Transaction::Begin(*db);
  ASSERT_TRUE(outer.ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
  {
    auto inner = Transaction::Begin(*db);
    ASSERT_TRUE(inner.ok());
    EXPECT_TRUE(inner->nested());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (2)").ok());
  }  // rolls back to the savepoint only
  {
    auto inner = Transaction::Begin(*db);
    ASSERT_TRUE(inner.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (3)").ok());
    ASSERT_TRUE(inner->Commit().ok());
  }
  EXPECT_TRUE(db->in_transaction());
  ASSERT_TRUE(outer->Commit().ok());
  EXPECT_EQ(QueryText(*db, "SELECT group_concat(a, ',') FROM (SELECT a FROM t ORDER BY a)"), "1,3");
}

TEST(Database, CorruptionIsReportedClearlyAndNothingIsWritten) {
  TempDb tmp;
  {
    auto store = Store::Open(tmp.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto host = (*store)->UpsertHost("fs01", "", "2026-03-01T10:00:00.000000Z");
    ASSERT_TRUE(host.ok());
    auto scan = (*store)->BeginScan(ScanRow{.host_id = *host, .started = "s", .actor = "t"});
    ASSERT_TRUE(scan.ok());
    std::vector<FileObservationRow> rows(20000);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      rows[i].host_id = *host;
      rows[i].scan_id = *scan;
      rows[i].path = "/srv/share/file" + std::to_string(i);
      rows[i].sha256 = std::string(64, 'a');
      rows[i].observed_at = "2026-03-01T10:00:00.000000Z";
    }
    ASSERT_TRUE((*store)->InsertFileObservations(rows).ok());
  }
  // Scribble over the second half of the file: table and index pages, not the header.
  std::string bytes = ReadBytes(tmp.path());
  ASSERT_GT(bytes.size(), 100000u);
  for (std::size_t i = bytes.size() / 2; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(0xA5 ^ (i * 7));
  }
  WriteBytes(tmp.path(), bytes);

  {
    auto store = Store::Open(tmp.path());
    ASSERT_TRUE(store.ok()) << store.error().message;  // the header and schema are intact
    Status check = (*store)->db().CheckIntegrity();
    ASSERT_FALSE(check.ok());
    EXPECT_EQ(check.error().code, ErrorCode::kCorrupt);
    auto stmt = (*store)->db().Prepare("SELECT sum(length(path)) FROM file_observations");
    ASSERT_TRUE(stmt.ok());
    auto row = stmt->Step();
    ASSERT_FALSE(row.ok());
    EXPECT_EQ(row.error().code, ErrorCode::kCorrupt);
    EXPECT_NE(row.error().message.find(tmp.path() + ": database is corrupt"), std::string::npos)
        << row.error().message;
  }
  EXPECT_EQ(ReadBytes(tmp.path()), bytes);
}

// A writer killed in the middle of a transaction, after SQLite spilled uncommitted pages to
// the WAL, must leave exactly the committed state behind.
TEST(Crash, KilledWriterLeavesNoPartialRows) {
  TempDb tmp;
  {
    auto store = Store::Open(tmp.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
  }
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: no gtest here; the exit code says how far it got. A small page cache makes
    // SQLite spill uncommitted pages to the WAL long before the transaction ends.
    auto store = Store::Open(tmp.path(), OpenOptions{.cache_kib = 256});
    if (!store.ok()) ::_exit(2);
    auto host = (*store)->UpsertHost("fs01", "", "2026-03-01T10:00:00.000000Z");
    if (!host.ok()) ::_exit(3);
    auto scan = (*store)->BeginScan(ScanRow{.host_id = *host, .started = "s", .actor = "t"});
    if (!scan.ok()) ::_exit(4);
    auto tx = Transaction::Begin((*store)->db());
    if (!tx.ok()) ::_exit(5);
    std::vector<FileObservationRow> rows(100000);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      rows[i].host_id = *host;
      rows[i].scan_id = *scan;
      rows[i].path = "/srv/share/file" + std::to_string(i);
      rows[i].sha256 = std::string(64, 'b');
      rows[i].observed_at = "2026-03-01T10:00:00.000000Z";
    }
    if (!(*store)->InsertFileObservations(rows).ok()) ::_exit(6);
    if (!(*store)->AppendAudit(Who{"t"}, "scan.partial", "scan", *scan, "{}", "x").ok()) ::_exit(7);
    ::_exit(9);  // no commit, no destructors, no close
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 9);
  // The uncommitted pages really reached the disk, so recovery had something to ignore.
  std::error_code ec;
  EXPECT_GT(std::filesystem::file_size(tmp.path() + "-wal", ec), 100000u);

  auto store = Store::Open(tmp.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  Database& db = (*store)->db();
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM hosts"), 1);  // committed before the crash
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM scans"), 1);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM file_observations"), 0);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM audit_log"), 0);
  EXPECT_EQ(QueryText(db, "PRAGMA integrity_check"), "ok");
  EXPECT_TRUE(db.CheckIntegrity().ok());
}

}  // namespace
}  // namespace beffroi::store
