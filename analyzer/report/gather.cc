// Reading one incident's report data from the store, and describing audit entries.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "analyzer/report/report.h"
#include "common/text.h"

namespace beffroi::report {

namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string IdList(const json& j, const char* key) {
  std::string out;
  if (!j.is_object() || !j.contains(key) || !j[key].is_array()) return out;
  for (const auto& v : j[key])
    out += (out.empty() ? "" : ", ") + v.dump();
  return out;
}

}  // namespace

std::string DescribeAction(const std::string& action, const std::string& details_json) {
  json d = json::parse(details_json, nullptr, false);
  if (!d.is_object()) d = json::object();  // a hand-edited row must not stop a report
  std::string reason = Str(d, "reason");
  std::string because = reason.empty() ? "" : ": " + reason;
  if (action == "incident.opened") return "incident opened: " + Str(d, "title");
  if (action == "incident.status") {
    return "status " + Str(d, "from") + " -> " + Str(d, "to") +
           (d.value("reopen", false) ? " (reopened)" : "") + because;
  }
  if (action == "incident.reopened") {
    return "reopened: detection " + Str(d, "detection") + " found again (observed " +
           Str(d, "observed_at") + ")";
  }
  if (action == "incident.assign") {
    std::string to = Str(d, "to");
    return to.empty() ? "unassigned" : "assigned to " + to;
  }
  if (action == "incident.tag") {
    std::string out = "tags";
    for (const char* key : {"added", "removed"}) {
      const json list = d.value(key, json::array());
      if (!list.is_array()) continue;
      for (const auto& t : list)
        if (t.is_string()) out += (key[0] == 'a' ? " +" : " -") + t.get<std::string>();
    }
    return out;
  }
  if (action == "incident.note") return "note: " + Str(d, "text");
  if (action == "incident.merged") {
    return "incident " + Str(d, "from") + " merged into this one (detections " +
           IdList(d, "detections") + ")";
  }
  if (action == "incident.merged_into") {
    return "merged into incident " + Str(d, "into") + " (detections " + IdList(d, "detections") +
           ")";
  }
  if (action == "incident.split") {
    return "detections " + IdList(d, "detections") + " split off into incident " + Str(d, "into");
  }
  if (action == "incident.split_from") {
    return "split from incident " + Str(d, "from") + " (detections " + IdList(d, "detections") +
           ")";
  }
  if (action == "incident.campaign") {
    std::string keys;
    const json list = d.value("indicators", json::array());
    if (list.is_array()) {
      for (const auto& k : list)
        if (k.is_string()) keys += (keys.empty() ? "" : ", ") + k.get<std::string>();
    }
    return "linked to campaign " + Str(d, "campaign") + " (shared " + keys + ")";
  }
  if (action == "allowlist.add") {
    return "allowlisted " + Str(d, "kind") + " " + Str(d, "value") + because;
  }
  return action + (d.empty() ? "" : " " + d.dump(-1, ' ', false, json::error_handler_t::replace));
}

Result<ReportData> GatherReport(store::Store& store, std::int64_t incident_id,
                                const std::string& organisation, const store::Who& who) {
  ReportData data;
  data.organisation = organisation;
  data.generated_at = NowTimestamp();
  data.generated_by = who.Display();
  auto detail = store.GetIncident(incident_id);
  if (!detail) return detail.error();
  if (!detail->has_value()) {
    return MakeError(ErrorCode::kNotFound, "no incident " + std::to_string(incident_id));
  }
  data.detail = std::move(**detail);
  auto timeline = store.Timeline(incident_id);
  if (!timeline) return timeline.error();
  data.timeline = std::move(*timeline);
  if (data.detail.incident.campaign_id) {
    auto campaign = store.GetCampaign(*data.detail.incident.campaign_id);
    if (!campaign) return campaign.error();
    data.campaign = std::move(*campaign);
    if (data.campaign) {
      for (std::int64_t other : data.campaign->incidents) {
        if (other == incident_id) continue;
        auto o = store.GetIncident(other);
        if (!o) return o.error();
        if (o->has_value()) data.campaign_incidents.push_back((*o)->incident);
      }
    }
  }
  std::set<std::pair<std::string, std::int64_t>> sources;
  for (const store::DetectionRow& d : data.detail.detections) {
    if (d.source_id) sources.insert({d.source, *d.source_id});
  }
  for (const auto& [kind, id] : sources) {
    EvidenceSource e{kind, id, std::nullopt, std::nullopt};
    if (kind == store::kSourceBundle) {
      auto b = store.GetBundle(id);
      if (!b) return b.error();
      e.bundle = std::move(*b);
    } else {
      auto s = store.GetScan(id);
      if (!s) return s.error();
      e.scan = std::move(*s);
    }
    data.evidence.push_back(std::move(e));
  }
  auto allow = store.ListAllowlist();
  if (!allow) return allow.error();
  for (store::AllowlistRow& a : *allow) {
    if (a.incident_id == incident_id) data.allowlisted.push_back(std::move(a));
  }
  return data;
}

}  // namespace beffroi::report
