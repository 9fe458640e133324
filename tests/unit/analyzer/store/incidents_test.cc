#include <gtest/gtest.h>

#include "analyzer/store/store.h"
#include "store_fixture.h"

namespace beffroi::store {
namespace {

using testing::At;
using testing::StoreTest;

TEST(Severity, ScoreThresholds) {
  EXPECT_EQ(SeverityForScore(-5), "low");
  EXPECT_EQ(SeverityForScore(0), "low");
  EXPECT_EQ(SeverityForScore(39), "low");
  EXPECT_EQ(SeverityForScore(40), "medium");
  EXPECT_EQ(SeverityForScore(69), "medium");
  EXPECT_EQ(SeverityForScore(70), "high");
  EXPECT_EQ(SeverityForScore(89), "high");
  EXPECT_EQ(SeverityForScore(90), "critical");
  EXPECT_EQ(SeverityForScore(100), "critical");
  EXPECT_EQ(SeverityRank("low"), 1);
  EXPECT_EQ(SeverityRank("critical"), 4);
  EXPECT_EQ(SeverityRank("Critical"), 0);
}

TEST_F(StoreTest, InsertDetectionIsIdempotent) {
  DetectionRow d = Detection("Ransom_Lockbit3", 95, At(4));
  d.techniques_json = R"(["T1486"])";
  auto first = store_->InsertDetection(d);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->inserted);

  d.score = 10;  // the stored row wins; a repeat is not an update
  d.observed_at = At(9);
  auto second = store_->InsertDetection(d);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(second->inserted);
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(Count("detections"), 1);

  d.file_path = "/srv/b.exe";  // another file: another detection
  auto third = store_->InsertDetection(d);
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->inserted);

  DetectionRow no_file = Detection("ioc.domain", 60, At(4), "");
  no_file.kind = "ioc.hash";
  no_file.sha256 = "";
  no_file.techniques_json = "";  // means []
  no_file.reasons_json = "";
  auto a = store_->InsertDetection(no_file);
  auto b = store_->InsertDetection(no_file);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->inserted);
  EXPECT_FALSE(b->inserted);  // "" deduplicates where NULL would not
  EXPECT_EQ(Count("detections"), 3);

  DetectionRow bad = Detection("x", 1, At(4));
  bad.source = "email";
  EXPECT_FALSE(store_->InsertDetection(bad).ok());
  bad = Detection("x", 1, At(4));
  bad.techniques_json = R"({"not":"an array"})";
  EXPECT_FALSE(store_->InsertDetection(bad).ok());
}

TEST_F(StoreTest, FindOpenIncidentHonoursWindowAndStatus) {
  auto id = store_->CreateIncident(Incident("lockbit", "high", At(10)));
  ASSERT_TRUE(id.ok()) << id.error().message;

  auto found = store_->FindOpenIncident(host_, "lockbit", At(9));
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, *id);
  EXPECT_EQ((*found)->status, "new");
  EXPECT_EQ((*found)->host_name, "fs01");
  EXPECT_FALSE((*found)->created_at.empty());

  auto boundary = store_->FindOpenIncident(host_, "lockbit", At(10));  // last_seen >= not_before
  ASSERT_TRUE(boundary.ok());
  EXPECT_TRUE(boundary->has_value());
  auto too_old = store_->FindOpenIncident(host_, "lockbit", At(10, 11));
  ASSERT_TRUE(too_old.ok());
  EXPECT_FALSE(too_old->has_value());
  // The window reaches both ways: evidence from long before the incident is not part of it.
  auto too_early = store_->FindOpenIncident(host_, "lockbit", At(1), At(5));
  ASSERT_TRUE(too_early.ok());
  EXPECT_FALSE(too_early->has_value());
  auto overlapping = store_->FindOpenIncident(host_, "lockbit", At(1), At(10));
  ASSERT_TRUE(overlapping.ok());
  EXPECT_TRUE(overlapping->has_value());
  auto other_threat = store_->FindOpenIncident(host_, "emotet", At(1));
  ASSERT_TRUE(other_threat.ok());
  EXPECT_FALSE(other_threat->has_value());
  auto other_host = store_->UpsertHost("fs02", "", At(1));
  ASSERT_TRUE(other_host.ok());
  auto wrong_host = store_->FindOpenIncident(*other_host, "lockbit", At(1));
  ASSERT_TRUE(wrong_host.ok());
  EXPECT_FALSE(wrong_host->has_value());

  for (const char* status : {"investigating", "closed", "false-positive"}) {
    ASSERT_TRUE(store_->SetIncidentStatus(*id, status, At(11)).ok());
    auto again = store_->FindOpenIncident(host_, "lockbit", At(9));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->has_value(), std::string(status) == "investigating") << status;
  }
  EXPECT_EQ(store_->SetIncidentStatus(*id + 1, "closed", At(11)).error().code,
            ErrorCode::kNotFound);

  // With two open incidents, the most recent one is the match.
  ASSERT_TRUE(store_->CreateIncident(Incident("lockbit", "low", At(12))).ok());
  auto newer = store_->CreateIncident(Incident("lockbit", "low", At(14)));
  ASSERT_TRUE(newer.ok());
  auto latest = store_->FindOpenIncident(host_, "lockbit", At(1));
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->id, *newer);
}

TEST_F(StoreTest, CreateIncidentRefusesUnknownSeverity) {
  auto bad = store_->CreateIncident(Incident("lockbit", "severe", At(10)));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("\"severe\""), std::string::npos);
}

TEST_F(StoreTest, RefreshIncidentRecomputesFromItsDetections) {
  IncidentRow incident = Incident("lockbit", "low", At(10));
  incident.playbook = "generic";
  auto id = store_->CreateIncident(incident);
  ASSERT_TRUE(id.ok());

  ASSERT_TRUE(store_->RefreshIncident(*id).ok());  // no detections: unchanged
  auto unchanged = store_->GetIncident(*id);
  ASSERT_TRUE(unchanged.ok() && unchanged->has_value());
  EXPECT_EQ((*unchanged)->incident.severity, "low");
  EXPECT_EQ((*unchanged)->incident.playbook, std::optional<std::string>("generic"));

  struct Spec {
    const char* rule;
    std::int64_t score;
    int day;
    const char* techniques;
    std::optional<std::string> playbook;
  };
  const Spec specs[] = {
      {"a", 45, 12, R"(["T1486","T1490"])", "ransomware-small"},
      {"b", 75, 11, R"(["T1059.001"])", std::nullopt},  // highest, but names no playbook
      {"c", 60, 15, R"(["T1486", 42])", "ransomware-large"},
  };
  std::vector<std::int64_t> ids;
  for (const Spec& s : specs) {
    DetectionRow d = Detection(s.rule, s.score, At(s.day));
    d.techniques_json = s.techniques;
    d.playbook = s.playbook;
    auto inserted = store_->InsertDetection(d);
    ASSERT_TRUE(inserted.ok()) << inserted.error().message;
    ASSERT_TRUE(store_->AttachDetection(*id, inserted->id).ok());
    ids.push_back(inserted->id);
  }
  ASSERT_TRUE(store_->RefreshIncident(*id).ok());
  auto got = store_->GetIncident(*id);
  ASSERT_TRUE(got.ok() && got->has_value());
  const IncidentRow& r = (*got)->incident;
  EXPECT_EQ(r.score, 75);
  EXPECT_EQ(r.severity, "high");
  EXPECT_EQ(r.first_seen, At(11));
  EXPECT_EQ(r.last_seen, At(15));
  EXPECT_EQ(r.techniques_json, R"(["T1059.001","T1486","T1490"])");
  EXPECT_EQ(r.playbook, std::optional<std::string>("ransomware-large"));
  EXPECT_EQ(r.detection_count, 3);
  EXPECT_NE(r.updated_at, r.created_at);

  // Each severity boundary, through the stored incident.
  const std::pair<std::int64_t, const char*> boundaries[] = {
      {89, "high"}, {90, "critical"}, {100, "critical"}};
  for (const auto& [score, severity] : boundaries) {
    DetectionRow d = Detection("top" + std::to_string(score), score, At(16));
    auto inserted = store_->InsertDetection(d);
    ASSERT_TRUE(inserted.ok());
    ASSERT_TRUE(store_->AttachDetection(*id, inserted->id).ok());
    ASSERT_TRUE(store_->RefreshIncident(*id).ok());
    auto now = store_->GetIncident(*id);
    ASSERT_TRUE(now.ok() && now->has_value());
    EXPECT_EQ((*now)->incident.severity, severity) << score;
    EXPECT_EQ((*now)->incident.score, score);
  }
  EXPECT_EQ(store_->RefreshIncident(*id + 1).error().code, ErrorCode::kNotFound);
}

TEST_F(StoreTest, RefreshIncidentMapsLowAndMediumScores) {
  for (const auto& [score, severity] : {std::pair<std::int64_t, std::string>{39, "low"},
                                        {40, "medium"},
                                        {69, "medium"},
                                        {70, "high"}}) {
    auto id = store_->CreateIncident(Incident("k" + std::to_string(score), "critical", At(10)));
    ASSERT_TRUE(id.ok());
    auto d = store_->InsertDetection(Detection("r" + std::to_string(score), score, At(10)));
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE(store_->AttachDetection(*id, d->id).ok());
    ASSERT_TRUE(store_->RefreshIncident(*id).ok());
    auto got = store_->GetIncident(*id);
    ASSERT_TRUE(got.ok() && got->has_value());
    EXPECT_EQ((*got)->incident.severity, severity) << score;
  }
}

TEST_F(StoreTest, AttachDetectionChecksIncidentAndHost) {
  auto first = store_->CreateIncident(Incident("lockbit", "high", At(10)));
  auto second = store_->CreateIncident(Incident("emotet", "high", At(10)));
  ASSERT_TRUE(first.ok() && second.ok());
  auto d = store_->InsertDetection(Detection("r", 80, At(10)));
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(store_->AttachDetection(*first, d->id).ok());
  ASSERT_TRUE(store_->AttachDetection(*first, d->id).ok());  // again: no-op

  Status moved = store_->AttachDetection(*second, d->id);
  ASSERT_FALSE(moved.ok());
  EXPECT_NE(moved.error().message.find("already belongs to incident " + std::to_string(*first)),
            std::string::npos)
      << moved.error().message;
  EXPECT_EQ(store_->AttachDetection(*first, d->id + 100).error().code, ErrorCode::kNotFound);
  auto loose = store_->InsertDetection(Detection("loose", 80, At(10)));
  ASSERT_TRUE(loose.ok());
  EXPECT_EQ(store_->AttachDetection(*second + 100, loose->id).error().code, ErrorCode::kNotFound);

  auto other_host = store_->UpsertHost("fs02", "", At(1));
  ASSERT_TRUE(other_host.ok());
  DetectionRow elsewhere = Detection("r", 80, At(10));
  elsewhere.host_id = *other_host;
  auto e = store_->InsertDetection(elsewhere);
  ASSERT_TRUE(e.ok());
  Status cross = store_->AttachDetection(*first, e->id);
  ASSERT_FALSE(cross.ok());
  EXPECT_NE(cross.error().message.find("different hosts"), std::string::npos);
}

TEST_F(StoreTest, ListIncidentsOrdersBySeverityThenRecencyAndFilters) {
  auto fs02 = store_->UpsertHost("fs02", "", At(1));
  ASSERT_TRUE(fs02.ok());
  struct Spec {
    const char* key;
    const char* severity;
    int day;
    std::int64_t host;
    const char* status;
  };
  const Spec specs[] = {
      {"a", "medium", 20, host_, "new"},   {"b", "critical", 10, host_, "new"},
      {"c", "critical", 15, *fs02, "new"}, {"d", "low", 25, host_, "new"},
      {"e", "high", 5, host_, "closed"},   {"f", "critical", 1, host_, "false-positive"},
  };
  for (const Spec& s : specs) {
    IncidentRow i = Incident(s.key, s.severity, At(s.day));
    i.host_id = s.host;
    i.status = s.status;
    ASSERT_TRUE(store_->CreateIncident(i).ok());
  }
  auto Keys = [&](const IncidentFilter& filter) {
    std::string keys;
    auto rows = store_->ListIncidents(filter);
    EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : rows.error().message);
    if (rows.ok()) {
      for (const IncidentRow& r : *rows)
        keys += r.threat_key;
    }
    return keys;
  };
  EXPECT_EQ(Keys({}), "cbfead");
  EXPECT_EQ(Keys({.open_only = true}), "cbad");
  EXPECT_EQ(Keys({.status = "closed"}), "e");
  EXPECT_EQ(Keys({.min_severity = "high"}), "cbfe");
  EXPECT_EQ(Keys({.open_only = true, .min_severity = "medium", .host_name = "fs01"}), "ba");
  EXPECT_EQ(Keys({.host_name = "fs02"}), "c");
  EXPECT_EQ(Keys({.host_name = "nobody"}), "");
  EXPECT_EQ(Keys({.limit = 2}), "cb");

  auto rows = store_->ListIncidents({.host_name = "fs02"});
  ASSERT_TRUE(rows.ok() && rows->size() == 1);
  EXPECT_EQ((*rows)[0].host_name, "fs02");
  EXPECT_EQ((*rows)[0].detection_count, 0);

  auto bad = store_->ListIncidents({.min_severity = "urgent"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(StoreTest, GetIncidentReturnsDetectionsHighestScoreFirst) {
  auto id = store_->CreateIncident(Incident("lockbit", "high", At(10)));
  ASSERT_TRUE(id.ok());
  for (const auto& [rule, score] : {std::pair<const char*, int>{"low", 20}, {"high", 90}}) {
    DetectionRow d = Detection(rule, score, At(10));
    d.reasons_json = R"(["matched"])";
    d.source_id = 3;
    auto inserted = store_->InsertDetection(d);
    ASSERT_TRUE(inserted.ok());
    ASSERT_TRUE(store_->AttachDetection(*id, inserted->id).ok());
  }
  auto got = store_->GetIncident(*id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->incident.host_name, "fs01");
  EXPECT_EQ((*got)->incident.detection_count, 2);
  ASSERT_EQ((*got)->detections.size(), 2u);
  const DetectionRow& top = (*got)->detections[0];
  EXPECT_EQ(top.rule, "high");
  EXPECT_EQ(top.incident_id, std::optional<std::int64_t>(*id));
  EXPECT_EQ(top.reasons_json, R"(["matched"])");
  EXPECT_EQ(top.source, "scan");
  EXPECT_EQ(top.source_id, std::optional<std::int64_t>(3));
  EXPECT_EQ(top.sha256, std::string(64, 'c'));

  auto missing = store_->GetIncident(*id + 1);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

}  // namespace
}  // namespace beffroi::store
