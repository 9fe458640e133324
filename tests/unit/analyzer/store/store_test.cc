#include "analyzer/store/store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "common/hash.h"
#include "store_fixture.h"

namespace beffroi::store {
namespace {

using testing::At;
using testing::QueryInt;
using testing::StoreTest;

BundleRow Bundle(std::int64_t host_id, std::string manifest_sha256) {
  BundleRow b;
  b.bundle_uuid = "6f1c1a52-3b7e-4d0e-9a53-0c3a1f7e2b11";
  b.manifest_sha256 = std::move(manifest_sha256);
  b.host_id = host_id;
  b.agent = "beffroi-host";
  b.agent_version = "0.1.0";
  b.examiner = "J. Dupont";
  b.started = At(2, 9);
  b.ended = At(2, 10);
  b.path = "/evidence/fs01";
  b.ingested_at = At(3);
  b.ingested_by = "analyst";
  return b;
}

TEST_F(StoreTest, UpsertHostKeepsOneRowAndWidensTheWindow) {
  auto again = store_->UpsertHost("fs01", "", At(5));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, host_);
  ASSERT_TRUE(store_->UpsertHost("fs01", "", At(1, 2)).ok());  // an older bundle, ingested late
  auto host = store_->FindHost("fs01");
  ASSERT_TRUE(host.ok() && host->has_value());
  EXPECT_EQ((*host)->host_uid, std::optional<std::string>("machine-id-1"));  // "" kept it
  EXPECT_EQ((*host)->first_seen, At(1, 2));
  EXPECT_EQ((*host)->last_seen, At(5));
  EXPECT_EQ(Count("hosts"), 1);

  auto other = store_->UpsertHost("x'); DROP TABLE hosts; --", "", At(5));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, host_);
  auto found = store_->FindHost("x'); DROP TABLE hosts; --");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(Count("hosts"), 2);
  auto missing = store_->FindHost("nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(StoreTest, BundleManifestIsUnique) {
  const std::string manifest(64, 'e');
  auto none = store_->FindBundleByManifest(manifest);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto id = store_->InsertBundle(Bundle(host_, manifest));
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto found = store_->FindBundleByManifest(manifest);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, std::optional<std::int64_t>(*id));

  auto twice = store_->InsertBundle(Bundle(host_, manifest));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(twice.error().message, "insert bundle " + manifest +
                                       ": a bundle with this manifest is already stored (bundle " +
                                       std::to_string(*id) + ")");
  EXPECT_EQ(Count("bundles"), 1);

  auto orphan = store_->InsertBundle(Bundle(host_ + 100, std::string(64, 'f')));
  ASSERT_FALSE(orphan.ok());
  EXPECT_NE(orphan.error().message.find("FOREIGN KEY constraint failed"), std::string::npos)
      << orphan.error().message;
}

TEST_F(StoreTest, ScanIsBegunThenFinished) {
  ScanRow scan;
  scan.host_id = host_;
  scan.started = At(4);
  scan.roots_json = R"(["/srv/share"])";
  scan.ruleset_hash = "rules-v1";
  scan.actor = "admin";
  auto id = store_->BeginScan(scan);
  ASSERT_TRUE(id.ok()) << id.error().message;
  ASSERT_TRUE(store_->FinishScan(*id, At(4, 11), 1000, 900, 3).ok());
  auto got = store_->GetScan(*id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->ended, std::optional<std::string>(At(4, 11)));
  EXPECT_EQ((*got)->roots_json, R"(["/srv/share"])");
  EXPECT_EQ((*got)->files_seen, 1000);
  EXPECT_EQ((*got)->files_scanned, 900);
  EXPECT_EQ((*got)->detections, 3);

  Status missing = store_->FinishScan(*id + 1, At(4, 11), 0, 0, 0);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(StoreTest, FileObservationBatchIsAllOrNothing) {
  auto scan = store_->BeginScan(ScanRow{.host_id = host_, .started = At(4), .actor = "admin"});
  ASSERT_TRUE(scan.ok());
  std::vector<FileObservationRow> rows(3);
  for (auto& r : rows) {
    r.host_id = host_;
    r.scan_id = *scan;
    r.path = "/srv/share/a";
    r.observed_at = At(4);
  }
  rows[2].bundle_id = 1;  // two sources: refused by the schema
  Status s = store_->InsertFileObservations(rows);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("CHECK constraint failed"), std::string::npos)
      << s.error().message;
  EXPECT_EQ(Count("file_observations"), 0);

  rows[2].bundle_id.reset();
  ASSERT_TRUE(store_->InsertFileObservations(rows).ok());
  EXPECT_EQ(Count("file_observations"), 3);
  EXPECT_TRUE(store_->InsertFileObservations({}).ok());
}

TEST_F(StoreTest, BulkInsertOfTwoHundredThousandObservations) {
  auto scan = store_->BeginScan(ScanRow{.host_id = host_, .started = At(4), .actor = "admin"});
  ASSERT_TRUE(scan.ok());
  std::vector<FileObservationRow> rows(200000);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    FileObservationRow& r = rows[i];
    r.host_id = host_;
    r.scan_id = *scan;
    r.path = "/srv/share/dept" + std::to_string(i % 97) + "/file" + std::to_string(i) + ".docx";
    r.size = static_cast<std::int64_t>(i * 13);
    r.sha256 = Sha256Hex(std::to_string(i));  // real digests: random index positions
    r.mtime = At(1);
    r.magic = "Microsoft Word 2007+";
    r.observed_at = At(4);
  }
  auto start = std::chrono::steady_clock::now();
  std::clock_t cpu_start = std::clock();
  {
    auto tx = Transaction::Begin(store_->db());
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(store_->InsertFileObservations(rows).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  std::printf("[ info     ] %zu observations in %.2f s, %.2f s CPU (%.0f rows/s)\n", rows.size(),
              seconds, cpu, static_cast<double>(rows.size()) / seconds);
  EXPECT_EQ(Count("file_observations"), 200000);
}

TEST_F(StoreTest, ScanCacheRoundTripsAndIsReplaced) {
  auto none = store_->GetScanCache(host_, 2049, 1234);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  ScanCacheRow row{.host_id = host_,
                   .device = 2049,
                   .inode = 1234,
                   .size = 4096,
                   .mtime_ns = 1700000000123456789,
                   .ctime_ns = 1700000000987654321,
                   .ruleset_hash = "rules-v1",
                   .sha256 = std::string(64, 'a'),
                   .md5 = std::string(32, 'b'),
                   .sha1 = std::nullopt};
  ASSERT_TRUE(store_->PutScanCache(row).ok());
  auto got = store_->GetScanCache(host_, 2049, 1234);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->mtime_ns, row.mtime_ns);
  EXPECT_EQ((*got)->ctime_ns, row.ctime_ns);
  EXPECT_EQ((*got)->sha256, row.sha256);
  EXPECT_EQ((*got)->md5, row.md5);
  EXPECT_EQ((*got)->sha1, std::nullopt);

  row.size = 8192;
  row.sha256 = std::string(64, 'd');
  row.ruleset_hash = "";
  ASSERT_TRUE(store_->PutScanCache(row).ok());
  got = store_->GetScanCache(host_, 2049, 1234);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->size, 8192);
  EXPECT_EQ((*got)->sha256, std::string(64, 'd'));
  EXPECT_EQ((*got)->ruleset_hash, "");
  EXPECT_EQ(Count("scan_cache"), 1);
}

TEST_F(StoreTest, VerdictsArePerContentAndRuleSet) {
  const std::string sha(64, 'a');
  auto none = store_->GetVerdict(sha, "rules-v1");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(store_->PutVerdict(sha, "rules-v1", "[]", At(4)).ok());
  ASSERT_TRUE(store_->PutVerdict(sha, "rules-v2", R"([{"rule":"Lockbit"}])", At(5)).ok());
  auto v1 = store_->GetVerdict(sha, "rules-v1");
  ASSERT_TRUE(v1.ok() && v1->has_value());
  EXPECT_EQ(**v1, "[]");
  auto v2 = store_->GetVerdict(sha, "rules-v2");
  ASSERT_TRUE(v2.ok() && v2->has_value());
  EXPECT_EQ(**v2, R"([{"rule":"Lockbit"}])");

  ASSERT_TRUE(store_->PutVerdict(sha, "rules-v1", R"([{"rule":"Conti"}])", At(6)).ok());
  v1 = store_->GetVerdict(sha, "rules-v1");
  ASSERT_TRUE(v1.ok() && v1->has_value());
  EXPECT_EQ(**v1, R"([{"rule":"Conti"}])");

  Status bad = store_->PutVerdict(sha, "rules-v3", "{not json", At(6));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(StoreTest, AuditLogIsAppendOnly) {
  ASSERT_TRUE(
      store_->AppendAudit(Who{"analyst"}, "incident.create", "incident", 7, "", At(5)).ok());
  ASSERT_TRUE(store_
                  ->AppendAudit(Who{"analyst"}, "incident.status", "incident", 7,
                                R"({"to":"closed"})", At(6))
                  .ok());
  ASSERT_TRUE(
      store_->AppendAudit(Who{"analyst"}, "incident.create", "incident", 8, "{}", At(6)).ok());
  ASSERT_TRUE(
      store_->AppendAudit(Who{"system"}, "store.open", "store", std::nullopt, "", At(6)).ok());

  for (const char* sql : {"UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log",
                          "DELETE FROM audit_log WHERE id = 1"}) {
    Status s = store_->db().Exec(sql);
    ASSERT_FALSE(s.ok()) << sql;
    EXPECT_NE(s.error().message.find("audit log is append-only"), std::string::npos)
        << s.error().message;
  }
  EXPECT_EQ(Count("audit_log"), 4);

  auto seven = store_->ListAudit("incident", 7);
  ASSERT_TRUE(seven.ok());
  ASSERT_EQ(seven->size(), 2u);
  EXPECT_EQ((*seven)[0].action, "incident.create");
  EXPECT_EQ((*seven)[0].details_json, "{}");
  EXPECT_EQ((*seven)[1].details_json, R"({"to":"closed"})");
  EXPECT_LT((*seven)[0].id, (*seven)[1].id);
  auto incidents = store_->ListAudit("incident", std::nullopt);
  ASSERT_TRUE(incidents.ok());
  EXPECT_EQ(incidents->size(), 3u);
  auto global = store_->ListAudit("store", std::nullopt);
  ASSERT_TRUE(global.ok());
  ASSERT_EQ(global->size(), 1u);
  EXPECT_EQ((*global)[0].object_id, std::nullopt);
}

TEST_F(StoreTest, WritesJoinTheCallersTransaction) {
  {
    auto tx = Transaction::Begin(store_->db());
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(store_->InsertBundle(Bundle(host_, std::string(64, '1'))).ok());
    ASSERT_TRUE(store_->AppendAudit(Who{"analyst"}, "bundle.ingest", "bundle", 1, "", At(3)).ok());
    // A failing write inside rolls back only itself; the caller decides about the rest.
    DetectionRow orphan = Detection("r", 50, At(3));
    orphan.host_id = host_ + 99;
    EXPECT_FALSE(store_->InsertDetection(orphan).ok());
    EXPECT_EQ(Count("bundles"), 1);
    EXPECT_TRUE(store_->db().in_transaction());
  }  // not committed
  EXPECT_EQ(Count("bundles"), 0);
  EXPECT_EQ(Count("audit_log"), 0);
  {
    auto tx = Transaction::Begin(store_->db());
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(store_->InsertBundle(Bundle(host_, std::string(64, '1'))).ok());
    ASSERT_TRUE(store_->AppendAudit(Who{"analyst"}, "bundle.ingest", "bundle", 1, "", At(3)).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(Count("bundles"), 1);
  EXPECT_EQ(Count("audit_log"), 1);
}

TEST_F(StoreTest, HostAddressesFindTheMostRecentHost) {
  auto other = store_->UpsertHost("pc-042", "", At(1));
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(store_->AddHostAddress(host_, "10.0.0.5", At(1)).ok());
  ASSERT_TRUE(store_->AddHostAddress(host_, "10.0.0.5", At(2)).ok());  // seen again: one row
  auto found = store_->FindHostByAddress("10.0.0.5");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->name, "fs01");
  // DHCP gave the address to another machine later: that one is the host now.
  ASSERT_TRUE(store_->AddHostAddress(*other, "10.0.0.5", At(3)).ok());
  found = store_->FindHostByAddress("10.0.0.5");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->name, "pc-042");
  auto none = store_->FindHostByAddress("10.0.0.6");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(StoreTest, NetObservationsAreStoredWithOptionalFields) {
  NetObservationRow dns;
  dns.host_id = host_;
  dns.kind = "dns";
  dns.observed_at = At(1);
  dns.src_ip = "10.0.0.5";
  dns.dst_ip = "10.0.0.1";
  dns.dst_port = 53;
  dns.domain = "evil.example";
  NetObservationRow flow;
  flow.host_id = host_;
  flow.kind = "flow";
  flow.observed_at = At(2);
  ASSERT_TRUE(store_->InsertNetObservations({dns, flow}).ok());
  EXPECT_EQ(QueryInt(store_->db(), "SELECT count(*) FROM net_observations"), 2);
  EXPECT_EQ(
      QueryInt(store_->db(), "SELECT dst_port FROM net_observations WHERE domain = 'evil.example'"),
      53);
  EXPECT_EQ(QueryInt(store_->db(), "SELECT count(*) FROM net_observations WHERE url IS NULL"), 2);
}

}  // namespace
}  // namespace beffroi::store
