// The incident lifecycle, the responder's changes, merge/split, the analysts' allowlist,
// re-sightings, campaigns and the audit hash chain.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "analyzer/store/lifecycle.h"
#include "analyzer/store/migrations.h"
#include "analyzer/store/store.h"
#include "store_fixture.h"

namespace beffroi::store {
namespace {

using testing::At;
using testing::StoreTest;

const Who kAlice{"alice", ""};
const Who kMarie{"alice", "Marie Dupont"};

TEST(Lifecycle, ForwardMovesAreFreeAndBackwardMovesNeedReopenAndReason) {
  EXPECT_TRUE(CheckTransition("new", "triaged", false, "").ok());
  EXPECT_TRUE(CheckTransition("triaged", "recovered", false, "").ok());  // skipping is fine
  EXPECT_TRUE(CheckTransition("contained", "closed", false, "").ok());
  EXPECT_TRUE(CheckTransition("new", "false-positive", false, "test file").ok());

  auto refused = [](std::string_view from, std::string_view to, bool reopen,
                    std::string_view reason, std::string_view says) {
    Status s = CheckTransition(from, to, reopen, reason);
    ASSERT_FALSE(s.ok()) << from << " -> " << to;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(s.error().message.find(says), std::string::npos) << s.error().message;
  };
  refused("new", "investigating", false, "", "is not one of new, triaged");
  refused("new", "merged", false, "", "is not one of");
  refused("triaged", "triaged", false, "", "already triaged");
  refused("new", "false-positive", false, "  ", "needs a reason");
  refused("contained", "triaged", false, "x", "--reopen");
  refused("contained", "triaged", true, "", "needs a reason");
  refused("closed", "triaged", false, "x", "--reopen");
  refused("closed", "false-positive", true, "x", "reopen it first");
  refused("merged", "new", true, "x", "merged into another");
  EXPECT_TRUE(CheckTransition("contained", "triaged", true, "not contained after all").ok());
  EXPECT_TRUE(CheckTransition("false-positive", "new", true, "it was real").ok());
  // An unknown stored status (older data) may be replaced by any lifecycle status.
  EXPECT_TRUE(CheckTransition("investigating", "triaged", false, "").ok());
  EXPECT_EQ(LifecycleStatuses().size(), 7u);
}

TEST(CampaignSeverity, GrowsWithTheHostsHit) {
  EXPECT_EQ(CampaignSeverity(50, 1), "medium");
  EXPECT_EQ(CampaignSeverity(50, 2), "medium");
  EXPECT_EQ(CampaignSeverity(50, 3), "high");
  EXPECT_EQ(CampaignSeverity(50, 10), "critical");
  EXPECT_EQ(CampaignSeverity(95, 30), "critical");
  EXPECT_EQ(CampaignSeverity(10, 3), "medium");
}

class TriageTest : public StoreTest {
 protected:
  // An incident on `host` with one detection per rule, attached and refreshed as the
  // Recorder does.
  std::int64_t Make(std::int64_t host, const std::string& key,
                    const std::vector<std::pair<std::string, std::string>>& rules_and_sha,
                    int day = 10) {
    IncidentRow i = Incident(key, "low", At(day));
    i.host_id = host;
    auto id = store_->CreateIncident(i);
    EXPECT_TRUE(id.ok()) << id.error().message;
    for (const auto& [rule, sha] : rules_and_sha) {
      DetectionRow d = Detection(rule, 60, At(day), "/srv/" + rule);
      d.host_id = host;
      d.sha256 = sha;
      if (rule.rfind("domain:", 0) == 0) {
        d.kind = "ioc.network";
        d.file_path = "dns 10.0.0.5:53000 > 10.0.0.1:53";
      }
      auto det = store_->InsertDetection(d);
      EXPECT_TRUE(det.ok()) << det.error().message;
      EXPECT_TRUE(store_->AttachDetection(*id, det->id).ok());
    }
    EXPECT_TRUE(store_->RefreshIncident(*id).ok());
    return *id;
  }

  IncidentDetail Get(std::int64_t id) {
    auto d = store_->GetIncident(id);
    EXPECT_TRUE(d.ok() && d->has_value());
    return d.ok() && d->has_value() ? **d : IncidentDetail{};
  }

  std::vector<AuditRow> Audit(std::int64_t id) {
    auto a = store_->ListAudit("incident", id);
    EXPECT_TRUE(a.ok());
    return a.ok() ? *a : std::vector<AuditRow>{};
  }
};

TEST_F(TriageTest, StatusChangesAreValidatedVersionedAndAudited) {
  std::int64_t id = Make(host_, "playbook:ransomware", {{"a", std::string(64, 'a')}});
  auto r = store_->ChangeStatus(id, "triaged", "", false, kMarie);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, "triaged");
  EXPECT_EQ(r->version, 2);

  auto bad = store_->ChangeStatus(id, "done", "", false, kAlice);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("incident " + std::to_string(id)), std::string::npos);
  auto missing = store_->ChangeStatus(id + 100, "triaged", "", false, kAlice);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  auto closed = store_->ChangeStatus(id, "closed", "reimaged", false, kAlice);
  ASSERT_TRUE(closed.ok());
  EXPECT_FALSE(closed->closed_at.empty());
  EXPECT_EQ(closed->resolution, "reimaged");
  auto reopened = store_->ChangeStatus(id, "contained", "second host found", true, kAlice);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  EXPECT_TRUE(reopened->closed_at.empty());
  EXPECT_EQ(reopened->version, 4);

  std::vector<AuditRow> audit = Audit(id);
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[0].action, "incident.status");
  EXPECT_EQ(audit[0].actor, "alice");             // the OS user stays,
  EXPECT_EQ(audit[0].acting_as, "Marie Dupont");  // --as is recorded beside it
  auto details = nlohmann::json::parse(audit[2].details_json);
  EXPECT_EQ(details["from"], "closed");
  EXPECT_EQ(details["to"], "contained");
  EXPECT_EQ(details["reopen"], true);
  EXPECT_EQ(details["reason"], "second host found");
}

TEST_F(TriageTest, AStaleVersionIsAConflictAndChangesNeverOverwriteEachOther) {
  std::int64_t id = Make(host_, "k", {{"a", ""}});
  auto seen = Get(id).incident.version;
  ASSERT_TRUE(store_->AssignIncident(id, "bob", kAlice, seen).ok());
  auto stale = store_->ChangeStatus(id, "triaged", "", false, kAlice, seen);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Get(id).incident.status, "new");

  // Two responders, two connections, many notes and tags at once: every one is kept.
  constexpr int kEach = 25;
  auto worker = [&](const std::string& who) {
    auto other = Store::Open(tmp_.path());
    ASSERT_TRUE(other.ok()) << other.error().message;
    for (int n = 0; n < kEach; ++n) {
      ASSERT_TRUE((*other)->AddNote(id, who + " " + std::to_string(n), Who{who, ""}).ok());
      ASSERT_TRUE(
          (*other)->TagIncident(id, {who + "-" + std::to_string(n)}, {}, Who{who, ""}).ok());
    }
  };
  std::thread a(worker, "ann"), b(worker, "ben");
  a.join();
  b.join();
  IncidentDetail after = Get(id);
  EXPECT_EQ(after.incident.tags.size(), 2u * kEach);
  EXPECT_EQ(after.incident.version, seen + 1 + 2 * kEach);  // assign + one per tag change
  int notes = 0;
  for (const AuditRow& a2 : Audit(id))
    notes += a2.action == "incident.note";
  EXPECT_EQ(notes, 2 * kEach);
  auto check = store_->VerifyAudit();
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->bad_entry) << check->problem;
}

TEST_F(TriageTest, AssignTagAndNoteRefuseNonsense) {
  std::int64_t id = Make(host_, "k", {{"a", ""}});
  EXPECT_TRUE(store_->AssignIncident(id, "Marie Dupont", kAlice).ok());
  EXPECT_EQ(store_->AssignIncident(id, "Marie Dupont", kAlice).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(store_->AssignIncident(id, "line\nbreak", kAlice).ok());
  EXPECT_FALSE(store_->AssignIncident(id, std::string(201, 'x'), kAlice).ok());
  auto tagged = store_->TagIncident(id, {"gdpr", "police", "gdpr"}, {}, kAlice);
  ASSERT_TRUE(tagged.ok());
  EXPECT_EQ(tagged->tags, (std::vector<std::string>{"gdpr", "police"}));
  EXPECT_FALSE(store_->TagIncident(id, {"has space"}, {}, kAlice).ok());
  EXPECT_FALSE(store_->TagIncident(id, {""}, {}, kAlice).ok());
  EXPECT_FALSE(store_->TagIncident(id, {"gdpr"}, {}, kAlice).ok());  // nothing new
  EXPECT_FALSE(store_->TagIncident(id, {}, {"absent"}, kAlice).ok());
  auto untagged = store_->TagIncident(id, {}, {"police"}, kAlice);
  ASSERT_TRUE(untagged.ok());
  EXPECT_EQ(untagged->tags, (std::vector<std::string>{"gdpr"}));
  IncidentFilter by_tag;
  by_tag.tag = "gdpr";
  auto listed = store_->ListIncidents(by_tag);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].assignee, "Marie Dupont");

  std::int64_t version = Get(id).incident.version;
  EXPECT_TRUE(store_->AddNote(id, "Server unplugged at 09:12", kAlice).ok());
  EXPECT_EQ(Get(id).incident.version, version);  // a note does not race status changes
  EXPECT_FALSE(store_->AddNote(id, " \n", kAlice).ok());
  EXPECT_FALSE(store_->AddNote(id, std::string(17 * 1024, 'x'), kAlice).ok());
  EXPECT_EQ(store_->AddNote(id + 9, "x", kAlice).error().code, ErrorCode::kNotFound);
}

TEST_F(TriageTest, MergeKeepsEveryDetectionAndRecordsWhatMoved) {
  std::int64_t a = Make(host_, "k1", {{"r1", ""}, {"r2", ""}});
  std::int64_t b = Make(host_, "k2", {{"r3", ""}});
  std::int64_t c = Make(host_, "k3", {{"r4", ""}}, 12);
  ASSERT_TRUE(store_->TagIncident(b, {"from-b"}, {}, kAlice).ok());
  EXPECT_EQ(store_->MergeIncidents(a, {a}, kAlice).error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(store_->MergeIncidents(a, {b, b}, kAlice).ok());
  EXPECT_FALSE(store_->MergeIncidents(a, {}, kAlice).ok());
  EXPECT_EQ(store_->MergeIncidents(a, {999}, kAlice).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Get(a).detections.size(), 2u);  // the refused merges changed nothing

  auto merged = store_->MergeIncidents(a, {b, c}, kMarie);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ(merged->detections.size(), 2u);
  IncidentDetail into = Get(a);
  EXPECT_EQ(into.detections.size(), 4u);
  EXPECT_EQ(into.incident.last_seen, At(12));
  EXPECT_EQ(into.incident.tags, (std::vector<std::string>{"from-b"}));
  EXPECT_EQ(Get(b).incident.status, "merged");
  EXPECT_EQ(Get(b).incident.merged_into, a);
  EXPECT_EQ(Get(b).detections.size(), 0u);
  EXPECT_EQ(Count("detections"), 4);
  EXPECT_FALSE(store_->MergeIncidents(a, {b}, kAlice).ok());  // already merged
  EXPECT_FALSE(store_->ChangeStatus(b, "triaged", "", false, kAlice).ok());
  auto merged_found = store_->FindOpenIncident(host_, "k2", At(1));
  ASSERT_TRUE(merged_found.ok());
  EXPECT_FALSE(merged_found->has_value());  // new findings of k2 do not land in a merged one

  auto from_b = Audit(b);
  ASSERT_FALSE(from_b.empty());
  auto moved = nlohmann::json::parse(from_b.back().details_json);
  EXPECT_EQ(moved["into"], a);
  EXPECT_EQ(moved["detections"].size(), 1u);
  // The merged incident's history shows in the target's timeline.
  auto timeline = store_->Timeline(a);
  ASSERT_TRUE(timeline.ok());
  bool saw_b_tag = false;
  for (const TimelineEntry& e : *timeline)
    saw_b_tag = saw_b_tag || (e.action == "incident.tag" && e.incident_id == b);
  EXPECT_TRUE(saw_b_tag);

  auto other_host = store_->UpsertHost("pc-042", "", At(1));
  ASSERT_TRUE(other_host.ok());
  std::int64_t elsewhere = Make(*other_host, "k1", {{"r9", ""}});
  auto cross = store_->MergeIncidents(a, {elsewhere}, kAlice);
  ASSERT_FALSE(cross.ok());
  EXPECT_NE(cross.error().message.find("campaign"), std::string::npos);
}

TEST_F(TriageTest, SplitMovesTheNamedDetectionsIntoANewIncident) {
  std::int64_t a = Make(host_, "k", {{"r1", ""}, {"r2", ""}, {"r3", ""}});
  std::vector<std::int64_t> ids;
  for (const DetectionRow& d : Get(a).detections)
    ids.push_back(d.id);
  EXPECT_FALSE(store_->SplitIncident(a, {}, kAlice).ok());
  EXPECT_FALSE(store_->SplitIncident(a, ids, kAlice).ok());  // all of them
  EXPECT_FALSE(store_->SplitIncident(a, {ids[0], ids[0]}, kAlice).ok());
  EXPECT_FALSE(store_->SplitIncident(a, {ids[0] + 100}, kAlice).ok());
  auto split = store_->SplitIncident(a, {ids[1], ids[2]}, kAlice);
  ASSERT_TRUE(split.ok()) << split.error().message;
  EXPECT_EQ(Get(a).detections.size(), 1u);
  IncidentDetail fresh = Get(split->incident_id);
  EXPECT_EQ(fresh.detections.size(), 2u);
  EXPECT_EQ(fresh.incident.status, "new");
  EXPECT_EQ(Count("detections"), 3);
  ASSERT_EQ(Audit(split->incident_id).size(), 1u);
  EXPECT_EQ(Audit(split->incident_id)[0].action, "incident.split_from");
}

TEST_F(TriageTest, AllowlistByHashHoldsEverywhereAndByPathOnOneHost) {
  std::int64_t id = Make(host_, "k", {{"r", std::string(64, 'd')}});
  AllowlistRow hash{0, "sha256", std::string(64, 'd'), 0, "in-house tool", id, "", ""};
  auto added = store_->AddAllowlist(hash, kAlice);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_TRUE(*added);
  EXPECT_FALSE(*store_->AddAllowlist(hash, kAlice));  // twice is once
  AllowlistRow path{0, "path", "/srv/tool.exe", host_, "in-house tool", id, "", ""};
  ASSERT_TRUE(store_->AddAllowlist(path, kAlice).ok());
  EXPECT_FALSE(store_->AddAllowlist({0, "regex", "x", 0, "", id, "", ""}, kAlice).ok());
  EXPECT_FALSE(store_->AddAllowlist({0, "path", "", host_, "", id, "", ""}, kAlice).ok());

  EXPECT_TRUE(*store_->IsAllowlisted(host_ + 7, std::string(64, 'd'), "/elsewhere"));
  EXPECT_TRUE(*store_->IsAllowlisted(host_, "", "/srv/tool.exe"));
  EXPECT_FALSE(*store_->IsAllowlisted(host_ + 7, "", "/srv/tool.exe"));
  EXPECT_FALSE(*store_->IsAllowlisted(host_, "", ""));
  EXPECT_FALSE(*store_->IsAllowlisted(host_, std::string(64, 'e'), "/srv/other.exe"));
  auto entries = store_->ListAllowlist();
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].added_by, "alice");
}

TEST_F(TriageTest, AClosedIncidentReopensWhenItsThreatIsSeenAgainButAFalsePositiveStaysShut) {
  std::int64_t id = Make(host_, "k", {{"r", std::string(64, 'a')}});
  std::int64_t det = Get(id).detections[0].id;
  // Seen again while open: counted, nothing else.
  EXPECT_FALSE(*store_->RecordResighting(det, At(11), kAlice));
  EXPECT_EQ(Get(id).detections[0].sightings, 2);
  ASSERT_TRUE(store_->ChangeStatus(id, "closed", "reimaged", false, kAlice).ok());
  // Evidence older than the closing (a late bundle) is history.
  EXPECT_FALSE(*store_->RecordResighting(det, At(12), kAlice));
  EXPECT_EQ(Get(id).incident.status, "closed");
  auto reopened = store_->RecordResighting(det, "2999-01-01T00:00:00.000000Z", kAlice);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  EXPECT_TRUE(*reopened);
  IncidentDetail after = Get(id);
  EXPECT_EQ(after.incident.status, "new");
  EXPECT_EQ(after.incident.last_seen, "2999-01-01T00:00:00.000000Z");
  EXPECT_EQ(after.detections[0].sightings, 4);
  EXPECT_EQ(Audit(id).back().action, "incident.reopened");

  std::int64_t fp = Make(host_, "k2", {{"r2", std::string(64, 'b')}});
  ASSERT_TRUE(store_->ChangeStatus(fp, "false-positive", "drill", false, kAlice).ok());
  EXPECT_FALSE(
      *store_->RecordResighting(Get(fp).detections[0].id, "2999-01-01T00:00:00.000000Z", kAlice));
  EXPECT_EQ(Get(fp).incident.status, "false-positive");
  EXPECT_EQ(store_->RecordResighting(999, At(1), kAlice).error().code, ErrorCode::kNotFound);
}

TEST_F(TriageTest, IncidentsOnSeveralHostsSharingAnIndicatorBecomeOneCampaign) {
  auto h2 = store_->UpsertHost("pc-042", "", At(1));
  auto h3 = store_->UpsertHost("pc-043", "", At(1));
  auto h4 = store_->UpsertHost("pc-044", "", At(1));
  ASSERT_TRUE(h2.ok() && h3.ok() && h4.ok());
  const std::string sha(64, 'f');
  std::int64_t a = Make(host_, "k", {{"dropper", sha}});
  auto none = store_->LinkCampaign(a, kAlice);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());  // nobody else has it yet

  std::int64_t b = Make(*h2, "k", {{"dropper", sha}});
  auto linked = store_->LinkCampaign(b, kAlice);
  ASSERT_TRUE(linked.ok()) << linked.error().message;
  ASSERT_TRUE(linked->has_value());
  std::int64_t campaign = **linked;
  EXPECT_EQ(Get(a).incident.campaign_id, campaign);
  EXPECT_EQ(Get(b).incident.campaign_id, campaign);

  // A network indicator links too: c and d share a C2 domain, then d's file links the groups.
  std::int64_t c = Make(*h3, "n", {{"domain:c2.example", ""}});
  std::int64_t d = Make(*h4, "n", {{"domain:c2.example", ""}});
  auto second = store_->LinkCampaign(d, kAlice);
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_NE(**second, campaign);
  EXPECT_EQ(Get(c).incident.campaign_id, **second);
  DetectionRow extra = Detection("dropper", 60, At(10), "/tmp/x");
  extra.host_id = *h4;
  extra.sha256 = sha;
  auto ins = store_->InsertDetection(extra);
  ASSERT_TRUE(ins.ok());
  ASSERT_TRUE(store_->AttachDetection(d, ins->id).ok());
  auto joined = store_->LinkCampaign(d, kAlice);
  ASSERT_TRUE(joined.ok() && joined->has_value());
  EXPECT_EQ(**joined, campaign);  // the older campaign absorbs the newer
  for (std::int64_t id : {a, b, c, d})
    EXPECT_EQ(Get(id).incident.campaign_id, campaign) << id;

  auto campaigns = store_->ListCampaigns();
  ASSERT_TRUE(campaigns.ok());
  ASSERT_EQ(campaigns->size(), 1u);  // the absorbed one is empty and not listed
  const CampaignRow& row = (*campaigns)[0];
  EXPECT_EQ(row.hosts.size(), 4u);
  EXPECT_EQ(row.incidents.size(), 4u);
  EXPECT_EQ(row.severity, "high");  // score 60 is medium; four hosts raise it
  auto indicators = nlohmann::json::parse(row.indicators_json);
  ASSERT_EQ(indicators.size(), 2u);
  IncidentFilter in_campaign;
  in_campaign.campaign_id = campaign;
  EXPECT_EQ(store_->ListIncidents(in_campaign)->size(), 4u);

  // A false positive links nothing.
  auto h5 = store_->UpsertHost("pc-045", "", At(1));
  std::int64_t e = Make(*h5, "k", {{"dropper", sha}});
  ASSERT_TRUE(store_->ChangeStatus(e, "false-positive", "lab copy", false, kAlice).ok());
  auto fp = store_->LinkCampaign(e, kAlice);
  ASSERT_TRUE(fp.ok());
  EXPECT_FALSE(fp->has_value());
}

TEST_F(TriageTest, TheAuditChainCatchesAChangedARemovedAndATruncatedEntry) {
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(store_
                    ->AppendAudit(kMarie, "incident.note", "incident", 1,
                                  R"({"text":"n)" + std::to_string(i) + R"("})", At(2 + i))
                    .ok());
  auto good = store_->VerifyAudit();
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->entries, 5);
  EXPECT_EQ(good->chained, 5);
  EXPECT_FALSE(good->bad_entry);
  auto rows = store_->ListAudit("incident", 1);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->at(0).prev_hash, "");
  EXPECT_EQ(rows->at(1).prev_hash, rows->at(0).hash);
  EXPECT_EQ(*rows->at(2).hash, AuditHash(*rows->at(1).hash, rows->at(2)));

  // Someone with the file drops the triggers and edits history.
  ASSERT_TRUE(
      store_->db().Exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete").ok());
  ASSERT_TRUE(store_->db().Exec("UPDATE audit_log SET actor = 'mallory' WHERE id = 3").ok());
  auto changed = store_->VerifyAudit();
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->bad_entry, 3);
  EXPECT_NE(changed->problem.find("changed"), std::string::npos);
  ASSERT_TRUE(store_->db().Exec("UPDATE audit_log SET actor = 'alice' WHERE id = 3").ok());
  EXPECT_FALSE(store_->VerifyAudit()->bad_entry);

  ASSERT_TRUE(store_->db().Exec("DELETE FROM audit_log WHERE id = 2").ok());
  EXPECT_EQ(store_->VerifyAudit()->bad_entry, 3);
  ASSERT_TRUE(store_->db().Exec("DELETE FROM audit_log WHERE id >= 2").ok());
  auto truncated = store_->VerifyAudit();
  EXPECT_EQ(truncated->bad_entry, 2);
  EXPECT_NE(truncated->problem.find("at the end"), std::string::npos);
}

TEST_F(TriageTest, TheTimelineIsInTimeOrderWithEveryDetectionAndAction) {
  std::int64_t id = Make(host_, "k", {{"late", ""}}, 14);
  DetectionRow early = Detection("early", 70, At(9), "/srv/early");
  auto ins = store_->InsertDetection(early);
  ASSERT_TRUE(ins.ok());
  ASSERT_TRUE(store_->AttachDetection(id, ins->id).ok());
  ASSERT_TRUE(store_->AddNote(id, "looked at it", kMarie).ok());
  auto timeline = store_->Timeline(id);
  ASSERT_TRUE(timeline.ok());
  ASSERT_EQ(timeline->size(), 3u);
  EXPECT_EQ((*timeline)[0].detection_id, ins->id);
  EXPECT_EQ((*timeline)[1].kind, "detection");
  EXPECT_EQ((*timeline)[2].kind, "action");
  EXPECT_EQ((*timeline)[2].actor, "Marie Dupont (as alice)");
  for (std::size_t i = 1; i < timeline->size(); ++i)
    EXPECT_LE((*timeline)[i - 1].at, (*timeline)[i].at);
  EXPECT_EQ(store_->Timeline(id + 50).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace beffroi::store

namespace beffroi::store {
namespace {

// A database from before triage (schema 2) with audit entries and an incident: the triage migration
// keeps them, and the chain starts at the first new entry.
TEST(TriageMigration, OlderDatabasesKeepTheirHistoryAndChainFromThenOn) {
  testing::TempDb tmp;
  {
    auto db = Database::Open(tmp.path());
    ASSERT_TRUE(db.ok()) << db.error().message;
    ASSERT_TRUE(ApplyMigrations(**db, AllMigrations().first(2)).ok());
    ASSERT_TRUE((*db)
                    ->Exec(R"sql(
      INSERT INTO hosts (name, first_seen, last_seen) VALUES ('fs01', 'a', 'a');
      INSERT INTO incidents (host_id, threat_key, title, severity, status, first_seen, last_seen,
                             created_at, updated_at)
        VALUES (1, 'k', 'Old incident', 'high', 'investigating', 'a', 'a', 'a', 'a');
      INSERT INTO audit_log (at, actor, action, object_type, object_id)
        VALUES ('2025-01-01T00:00:00.000000Z', 'Marie', 'incident.opened', 'incident', 1);
    )sql")
                    .ok());
  }
  auto store = Store::Open(tmp.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto old = (*store)->GetIncident(1);
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_EQ((*old)->incident.version, 1);
  EXPECT_EQ((*old)->incident.assignee, "");
  // A status the lifecycle does not know may be replaced by one it knows.
  ASSERT_TRUE((*store)->ChangeStatus(1, "triaged", "", false, kAlice).ok());
  auto check = (*store)->VerifyAudit();
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->entries, 2);
  EXPECT_EQ(check->chained, 1);
  EXPECT_FALSE(check->bad_entry) << check->problem;
}

}  // namespace
}  // namespace beffroi::store
