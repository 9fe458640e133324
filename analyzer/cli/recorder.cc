#include "analyzer/cli/recorder.h"

#include <nlohmann/json.hpp>

#include "analyzer/cli/context.h"
#include "common/text.h"

namespace beffroi::cli {

Result<std::int64_t> Recorder::IncidentFor(std::int64_t host_id, const std::string& host_name,
                                           const correlate::Finding& f) {
  std::string key = correlate::ThreatKey(f);
  // Symmetric: evidence older than an incident by more than the window is another incident,
  // whichever of the two was processed first.
  std::int64_t observed = ParseDateOrAge(f.observed_at, NowUnixNs()).value_or(NowUnixNs());
  std::string not_before = FormatTimestampNs(observed - window_ns_);
  std::string not_after = FormatTimestampNs(observed + window_ns_);
  auto open = store_.FindOpenIncident(host_id, key, not_before, not_after);
  if (!open.ok()) return open.error();
  if (open->has_value()) return (*open)->id;

  std::string now = NowTimestamp();
  store::IncidentRow row;
  row.host_id = host_id;
  row.threat_key = key;
  row.title = correlate::IncidentTitle(key, host_name);
  row.score = f.score;
  row.severity = std::string(store::SeverityForScore(f.score));  // RefreshIncident keeps it current
  row.status = "new";
  row.first_seen = f.observed_at;
  row.last_seen = f.observed_at;
  row.created_at = now;
  row.updated_at = now;
  row.techniques_json = Dump(nlohmann::json(f.techniques));
  if (!f.playbook.empty()) row.playbook = f.playbook;
  auto id = store_.CreateIncident(row);
  if (!id.ok()) return id.error();
  ++counts_.new_incidents;
  nlohmann::json details = {{"title", row.title}, {"threat_key", key}, {"host", host_name}};
  if (auto s = store_.AppendAudit(who_, "incident.opened", "incident", *id, Dump(details), now);
      !s.ok()) {
    return s.error();
  }
  return *id;
}

Status Recorder::Record(std::int64_t host_id, const std::string& host_name,
                        const std::vector<correlate::Finding>& input, const std::string& source,
                        std::int64_t source_id) {
  // Findings on one file are one story: an IOC hit on a file that a ransomware rule also
  // matched belongs to the ransomware incident, not to an incident of its own.
  std::vector<correlate::Finding> findings = input;
  const correlate::Finding* lead = nullptr;
  for (const correlate::Finding& f : findings) {
    if (!f.playbook.empty() && (lead == nullptr || f.score > lead->score)) lead = &f;
  }
  if (lead != nullptr) {
    std::string playbook = lead->playbook;
    std::vector<std::string> techniques = lead->techniques;
    for (correlate::Finding& f : findings) {
      if (f.playbook.empty()) {
        f.playbook = playbook;
        f.techniques = correlate::MergeTechniques(f.techniques, techniques);
      }
    }
  }
  for (correlate::Finding& f : findings) {
    // Evidence times from bundles are untrusted text, and incidents are compared as text:
    // one canonical RFC 3339 form (or the time of analysis when it is not a date).
    auto when =
        f.observed_at.size() >= 10 ? ParseDateOrAge(f.observed_at, NowUnixNs()) : std::nullopt;
    f.observed_at = FormatTimestampNs(when ? *when : NowUnixNs());
  }
  for (const correlate::Finding& f : findings) {
    auto allowed = store_.IsAllowlisted(host_id, f.sha256, f.file_path);
    if (!allowed.ok()) return allowed.error();
    if (*allowed) {
      ++counts_.allowlisted;
      continue;
    }
    ++counts_.findings;
    store::DetectionRow d;
    d.host_id = host_id;
    d.kind = f.kind;
    d.rule = f.rule;
    d.score = f.score;
    d.techniques_json = Dump(nlohmann::json(f.techniques));
    if (!f.playbook.empty()) d.playbook = f.playbook;
    d.reasons_json = Dump(f.reasons);
    d.description = f.description;
    d.file_path = f.file_path;
    d.sha256 = f.sha256;
    d.observed_at = f.observed_at;
    d.created_at = NowTimestamp();
    d.source = source;
    d.source_id = source_id;
    auto inserted = store_.InsertDetection(d);
    if (!inserted.ok()) return inserted.error();
    if (!inserted->inserted) {  // known already: the incident has it
      auto reopened = store_.RecordResighting(
          inserted->id, collected_at_.empty() ? NowTimestamp() : collected_at_, who_);
      if (!reopened.ok()) return reopened.error();
      if (*reopened) ++counts_.reopened_incidents;
      continue;
    }
    ++counts_.new_detections;
    auto incident = IncidentFor(host_id, host_name, f);
    if (!incident.ok()) return incident.error();
    if (auto s = store_.AttachDetection(*incident, inserted->id); !s.ok()) return s;
    if (auto s = store_.RefreshIncident(*incident); !s.ok()) return s;
    if (auto c = store_.LinkCampaign(*incident, who_, inserted->id); !c.ok()) return c.error();
  }
  return OkStatus();
}

}  // namespace beffroi::cli
