// Data exports of one incident: CSV (one row per detection), JSON (everything) and a MISP
// event. The STIX bundle is in stix.cc.
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "analyzer/report/report.h"
#include "analyzer/store/lifecycle.h"
#include "common/text.h"

namespace beffroi::report {

namespace {

using nlohmann::json;

constexpr std::string_view kMispNamespace = "3f5b2c1a-9e47-4d8b-a6f0-2c7e9b1d4a63";

json Parsed(const std::string& text, json fallback) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

std::string Basename(const std::string& path) {
  auto slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string UnixSeconds(const std::string& t) {
  auto ns = ParseDateOrAge(t, 0);
  return std::to_string(ns ? *ns / 1'000'000'000 : 0);
}

// MISP attribute (type, category) for a detection's network indicator.
std::optional<std::pair<std::string, std::string>> MispNetworkType(const std::string& type) {
  static const std::map<std::string, std::string> kTypes = {{"domain", "domain"},
                                                            {"ip", "ip-dst"},
                                                            {"cidr", "ip-dst"},
                                                            {"url", "url"},
                                                            {"ja3", "ja3-fingerprint-md5"},
                                                            {"user-agent", "user-agent"}};
  auto it = kTypes.find(type);
  if (it == kTypes.end()) return std::nullopt;
  return std::make_pair(it->second, std::string("Network activity"));
}

}  // namespace

json IncidentJson(const store::IncidentRow& i) {
  return {{"id", i.id},
          {"title", i.title},
          {"host", i.host_name},
          {"status", i.status},
          {"resolution", i.resolution},
          {"severity", i.severity},
          {"score", i.score},
          {"threat_key", i.threat_key},
          {"assignee", i.assignee},
          {"tags", i.tags},
          {"version", i.version},
          {"campaign", i.campaign_id ? json(*i.campaign_id) : json()},
          {"merged_into", i.merged_into ? json(*i.merged_into) : json()},
          {"first_seen", i.first_seen},
          {"last_seen", i.last_seen},
          {"created_at", i.created_at},
          {"updated_at", i.updated_at},
          {"closed_at", i.closed_at},
          {"techniques", Parsed(i.techniques_json, json::array())},
          {"playbook", i.playbook ? json(*i.playbook) : json()},
          {"detections", i.detection_count}};
}

json TimelineJson(const std::vector<store::TimelineEntry>& timeline) {
  json out = json::array();
  for (const store::TimelineEntry& e : timeline) {
    json entry = {{"at", e.at}, {"kind", e.kind}, {"incident", e.incident_id}};
    if (e.kind == "action") {
      entry["actor"] = e.actor;
      entry["action"] = e.action;
      entry["details"] = Parsed(e.summary, json::object());
      entry["text"] = DescribeAction(e.action, e.summary);
    } else {
      entry["detection"] = e.detection_id.value_or(0);
      entry["detection_kind"] = e.action;
      entry["text"] = e.summary;
    }
    out.push_back(entry);
  }
  return out;
}

std::string ExportCsv(const ReportData& data) {
  const store::IncidentRow& i = data.detail.incident;
  std::string out =
      "incident,host,status,detection,kind,rule,score,observed_at,last_observed_at,sightings,"
      "file_path,sha256,techniques,description,source,source_id\r\n";
  for (const store::DetectionRow& d : data.detail.detections) {
    std::string techniques;
    for (const auto& t : Parsed(d.techniques_json, json::array()))
      if (t.is_string()) techniques += (techniques.empty() ? "" : " ") + t.get<std::string>();
    std::vector<std::string> cells = {std::to_string(i.id),
                                      i.host_name,
                                      i.status,
                                      std::to_string(d.id),
                                      d.kind,
                                      d.rule,
                                      std::to_string(d.score),
                                      d.observed_at,
                                      d.last_observed_at,
                                      std::to_string(d.sightings),
                                      d.file_path,
                                      d.sha256,
                                      techniques,
                                      d.description,
                                      d.source,
                                      d.source_id ? std::to_string(*d.source_id) : ""};
    for (std::size_t c = 0; c < cells.size(); ++c)
      out += (c ? "," : "") + CsvField(cells[c]);
    out += "\r\n";
  }
  return out;
}

std::string ExportJson(const ReportData& data) {
  json out = {{"schema", "beffroi/incident-report/1"},
              {"organisation", data.organisation},
              {"generated_at", data.generated_at},
              {"generated_by", data.generated_by},
              {"incident", IncidentJson(data.detail.incident)}};
  json dets = json::array();
  for (const store::DetectionRow& d : data.detail.detections) {
    dets.push_back({{"id", d.id},
                    {"kind", d.kind},
                    {"rule", d.rule},
                    {"score", d.score},
                    {"file_path", d.file_path},
                    {"sha256", d.sha256},
                    {"observed_at", d.observed_at},
                    {"last_observed_at", d.last_observed_at},
                    {"sightings", d.sightings},
                    {"description", d.description},
                    {"techniques", Parsed(d.techniques_json, json::array())},
                    {"playbook", d.playbook ? json(*d.playbook) : json()},
                    {"reasons", Parsed(d.reasons_json, json::object())},
                    {"source", d.source},
                    {"source_id", d.source_id ? json(*d.source_id) : json()}});
  }
  out["detections"] = dets;
  out["timeline"] = TimelineJson(data.timeline);
  json evidence = json::array();
  for (const EvidenceSource& e : data.evidence) {
    if (e.bundle) {
      const store::BundleRow& b = *e.bundle;
      evidence.push_back({{"kind", "bundle"},
                          {"id", b.id},
                          {"bundle_uuid", b.bundle_uuid},
                          {"manifest_sha256", b.manifest_sha256},
                          {"agent", b.agent},
                          {"agent_version", b.agent_version},
                          {"examiner", b.examiner.value_or("")},
                          {"case_ref", b.case_ref.value_or("")},
                          {"started", b.started},
                          {"ended", b.ended},
                          {"path", b.path},
                          {"ingested_at", b.ingested_at},
                          {"ingested_by", b.ingested_by}});
    } else if (e.scan) {
      const store::ScanRow& s = *e.scan;
      evidence.push_back({{"kind", "scan"},
                          {"id", s.id},
                          {"started", s.started},
                          {"ended", s.ended.value_or("")},
                          {"roots", Parsed(s.roots_json, json::array())},
                          {"ruleset_hash", s.ruleset_hash.value_or("")},
                          {"actor", s.actor}});
    }
  }
  out["evidence"] = evidence;
  if (data.campaign) {
    const store::CampaignRow& c = *data.campaign;
    out["campaign"] = {{"id", c.id},
                       {"title", c.title},
                       {"severity", c.severity},
                       {"hosts", c.hosts},
                       {"incidents", c.incidents},
                       {"indicators", Parsed(c.indicators_json, json::array())}};
  }
  json allow = json::array();
  for (const store::AllowlistRow& a : data.allowlisted) {
    allow.push_back({{"kind", a.kind},
                     {"value", a.value},
                     {"reason", a.reason},
                     {"added_by", a.added_by},
                     {"added_at", a.added_at}});
  }
  out["allowlisted"] = allow;
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string ExportMisp(const ReportData& data) {
  const store::IncidentRow& i = data.detail.incident;
  const std::string org = data.organisation.empty() ? "Beffroi user" : data.organisation;
  const std::string scope = org + "|" + std::to_string(i.id) + "|" + i.created_at;
  // MISP threat levels: 1 high, 2 medium, 3 low, 4 undefined. Analysis: 0 initial,
  // 1 ongoing, 2 completed.
  int threat = store::SeverityRank(i.severity) >= 3   ? 1
               : store::SeverityRank(i.severity) == 2 ? 2
                                                      : 3;
  int analysis = i.status == store::kStatusNew ? 0 : store::IsOpenStatus(i.status) ? 1 : 2;
  // A false positive is shared so that others need not analyse it again, never as IDS input.
  const bool dismissed = i.status == store::kStatusFalsePositive;
  json attributes = json::array();
  std::set<std::pair<std::string, std::string>> seen;
  auto add = [&](const std::string& type, const std::string& category, const std::string& value,
                 bool to_ids, const store::DetectionRow& d) {
    if (value.empty() || !seen.insert({type, value}).second) return;
    attributes.push_back(
        {{"uuid", UuidV5(kMispNamespace, "attribute|" + scope + "|" + type + "|" + value)},
         {"type", type},
         {"category", category},
         {"value", ToValidUtf8(value)},
         {"to_ids", to_ids && !dismissed},
         {"distribution", "5"},  // inherit the event's
         {"comment", ToValidUtf8(d.kind + " " + d.rule + " on " + i.host_name)},
         {"timestamp", UnixSeconds(d.created_at)},
         {"first_seen", d.observed_at},
         {"last_seen", d.last_observed_at.empty() ? d.observed_at : d.last_observed_at}});
  };
  for (const store::DetectionRow& d : data.detail.detections) {
    if (!d.sha256.empty()) {
      std::string name = d.kind == "ioc.network" ? "" : Basename(d.file_path);
      if (!name.empty()) {
        add("filename|sha256", "Payload delivery", name + "|" + d.sha256, true, d);
      } else {
        add("sha256", "Payload delivery", d.sha256, true, d);
      }
    }
    if (d.kind == "ioc.network") {
      auto colon = d.rule.find(':');
      if (colon == std::string::npos) continue;
      if (auto type = MispNetworkType(d.rule.substr(0, colon))) {
        add(type->first, type->second, d.rule.substr(colon + 1), true, d);
      } else {
        add("text", "Network activity", d.rule, false, d);
      }
    }
  }
  json tags = json::array({{{"name", "tlp:amber"}}});
  if (dismissed) tags.push_back({{"name", "false-positive"}});
  for (const auto& t : Parsed(i.techniques_json, json::array())) {
    if (t.is_string()) {
      tags.push_back(
          {{"name", "misp-galaxy:mitre-attack-pattern=\"" + t.get<std::string>() + "\""}});
    }
  }
  json event = {{"uuid", UuidV5(kMispNamespace, "event|" + scope)},
                {"info", ToValidUtf8(i.title)},
                {"date", i.first_seen.substr(0, 10)},
                {"threat_level_id", std::to_string(threat)},
                {"analysis", std::to_string(analysis)},
                {"distribution", "0"},  // this organisation only, until the city shares it
                {"published", false},
                {"timestamp", UnixSeconds(i.updated_at)},
                {"Orgc", {{"name", ToValidUtf8(org)}}},
                {"Tag", tags},
                {"Attribute", attributes}};
  return json{{"Event", event}}.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace beffroi::report
