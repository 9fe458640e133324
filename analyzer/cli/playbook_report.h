// The response side of an incident, for `beffroi incidents show` and the incident report:
// the playbooks suggested for it, the progress of each playbook run (steps done, skipped,
// choices and notes, with who and when), and the legal clocks with what is done, due and
// overdue.
//
// BuildIncidentResponse reads the store and a playbook catalog; the renderers are pure. A
// report writer calls RenderPlaybookSection(store, incident_id, format), which loads the
// bundled playbooks itself; the report of analyzer/report takes ResponseSections. Thread-compatible
// like Store.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analyzer/playbook/catalog.h"
#include "analyzer/playbook/deadlines.h"
#include "analyzer/playbook/runner.h"
#include "analyzer/report/report.h"
#include "analyzer/store/store.h"
#include "common/result.h"

namespace beffroi::cli {

struct RunProgress {
  store::PlaybookRunRow run;
  std::vector<store::PlaybookEventRow> events;
  const playbook::Playbook* playbook = nullptr;  // null when the catalog no longer has it
  bool playbook_changed = false;  // the file differs from the one the run started with
  std::size_t done = 0;           // on the path taken so far
  std::size_t on_path = 0;
  std::string current;  // ref or id of the next step; "" when finished
  std::string current_name;
  bool finished = false;
};

struct IncidentResponse {
  std::int64_t incident_id = 0;
  std::vector<playbook::Suggestion> suggestions;
  std::vector<RunProgress> runs;
  std::string aware_at;                 // T0
  std::string aware_from;               // "incident created" or "set when run N started"
  std::map<std::string, bool> answers;  // variable -> answer, latest wins
  std::vector<playbook::ClockStatus> clocks;
  std::int64_t now_ns = 0;
};

Result<IncidentResponse> BuildIncidentResponse(store::Store& store,
                                               const store::IncidentDetail& incident,
                                               const playbook::Catalog& catalog,
                                               std::int64_t now_ns);

nlohmann::json IncidentResponseJson(const IncidentResponse& response);

enum class SectionFormat { kText, kMarkdown, kHtml };
std::string RenderResponse(const IncidentResponse& response, SectionFormat format);

// The bundled playbooks (or those of `playbooks_dir`); an empty catalog when there are none.
playbook::Catalog LoadResponseCatalog(const std::string& playbooks_dir = "");
// The response for incident `incident_id`, clocks relative to `now_ns`. The response points
// into `catalog`, which must outlive it. kNotFound for an unknown incident.
Result<IncidentResponse> LoadIncidentResponse(store::Store& store, std::int64_t incident_id,
                                              std::int64_t now_ns,
                                              const playbook::Catalog& catalog);
// The incident report's sections: suggestions and runs, the legal clocks, each run's record.
std::vector<report::ReportSection> ResponseSections(const IncidentResponse& response);

// For the incident report: the section for incident `incident_id` with the bundled
// playbooks (or `playbooks_dir`), clocks relative to `now_ns`.
Result<std::string> RenderPlaybookSection(store::Store& store, std::int64_t incident_id,
                                          SectionFormat format, std::int64_t now_ns,
                                          const std::string& playbooks_dir = "");

}  // namespace beffroi::cli
