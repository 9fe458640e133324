// Test fixture: a fresh Store in a temporary file with one host, plus row builders.
// Single-threaded test use only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "analyzer/store/store.h"
#include "temp_db.h"

namespace beffroi::store::testing {

// Fixed timestamps: the store compares them as text, so tests spell them in full.
inline std::string At(int day, int hour = 10) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "2026-03-%02dT%02d:00:00.000000Z", day, hour);
  return buf;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(tmp_.path());
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    auto host = store_->UpsertHost("fs01", "machine-id-1", At(1));
    ASSERT_TRUE(host.ok()) << host.error().message;
    host_ = *host;
  }

  std::int64_t Count(std::string_view table) {
    auto stmt = store_->db().Prepare("SELECT count(*) FROM " + std::string(table));
    if (!stmt.ok()) return -1;
    auto row = stmt->Step();
    return row.ok() && *row ? stmt->ColumnInt64(0) : -1;
  }

  DetectionRow Detection(std::string rule, std::int64_t score, std::string observed_at,
                         std::string file_path = "/srv/a.exe") {
    DetectionRow d;
    d.host_id = host_;
    d.kind = "yara";
    d.rule = std::move(rule);
    d.score = score;
    d.file_path = std::move(file_path);
    d.sha256 = std::string(64, 'c');
    d.observed_at = std::move(observed_at);
    d.created_at = At(28);
    d.source = "scan";
    return d;
  }

  IncidentRow Incident(std::string threat_key, std::string severity, std::string last_seen) {
    IncidentRow i;
    i.host_id = host_;
    i.threat_key = std::move(threat_key);
    i.title = "Ransomware on fs01";
    i.severity = std::move(severity);
    i.first_seen = last_seen;
    i.last_seen = std::move(last_seen);
    return i;
  }

  TempDb tmp_;
  std::unique_ptr<Store> store_;
  std::int64_t host_ = 0;
};

}  // namespace beffroi::store::testing
