// STIX 2.1 export: identity, indicators, sightings and a report object.
#include <map>
#include <nlohmann/json.hpp>

#include "analyzer/report/report.h"
#include "common/hash.h"
#include "common/text.h"

namespace beffroi::report {

namespace {

using nlohmann::json;

// Beffroi's namespace for the UUIDv5 of the objects it exports (a random UUID, fixed forever).
constexpr std::string_view kBeffroiNamespace = "6b1f4c8e-2d5a-4e9b-9c3f-7a1e0d2b5c84";

// A string literal of the STIX patterning language: quotes and backslashes escaped.
std::string Literal(std::string_view s) {
  std::string out = "'";
  for (char c : ToValidUtf8(s)) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// STIX timestamps are RFC 3339 UTC with an optional fraction; ours already are. A value that
// is not one (an old row, a hand edit) becomes the report's generation time.
std::string Timestamp(const std::string& t, const std::string& fallback) {
  auto ns = t.size() >= 20 ? ParseDateOrAge(t, 0) : std::nullopt;
  return ns ? FormatTimestampNs(*ns) : fallback;
}

json AttackReferences(const std::string& techniques_json) {
  json refs = json::array();
  json t = json::parse(techniques_json, nullptr, false);
  if (!t.is_array()) return refs;
  for (const auto& v : t) {
    if (!v.is_string()) continue;
    std::string id = v.get<std::string>();
    std::string path = id;
    if (auto dot = path.find('.'); dot != std::string::npos) path[dot] = '/';
    refs.push_back({{"source_name", "mitre-attack"},
                    {"external_id", id},
                    {"url", "https://attack.mitre.org/techniques/" + path + "/"}});
  }
  return refs;
}

struct IndicatorAcc {
  std::string pattern;
  std::string name;
  std::string description;
  std::string first, last, created;
  std::int64_t count = 0;
  std::string techniques_json = "[]";
};

}  // namespace

std::string StixPattern(const store::DetectionRow& d) {
  if (IsHex(d.sha256, 64)) {
    return "[file:hashes.'SHA-256' = " + Literal(ToLowerAscii(d.sha256)) + "]";
  }
  if (d.kind != "ioc.network") return "";
  auto colon = d.rule.find(':');
  if (colon == std::string::npos || colon + 1 >= d.rule.size()) return "";
  std::string type = d.rule.substr(0, colon), value = d.rule.substr(colon + 1);
  bool v6 = value.find(':') != std::string::npos;
  if (type == "domain") return "[domain-name:value = " + Literal(value) + "]";
  if (type == "url") return "[url:value = " + Literal(value) + "]";
  if (type == "ip")
    return std::string("[") + (v6 ? "ipv6" : "ipv4") + "-addr:value = " + Literal(value) + "]";
  if (type == "cidr") {
    return std::string("[") + (v6 ? "ipv6" : "ipv4") + "-addr:value ISSUBSET " + Literal(value) +
           "]";
  }
  if (type == "user-agent") {
    return "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = " +
           Literal(value) + "]";
  }
  return "";  // JA3/JA4 have no STIX 2.1 object property; the MISP export carries them
}

std::string ExportStix(const ReportData& data) {
  const store::IncidentRow& inc = data.detail.incident;
  const std::string now = data.generated_at;
  const std::string org = data.organisation.empty() ? "Beffroi user" : data.organisation;
  const std::string created = Timestamp(inc.created_at, now);
  const std::string modified = Timestamp(inc.updated_at, now);
  const std::string identity = "identity--" + UuidV5(kBeffroiNamespace, "identity|" + org);
  // The incident's own name space: the organisation, the incident number and its creation
  // time, so incidents of two cities (or two databases) never share ids.
  const std::string scope = org + "|" + std::to_string(inc.id) + "|" + inc.created_at;

  const bool dismissed = inc.status == store::kStatusFalsePositive;
  std::map<std::string, IndicatorAcc> indicators;  // by pattern: one indicator each
  for (const store::DetectionRow& d : data.detail.detections) {
    std::string pattern = StixPattern(d);
    if (pattern.empty()) continue;
    IndicatorAcc& a = indicators[pattern];
    std::string first = Timestamp(d.observed_at, now);
    std::string last = d.last_observed_at.empty() ? first : Timestamp(d.last_observed_at, now);
    if (a.pattern.empty()) {
      a.pattern = pattern;
      a.name = d.rule;
      a.description = d.description.empty() ? d.kind + " " + d.rule : d.description;
      a.first = first;
      a.last = last;
      a.created = Timestamp(d.created_at, now);
      a.techniques_json = d.techniques_json;
    }
    a.first = std::min(a.first, first);
    a.last = std::max(a.last, last);
    a.count += d.sightings;
  }

  json objects = json::array();
  objects.push_back({{"type", "identity"},
                     {"spec_version", "2.1"},
                     {"id", identity},
                     {"created", created},
                     {"modified", created},
                     {"name", ToValidUtf8(org)},
                     {"identity_class", "organization"},
                     {"sectors", {"government"}}});
  json refs = json::array({identity});
  for (const auto& [pattern, a] : indicators) {
    std::string ind_id = "indicator--" + UuidV5(kBeffroiNamespace, "indicator|" + pattern);
    json ind = {{"type", "indicator"},
                {"spec_version", "2.1"},
                {"id", ind_id},
                {"created_by_ref", identity},
                {"created", a.created},
                {"modified", a.created},
                {"name", ToValidUtf8(a.name)},
                {"description", ToValidUtf8(a.description)},
                // A dismissed incident still goes to the CERT (it saves them the same
                // analysis), but its indicators are marked benign.
                {"indicator_types", {dismissed ? "benign" : "malicious-activity"}},
                {"pattern", pattern},
                {"pattern_type", "stix"},
                {"pattern_version", "2.1"},
                {"valid_from", a.first}};
    json attack = AttackReferences(a.techniques_json);
    if (!attack.empty()) ind["external_references"] = attack;
    objects.push_back(ind);
    std::string sight_id =
        "sighting--" + UuidV5(kBeffroiNamespace, "sighting|" + scope + "|" + pattern);
    objects.push_back({{"type", "sighting"},
                       {"spec_version", "2.1"},
                       {"id", sight_id},
                       {"created_by_ref", identity},
                       {"created", created},
                       {"modified", modified},
                       {"description", ToValidUtf8("Seen on " + inc.host_name)},
                       {"first_seen", a.first},
                       {"last_seen", a.last},
                       {"count", std::min<std::int64_t>(a.count, 999'999'999)},
                       {"sighting_of_ref", ind_id},
                       {"where_sighted_refs", {identity}}});
    refs.push_back(ind_id);
    refs.push_back(sight_id);
  }
  std::string description = "Beffroi incident " + std::to_string(inc.id) + " on " + inc.host_name +
                            ": " + std::to_string(data.detail.detections.size()) +
                            " detections from " + inc.first_seen + " to " + inc.last_seen +
                            ", status " + inc.status + ", severity " + inc.severity + ".";
  json report = {{"type", "report"},
                 {"spec_version", "2.1"},
                 {"id", "report--" + UuidV5(kBeffroiNamespace, "report|" + scope)},
                 {"created_by_ref", identity},
                 {"created", created},
                 {"modified", modified},
                 {"name", ToValidUtf8(inc.title)},
                 {"description", ToValidUtf8(description)},
                 {"report_types", {"threat-report"}},
                 {"published", modified},
                 {"object_refs", refs},
                 {"labels", dismissed ? nlohmann::json({"incident", "false-positive"})
                                      : nlohmann::json({"incident", inc.severity})}};
  json attack = AttackReferences(inc.techniques_json);
  if (!attack.empty()) report["external_references"] = attack;
  objects.push_back(report);
  json bundle = {{"type", "bundle"},
                 {"id", "bundle--" + UuidV5(kBeffroiNamespace, "bundle|" + scope + "|" + modified)},
                 {"objects", objects}};
  return bundle.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace beffroi::report
