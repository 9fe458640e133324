// Test helpers: a unique database path under the system temp directory, removed with its
// -wal, -shm and -journal companions at the end of the test, and small file utilities.
// Single-threaded test use only.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "analyzer/store/sqlite.h"

namespace beffroi::store::testing {

class TempDb {
 public:
  TempDb() {
    static int counter = 0;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "beffroi_store_" + std::to_string(::getpid()) + "_" +
                       std::to_string(++counter) + "_" + info->test_suite_name() + "_" +
                       info->name() + ".db";
    path_ = (std::filesystem::temp_directory_path() / name).string();
    Remove();
  }
  ~TempDb() { Remove(); }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;

  const std::string& path() const { return path_; }
  bool HasCompanionFiles() const {
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
      if (std::filesystem::exists(path_ + suffix)) return true;
    }
    return false;
  }

 private:
  void Remove() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::path p = path_ + suffix;
      std::filesystem::permissions(p, std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::add, ec);
      std::filesystem::remove(p, ec);
    }
  }

  std::string path_;
};

inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteBytes(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

// The single integer a query returns; a failed query or a missing row fails the test.
inline std::int64_t QueryInt(Database& db, std::string_view sql) {
  auto stmt = db.Prepare(sql);
  EXPECT_TRUE(stmt.ok()) << (stmt.ok() ? "" : stmt.error().message);
  if (!stmt.ok()) return -1;
  auto row = stmt->Step();
  EXPECT_TRUE(row.ok() && *row) << (row.ok() ? "no row" : row.error().message);
  return row.ok() && *row ? stmt->ColumnInt64(0) : -1;
}

}  // namespace beffroi::store::testing
