// Numbered schema migrations for the analyzer database.
//
// Each Migration is a version number and constant SQL, kept in code (migrations.cc) so the
// binary always carries the schema it understands. They are applied in order, each in its own
// transaction together with `PRAGMA user_version = N`, so a crash or a failing migration
// leaves the database at the previous version, never in between. A database whose
// user_version is newer than the newest migration is refused unchanged: an old beffroi must not
// write into a schema it does not know. Migration 1 also sets `PRAGMA application_id`, which
// is how Migrate tells a Beffroi database from any other SQLite file.
//
// Pure functions over a Database the caller owns; thread-compatible like Database.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "analyzer/store/sqlite.h"
#include "common/result.h"

namespace beffroi::store {

// "BFFR" read as a big-endian 32-bit integer; stored in the SQLite header (offset 68).
inline constexpr std::int32_t kApplicationId = 0x42464652;

struct Migration {
  int version;            // 1, 2, 3, ... with no gaps
  std::string_view name;  // what it changes, for error messages
  std::string_view sql;   // constant SQL, possibly several statements
};

// The migrations this build knows, in order.
std::span<const Migration> AllMigrations();
int LatestSchemaVersion();

// `PRAGMA user_version`: 0 for a new database.
Result<int> ReadSchemaVersion(Database& db);

// Checks that `db` is empty or a Beffroi database (by application_id), refuses a newer schema,
// then applies the missing migrations. A read-only database that needs a migration is refused.
Status Migrate(Database& db);

// Applies `migrations` above the current user_version, each in one transaction. No identity
// check: Migrate's building block, exposed so tests can run made-up migration lists.
Status ApplyMigrations(Database& db, std::span<const Migration> migrations);

}  // namespace beffroi::store
