// Store: campaigns, the incidents on several hosts that share an indicator.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "analyzer/store/internal.h"
#include "analyzer/store/store.h"
#include "common/text.h"

namespace beffroi::store {

using internal::Context;

namespace {

// Indicators shared with incidents on other hosts: a content hash, or a network indicator
// (the rule of an ioc.network detection is "type:value"). Two arms so that each can use its
// index. False positives link nothing; merged incidents have no detections left.
#define BEFFROI_SHARED_INDICATORS(WHERE)                                                    \
  "SELECT DISTINCT o.incident_id, 'sha256:' || d.sha256 FROM detections d "                 \
  "JOIN detections o ON o.sha256 = d.sha256 AND o.sha256 <> '' AND o.host_id <> d.host_id " \
  "JOIN incidents oi ON oi.id = o.incident_id AND oi.status <> 'false-positive' "           \
  "WHERE " WHERE                                                                            \
  " AND d.sha256 <> '' "                                                                    \
  "UNION "                                                                                  \
  "SELECT DISTINCT o.incident_id, d.rule FROM detections d "                                \
  "JOIN detections o ON o.kind = d.kind AND o.rule = d.rule AND o.host_id <> d.host_id "    \
  "JOIN incidents oi ON oi.id = o.incident_id AND oi.status <> 'false-positive' "           \
  "WHERE " WHERE " AND d.kind = 'ioc.network' ORDER BY 2, 1"
// Every detection of the incident, or (for the Recorder, once per new detection) only one,
// which keeps a scan with thousands of detections in one incident linear.
constexpr std::string_view kSharedIndicators = BEFFROI_SHARED_INDICATORS("d.incident_id = ?1");
constexpr std::string_view kSharedIndicatorsOf =
    BEFFROI_SHARED_INDICATORS("d.incident_id = ?1 AND d.id = ?2");
#undef BEFFROI_SHARED_INDICATORS

constexpr std::string_view kIncidentCampaign =
    "SELECT campaign_id, status FROM incidents WHERE id = ?1";
constexpr std::string_view kCreateCampaign =
    "INSERT INTO campaigns (title, created_at) VALUES (?1, ?2) RETURNING id";
constexpr std::string_view kSetCampaign = "UPDATE incidents SET campaign_id = ?2 WHERE id = ?1";
constexpr std::string_view kMoveCampaign =
    "UPDATE incidents SET campaign_id = ?2 WHERE campaign_id = ?1";
constexpr std::string_view kCampaignIndicators =
    "SELECT title, created_at, indicators_json FROM campaigns WHERE id = ?1";
constexpr std::string_view kSetIndicators =
    "UPDATE campaigns SET indicators_json = ?2 WHERE id = ?1";
constexpr std::string_view kCampaignMembers = R"sql(
SELECT i.id, h.name, i.score, i.first_seen, i.last_seen FROM incidents i
JOIN hosts h ON h.id = i.host_id
WHERE i.campaign_id = ?1 AND i.status NOT IN ('merged', 'false-positive') ORDER BY i.id)sql";
constexpr std::string_view kAllCampaigns = "SELECT id FROM campaigns ORDER BY id";

std::string ShortIndicator(const std::string& indicator) {
  if (indicator.rfind("sha256:", 0) == 0 && indicator.size() > 7 + 16) {
    return indicator.substr(0, 7 + 16) + "...";
  }
  return indicator.size() > 80 ? indicator.substr(0, 80) + "..." : indicator;
}

}  // namespace

Result<std::optional<std::int64_t>> Store::LinkCampaign(std::int64_t incident_id, const Who& who,
                                                        std::optional<std::int64_t> detection_id) {
  std::string what = "link campaign of incident " + std::to_string(incident_id);
  auto tx = Transaction::Begin(*db_);
  if (!tx) return Context(what, tx.error());
  auto campaign_of =
      [&](std::int64_t id) -> Result<std::pair<std::optional<std::int64_t>, std::string>> {
    auto stmt = Acquire(kIncidentCampaign);
    if (!stmt) return stmt.error();
    (*stmt)->BindInt64(1, id);
    auto row = (*stmt)->Step();
    if (!row) return row.error();
    if (!*row) return MakeError(ErrorCode::kNotFound, "no incident " + std::to_string(id));
    return std::make_pair((*stmt)->ColumnOptionalInt64(0), (*stmt)->ColumnText(1));
  };
  auto self = campaign_of(incident_id);
  if (!self) return Context(what, self.error());
  if (self->second == kStatusFalsePositive || self->second == kStatusMerged) {
    return self->first;
  }
  std::map<std::string, std::set<std::int64_t>> shared;  // indicator -> other incidents
  std::set<std::int64_t> others;
  {
    auto stmt = Acquire(detection_id ? kSharedIndicatorsOf : kSharedIndicators);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, incident_id);
    if (detection_id) (*stmt)->BindInt64(2, *detection_id);
    for (;;) {
      auto row = (*stmt)->Step();
      if (!row) return Context(what, row.error());
      if (!*row) break;
      std::int64_t other = (*stmt)->ColumnInt64(0);
      shared[(*stmt)->ColumnText(1)].insert(other);
      others.insert(other);
    }
  }
  if (others.empty()) return self->first;

  std::set<std::int64_t> campaigns;
  if (self->first) campaigns.insert(*self->first);
  std::map<std::int64_t, std::optional<std::int64_t>> before{{incident_id, self->first}};
  for (std::int64_t other : others) {
    auto c = campaign_of(other);
    if (!c) return Context(what, c.error());
    before[other] = c->first;
    if (c->first) campaigns.insert(*c->first);
  }
  std::string now = NowTimestamp();
  std::int64_t target = 0;
  if (campaigns.empty()) {
    auto stmt = Acquire(kCreateCampaign);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindText(1, "Shared " + ShortIndicator(shared.begin()->first)).BindText(2, now);
    auto id = internal::StepForInt64(**stmt);
    if (!id) return Context(what, id.error());
    target = *id;
  } else {
    target = *campaigns.begin();  // the oldest campaign absorbs the others
  }
  for (std::int64_t c : campaigns) {
    if (c == target) continue;
    auto stmt = Acquire(kMoveCampaign);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, c).BindInt64(2, target);
    if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
    if (Status s = AppendAudit(who, "campaign.merged", "campaign", target,
                               nlohmann::json{{"from", c}}.dump(), now);
        !s.ok()) {
      return s.error();
    }
  }
  std::vector<std::int64_t> joined;
  for (const auto& [id, was] : before) {
    if (was == target) continue;
    auto stmt = Acquire(kSetCampaign);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, id).BindInt64(2, target);
    if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
    joined.push_back(id);
  }
  // Record why: each indicator with the incidents it links.
  nlohmann::json indicators;
  {
    auto stmt = Acquire(kCampaignIndicators);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, target);
    auto row = (*stmt)->Step();
    if (!row) return Context(what, row.error());
    if (!*row) return MakeError(ErrorCode::kInternal, what + ": campaign vanished");
    indicators = nlohmann::json::parse((*stmt)->ColumnText(2), nullptr, false);
    if (!indicators.is_array()) indicators = nlohmann::json::array();
  }
  bool grew = false;
  for (const auto& [indicator, ids] : shared) {
    std::set<std::int64_t> all(ids);
    all.insert(incident_id);
    auto it = std::find_if(indicators.begin(), indicators.end(), [&](const nlohmann::json& e) {
      return e.value("indicator", "") == indicator;
    });
    if (it == indicators.end()) {
      indicators.push_back({{"indicator", ToValidUtf8(indicator)}, {"incidents", all}});
      grew = true;
      continue;
    }
    std::set<std::int64_t> had;
    for (const auto& v : (*it)["incidents"])
      if (v.is_number_integer()) had.insert(v.get<std::int64_t>());
    std::size_t n = had.size();
    had.insert(all.begin(), all.end());
    if (had.size() != n) {
      (*it)["incidents"] = had;
      grew = true;
    }
  }
  if (grew) {
    auto stmt = Acquire(kSetIndicators);
    if (!stmt) return Context(what, stmt.error());
    (*stmt)->BindInt64(1, target).BindText(2, indicators.dump());
    if (Status s = (*stmt)->Run(); !s.ok()) return Context(what, s.error());
  }
  if (!joined.empty()) {
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& [indicator, ids] : shared)
      keys.push_back(ToValidUtf8(indicator));
    if (Status s =
            AppendAudit(who, "campaign.linked", "campaign", target,
                        nlohmann::json{{"incidents", joined}, {"indicators", keys}}.dump(), now);
        !s.ok()) {
      return s.error();
    }
    for (std::int64_t id : joined) {
      if (Status s =
              AppendAudit(who, "incident.campaign", "incident", id,
                          nlohmann::json{{"campaign", target}, {"indicators", keys}}.dump(), now);
          !s.ok()) {
        return s.error();
      }
    }
  }
  if (Status s = tx->Commit(); !s.ok()) return Context(what, s.error());
  return std::optional<std::int64_t>(target);
}

Result<CampaignRow> Store::ReadCampaign(std::int64_t campaign_id) {
  CampaignRow c;
  c.id = campaign_id;
  {
    auto stmt = Acquire(kCampaignIndicators);
    if (!stmt) return stmt.error();
    (*stmt)->BindInt64(1, campaign_id);
    auto row = (*stmt)->Step();
    if (!row) return row.error();
    if (!*row) return MakeError(ErrorCode::kNotFound, "no campaign " + std::to_string(campaign_id));
    c.title = (*stmt)->ColumnText(0);
    c.created_at = (*stmt)->ColumnText(1);
    c.indicators_json = (*stmt)->ColumnText(2);
  }
  auto stmt = Acquire(kCampaignMembers);
  if (!stmt) return stmt.error();
  (*stmt)->BindInt64(1, campaign_id);
  std::set<std::string> hosts;
  for (;;) {
    auto row = (*stmt)->Step();
    if (!row) return row.error();
    if (!*row) break;
    const Statement& s = **stmt;
    c.incidents.push_back(s.ColumnInt64(0));
    hosts.insert(s.ColumnText(1));
    c.max_score = std::max(c.max_score, s.ColumnInt64(2));
    std::string first = s.ColumnText(3), last = s.ColumnText(4);
    if (c.first_seen.empty() || first < c.first_seen) c.first_seen = first;
    if (last > c.last_seen) c.last_seen = last;
  }
  c.hosts.assign(hosts.begin(), hosts.end());
  c.severity = std::string(CampaignSeverity(c.max_score, static_cast<std::int64_t>(hosts.size())));
  return c;
}

Result<std::optional<CampaignRow>> Store::GetCampaign(std::int64_t campaign_id) {
  auto c = ReadCampaign(campaign_id);
  if (!c) {
    if (c.error().code == ErrorCode::kNotFound) return std::optional<CampaignRow>();
    return Context("get campaign", c.error());
  }
  return std::optional<CampaignRow>(std::move(*c));
}

Result<std::vector<CampaignRow>> Store::ListCampaigns() {
  std::vector<std::int64_t> ids;
  {
    auto stmt = Acquire(kAllCampaigns);
    if (!stmt) return Context("list campaigns", stmt.error());
    for (;;) {
      auto row = (*stmt)->Step();
      if (!row) return Context("list campaigns", row.error());
      if (!*row) break;
      ids.push_back((*stmt)->ColumnInt64(0));
    }
  }
  std::vector<CampaignRow> out;
  for (std::int64_t id : ids) {
    auto c = ReadCampaign(id);
    if (!c) return Context("list campaigns", c.error());
    if (c->incidents.empty()) continue;  // absorbed by another campaign, or all dismissed
    out.push_back(std::move(*c));
  }
  std::stable_sort(out.begin(), out.end(), [](const CampaignRow& a, const CampaignRow& b) {
    int ra = SeverityRank(a.severity), rb = SeverityRank(b.severity);
    if (ra != rb) return ra > rb;
    return a.last_seen > b.last_seen;
  });
  return out;
}

}  // namespace beffroi::store
