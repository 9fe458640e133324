// Incident reports and exports: what a city hands to its mayor, the police and CERT.be.
//
// GatherReport reads everything about one incident from the store into a ReportData value
// (incident, detections, timeline, evidence sources, campaign, allowlist entries); the
// renderers are pure functions of that value, so the same data gives the same bytes, and
// they can be tested without a database. Strings from the field (file names, URLs, rule
// reasons) are attacker-controlled: every renderer escapes for its format (HTML, Markdown,
// CSV with spreadsheet-formula neutralisation), and the HTML page loads nothing from outside
// and runs no script (a Content-Security-Policy forbids both). This library reads the store's
// row types and calls the store only in GatherReport. Thread-compatible.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/store/rows.h"
#include "analyzer/store/store.h"
#include "common/result.h"

namespace beffroi::report {

// A titled block of label/value rows, for parts of the report contributed by other components.
struct ReportSection {
  std::string title;
  std::vector<std::pair<std::string, std::string>> rows;
};

// Where the evidence of a detection came from: a verified bundle (with its manifest) or a
// local scan.
struct EvidenceSource {
  std::string kind;  // "bundle" or "scan"
  std::int64_t id = 0;
  std::optional<store::BundleRow> bundle;
  std::optional<store::ScanRow> scan;
};

struct ReportData {
  std::string organisation;  // who reports: "Ville de Liège"
  std::string generated_at;  // RFC 3339
  std::string generated_by;  // Who::Display()
  store::IncidentDetail detail;
  std::vector<store::TimelineEntry> timeline;
  std::optional<store::CampaignRow> campaign;
  std::vector<store::IncidentRow> campaign_incidents;  // the others, not this one
  std::vector<EvidenceSource> evidence;
  std::vector<store::AllowlistRow> allowlisted;  // entries added when closing this incident
  // Playbook progress and legal clocks, filled by the caller (the playbook engine lives above
  // this library): see cli::ResponseSections.
  std::vector<ReportSection> playbook;
};

// kNotFound for an unknown incident.
Result<ReportData> GatherReport(store::Store& store, std::int64_t incident_id,
                                const std::string& organisation, const store::Who& who);

// One readable line for an audit entry of an incident ("status triaged -> contained: ...").
std::string DescribeAction(const std::string& action, const std::string& details_json);

std::string RenderMarkdown(const ReportData& data);
std::string RenderHtml(const ReportData& data);
std::string ExportCsv(const ReportData& data);
std::string ExportJson(const ReportData& data);
// STIX 2.1 bundle: the organisation's identity, one indicator per distinct pattern (file
// SHA-256, domain, address, CIDR, URL, user agent), a sighting of each, and a report object
// for the incident referring to them all. Ids are UUIDv5 of their content: exporting the same
// incident twice gives the same ids, so a CERT's platform deduplicates.
std::string ExportStix(const ReportData& data);
// A MISP event (the JSON of MISP's event export: {"Event": {..., "Attribute": [...]}}).
std::string ExportMisp(const ReportData& data);

// The JSON form of an incident, for `incidents list|show --json` and the JSON export.
nlohmann::json IncidentJson(const store::IncidentRow& incident);
// The JSON form of a timeline, for `incidents timeline --json` and the JSON export.
nlohmann::json TimelineJson(const std::vector<store::TimelineEntry>& timeline);

// Escaping, exposed for tests.
std::string HtmlEscape(std::string_view s);
std::string MarkdownEscape(std::string_view s);
std::string CsvField(std::string_view s);
// RFC 4122 version 5 UUID of `name` in `namespace_uuid` ("xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx").
std::string UuidV5(std::string_view namespace_uuid, std::string_view name);
// [file:hashes.'SHA-256' = '...'] and friends; "" when the detection carries no indicator
// STIX patterns can express.
std::string StixPattern(const store::DetectionRow& d);

}  // namespace beffroi::report
