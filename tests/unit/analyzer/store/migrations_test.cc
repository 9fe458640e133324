#include "analyzer/store/migrations.h"

#include <gtest/gtest.h>

#include <set>

#include "analyzer/store/store.h"
#include "temp_db.h"

namespace beffroi::store {
namespace {

using testing::QueryInt;
using testing::ReadBytes;
using testing::TempDb;
using testing::WriteBytes;

std::set<std::string> SchemaObjects(Database& db) {
  std::set<std::string> names;
  auto stmt = db.Prepare("SELECT type || ' ' || name FROM sqlite_schema");
  EXPECT_TRUE(stmt.ok());
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok() || !*row) break;
    names.insert(stmt->ColumnText(0));
  }
  return names;
}

TEST(Migrations, FromEmptyToLatestAndReopeningChangesNothing) {
  TempDb tmp;
  std::set<std::string> objects;
  {
    auto store = Store::Open(tmp.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    Database& db = (*store)->db();
    EXPECT_EQ(QueryInt(db, "PRAGMA user_version"), LatestSchemaVersion());
    EXPECT_EQ(QueryInt(db, "PRAGMA application_id"), kApplicationId);
    objects = SchemaObjects(db);
    for (const char* table : {"hosts", "bundles", "scans", "file_observations", "scan_cache",
                              "yara_verdicts", "incidents", "detections", "audit_log"}) {
      EXPECT_TRUE(objects.count(std::string("table ") + table)) << table;
    }
    EXPECT_TRUE(objects.count("index file_observations_by_sha256"));
    EXPECT_TRUE(objects.count("index file_observations_by_host_path"));
    EXPECT_TRUE(objects.count("trigger audit_log_no_update"));
    EXPECT_TRUE(objects.count("trigger audit_log_no_delete"));
    EXPECT_TRUE(db.CheckIntegrity().ok());
  }
  auto again = Store::Open(tmp.path());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(QueryInt((*again)->db(), "PRAGMA user_version"), LatestSchemaVersion());
  EXPECT_EQ(SchemaObjects((*again)->db()), objects);
  EXPECT_TRUE(Migrate((*again)->db()).ok());
}

TEST(Migrations, AnEmptyFileBecomesADatabase) {
  TempDb tmp;
  WriteBytes(tmp.path(), "");
  auto store = Store::Open(tmp.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ(QueryInt((*store)->db(), "PRAGMA user_version"), LatestSchemaVersion());
}

TEST(Migrations, NewerSchemaIsRefusedAndLeftUnchanged) {
  TempDb tmp;
  {
    auto store = Store::Open(tmp.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE((*store)->db().Exec("PRAGMA user_version = 42").ok());
  }
  std::string before = ReadBytes(tmp.path());
  auto store = Store::Open(tmp.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(store.error().message.rfind(tmp.path() +
                                            ": database schema version 42 is newer than "
                                            "this beffroi understands (" +
                                            std::to_string(LatestSchemaVersion()) + ")",
                                        0),
            0u)
      << store.error().message;
  EXPECT_EQ(ReadBytes(tmp.path()), before);
}

TEST(Migrations, ForeignSqliteDatabaseIsRefused) {
  TempDb tmp;
  {
    auto db = Database::Open(tmp.path());
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("CREATE TABLE moz_places (id INTEGER PRIMARY KEY)").ok());
  }
  auto store = Store::Open(tmp.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().message,
            tmp.path() + ": not a Beffroi database (a SQLite database of another application)");

  {
    auto db = Database::Open(tmp.path());
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA application_id = 7").ok());
  }
  store = Store::Open(tmp.path());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("another application, id 7"), std::string::npos);
}

TEST(Migrations, ReadOnlyDatabaseThatNeedsMigrationIsRefused) {
  TempDb tmp;
  WriteBytes(tmp.path(), "");
  auto store = Store::Open(tmp.path(), OpenOptions{.read_only = true});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kIo);
  EXPECT_EQ(store.error().message.rfind(tmp.path() + " is read-only", 0), 0u)
      << store.error().message;
  EXPECT_EQ(ReadBytes(tmp.path()), "");
}

constexpr Migration kGood1 = {1, "create a", "CREATE TABLE a (x INTEGER);"};
constexpr Migration kGood2 = {2, "create b",
                              "CREATE TABLE b (y INTEGER); INSERT INTO b VALUES (1);"};
constexpr Migration kBroken2 = {
    2, "create b, then fail", "CREATE TABLE b (y INTEGER); INSERT INTO no_such_table VALUES (1);"};

TEST(Migrations, EachIsAppliedInOrderInItsOwnTransaction) {
  TempDb tmp;
  auto db = Database::Open(tmp.path());
  ASSERT_TRUE(db.ok());
  Database& d = **db;

  const Migration broken[] = {kGood1, kBroken2};
  Status failed = ApplyMigrations(d, broken);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("to schema version 2 (create b, then fail)"),
            std::string::npos)
      << failed.error().message;
  EXPECT_NE(failed.error().message.find("no such table: no_such_table"), std::string::npos);
  // Migration 1 committed; nothing of migration 2 remains.
  EXPECT_EQ(QueryInt(d, "PRAGMA user_version"), 1);
  EXPECT_EQ(SchemaObjects(d), std::set<std::string>{"table a"});
  EXPECT_FALSE(d.in_transaction());

  const Migration fixed[] = {kGood1, kGood2};
  ASSERT_TRUE(ApplyMigrations(d, fixed).ok());
  EXPECT_EQ(QueryInt(d, "PRAGMA user_version"), 2);
  EXPECT_EQ(QueryInt(d, "SELECT count(*) FROM b"), 1);
  ASSERT_TRUE(ApplyMigrations(d, fixed).ok());  // nothing left to do
  EXPECT_EQ(QueryInt(d, "SELECT count(*) FROM b"), 1);

  const Migration older[] = {kGood1};
  Status too_new = ApplyMigrations(d, older);
  ASSERT_FALSE(too_new.ok());
  EXPECT_EQ(too_new.error().code, ErrorCode::kUnsupported);
}

TEST(Migrations, ListWithGapsIsRefused) {
  TempDb tmp;
  auto db = Database::Open(tmp.path());
  ASSERT_TRUE(db.ok());
  const Migration gap[] = {kGood2};
  Status s = ApplyMigrations(**db, gap);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInternal);
  EXPECT_EQ(QueryInt(**db, "PRAGMA user_version"), 0);
}

TEST(Migrations, BuiltInListIsNumberedFromOne) {
  auto all = AllMigrations();
  ASSERT_FALSE(all.empty());
  for (std::size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(all[i].version, static_cast<int>(i) + 1);
  EXPECT_EQ(LatestSchemaVersion(), all.back().version);
}

}  // namespace
}  // namespace beffroi::store
