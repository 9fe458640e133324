// `beffroi incidents list|show N`: what the analyzer found, grouped per host and threat.
#include <boost/program_options.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"
#include "analyzer/cli/incident_args.h"
#include "analyzer/cli/parse.h"
#include "analyzer/cli/playbook_report.h"
#include "analyzer/report/report.h"
#include "common/text.h"

namespace po = boost::program_options;

namespace beffroi::cli {

std::optional<std::int64_t> ParseId(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v <= 0) return std::nullopt;
  return v;
}

std::optional<std::vector<std::int64_t>> ParseIdList(const std::string& text) {
  std::vector<std::int64_t> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!part.empty() && part.front() == ' ')
      part.erase(part.begin());
    auto id = ParseId(part);
    if (!id) return std::nullopt;
    out.push_back(*id);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

int StoreErrorExit(const Error& error) {
  if (error.code == ErrorCode::kInvalidArgument) return kExitUsage;
  if (error.code == ErrorCode::kConflict) return kExitConflict;
  return kExitError;
}

namespace {

nlohmann::json ParsedOr(const std::string& text, nlohmann::json fallback) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

int List(const Args& args) {
  EngineFlags flags;
  store::IncidentFilter filter;
  std::string status, severity, host, tag, assignee, campaign;
  bool json = false, open_only = false;
  po::options_description desc("beffroi incidents list [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON")(
      "status", po::value(&status), "only this status (new, triaged, contained, ...)")(
      "severity", po::value(&severity), "at least this severity (low, medium, high, critical)")(
      "host", po::value(&host), "only this host")("tag", po::value(&tag), "only with this tag")(
      "assignee", po::value(&assignee), "only assigned to this name")(
      "campaign", po::value(&campaign), "only incidents of campaign N")(
      "open", po::bool_switch(&open_only), "leave out closed, false-positive and merged ones");
  AddDbFlag(desc, flags);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "", 0, nullptr, "incidents list", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc << "\nExample:\n  beffroi incidents list --severity high\n";
    return kExitOk;
  }
  if (!status.empty()) filter.status = status;
  if (!severity.empty()) filter.min_severity = severity;
  if (!host.empty()) filter.host_name = host;
  if (!tag.empty()) filter.tag = tag;
  if (!assignee.empty()) filter.assignee = assignee;
  filter.open_only = open_only;
  if (!campaign.empty()) {
    auto c = ParseId(campaign);
    if (!c) return Fail("incidents list", "--campaign: a campaign number", kExitUsage);
    filter.campaign_id = *c;
  }
  auto store = OpenStore(flags, /*read_only=*/true);
  if (!store.ok()) return Fail("incidents", store.error().message);
  auto rows = (*store)->ListIncidents(filter);
  if (!rows.ok()) {
    return Fail("incidents", rows.error().message,
                rows.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitError);
  }
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& i : *rows)
      out.push_back(report::IncidentJson(i));
    std::cout << Dump(out, 2) << "\n";
    return kExitOk;
  }
  if (rows->empty()) {
    std::printf("No incidents.\n");
    return kExitOk;
  }
  std::printf("%5s  %-8s  %-14s  %-20s  %5s  %-8s  %-12s  %s\n", "ID", "SEVERITY", "STATUS",
              "LAST SEEN", "DET.", "CAMPAIGN", "ASSIGNEE", "TITLE");
  for (const auto& i : *rows) {
    std::string campaign_text = i.campaign_id ? "#" + std::to_string(*i.campaign_id) : "-";
    std::printf("%5lld  %-8s  %-14s  %-20s  %5lld  %-8s  %-12s  %s\n", static_cast<long long>(i.id),
                i.severity.c_str(), i.status.c_str(), i.last_seen.substr(0, 19).c_str(),
                static_cast<long long>(i.detection_count), campaign_text.c_str(),
                i.assignee.empty() ? "-" : i.assignee.c_str(), i.title.c_str());
  }
  return kExitOk;
}

int Show(const Args& args) {
  EngineFlags flags;
  std::vector<std::string> ids;
  std::string playbooks_dir, now_text;
  bool json = false;
  po::options_description desc("beffroi incidents show N [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON")(
      "playbooks", po::value(&playbooks_dir),
      "folder of playbooks (default: the bundled playbooks/)")(
      "now", po::value(&now_text),
      "show the legal clocks as they stand at this time (exercises, tests); default: now");
  AddDbFlag(desc, flags);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "id", 1, &ids, "incidents show", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc << "\nExample:\n  beffroi incidents show 1\n";
    return kExitOk;
  }
  std::optional<std::int64_t> parsed = ids.size() == 1 ? ParseId(ids[0]) : std::nullopt;
  std::int64_t id = parsed.value_or(0);
  if (!parsed) {
    return Fail("incidents show", "give the incident number, e.g. `beffroi incidents show 1`",
                kExitUsage);
  }
  std::int64_t now_ns = NowUnixNs();
  if (!now_text.empty()) {
    auto at = ParseDateOrAge(now_text, now_ns);
    if (!at || now_text.size() < 10)
      return Fail("incidents show", "--now: a date and time, e.g. 2021-06-22T09:00:00Z",
                  kExitUsage);
    now_ns = *at;
  }
  auto store = OpenStore(flags, /*read_only=*/true);
  if (!store.ok()) return Fail("incidents", store.error().message);
  auto detail = (*store)->GetIncident(id);
  if (!detail.ok()) return Fail("incidents", detail.error().message);
  if (!detail->has_value()) return Fail("incidents show", "no incident " + ids[0]);
  const store::IncidentDetail& d = **detail;
  auto audit = (*store)->ListAudit("incident", id);
  nlohmann::json out = report::IncidentJson(d.incident);
  out["detections_list"] = nlohmann::json::array();
  for (const auto& det : d.detections) {
    out["detections_list"].push_back(
        {{"id", det.id},
         {"kind", det.kind},
         {"rule", det.rule},
         {"score", det.score},
         {"file_path", det.file_path},
         {"sha256", det.sha256},
         {"observed_at", det.observed_at},
         {"last_observed_at", det.last_observed_at},
         {"sightings", det.sightings},
         {"description", det.description},
         {"techniques", ParsedOr(det.techniques_json, nlohmann::json::array())},
         {"reasons", ParsedOr(det.reasons_json, nlohmann::json::object())}});
  }
  out["audit"] = nlohmann::json::array();
  if (audit.ok()) {
    for (const auto& a : *audit) {
      out["audit"].push_back({{"at", a.at},
                              {"actor", a.actor},
                              {"acting_as", a.acting_as},
                              {"action", a.action},
                              {"details", ParsedOr(a.details_json, nlohmann::json::object())}});
    }
  }
  // The response: suggested playbooks, runs and legal clocks. A missing playbook folder only
  // loses the suggestions; runs and clocks come from the database.
  std::string dir = playbooks_dir.empty() ? BundledPlaybooksDir() : playbooks_dir;
  playbook::Catalog catalog =
      dir.empty() ? playbook::Catalog{} : playbook::Catalog::LoadDirectory(dir);
  auto response = BuildIncidentResponse(**store, d, catalog, now_ns);
  if (!response.ok()) return Fail("incidents", response.error().message);
  out["response"] = IncidentResponseJson(*response);
  if (json) {
    std::cout << Dump(out, 2) << "\n";
    return kExitOk;
  }
  const store::IncidentRow& i = d.incident;
  std::printf("Incident %lld: %s\n", static_cast<long long>(i.id), i.title.c_str());
  std::printf("  Host:       %s\n  Status:     %s\n  Severity:   %s (score %lld)\n",
              i.host_name.c_str(), i.status.c_str(), i.severity.c_str(),
              static_cast<long long>(i.score));
  std::printf("  Seen:       %s .. %s\n", i.first_seen.c_str(), i.last_seen.c_str());
  std::string tags;
  for (const std::string& t : i.tags)
    tags += (tags.empty() ? "" : ", ") + t;
  std::printf("  Assignee:   %s\n  Tags:       %s\n  Version:    %lld\n",
              i.assignee.empty() ? "-" : i.assignee.c_str(), tags.empty() ? "-" : tags.c_str(),
              static_cast<long long>(i.version));
  if (i.campaign_id) std::printf("  Campaign:   %lld\n", static_cast<long long>(*i.campaign_id));
  if (i.merged_into) {
    std::printf("  Merged into: %lld\n", static_cast<long long>(*i.merged_into));
  }
  if (!i.resolution.empty()) std::printf("  Resolution: %s\n", i.resolution.c_str());
  std::string techniques;
  for (const auto& t : out["techniques"])
    techniques += (techniques.empty() ? "" : ", ") + t.get<std::string>();
  std::printf("  ATT&CK:     %s\n", techniques.empty() ? "-" : techniques.c_str());
  std::printf("  Playbook:   %s\n", i.playbook.value_or("-").c_str());
  std::printf("\nDetections (%zu):\n", d.detections.size());
  for (const auto& det : d.detections) {
    std::printf("  [%lld] %-12s %-32s score %3lld  %s\n", static_cast<long long>(det.id),
                det.kind.c_str(), det.rule.c_str(), static_cast<long long>(det.score),
                det.file_path.c_str());
    if (!det.sha256.empty()) std::printf("        sha256 %s\n", det.sha256.c_str());
    if (det.sightings > 1) {
      std::printf("        found %lld times, last %s\n", static_cast<long long>(det.sightings),
                  det.last_observed_at.c_str());
    }
    if (!det.description.empty()) std::printf("        %s\n", det.description.c_str());
  }
  std::printf("\n%s", RenderResponse(*response, SectionFormat::kText).c_str());
  if (!out["audit"].empty()) {
    std::printf("\nAudit log:\n");
    for (const auto& a : out["audit"]) {
      store::Who who{a["actor"].get<std::string>(), a["acting_as"].get<std::string>()};
      std::printf("  %s  %-10s %s\n", a["at"].get<std::string>().c_str(), who.Display().c_str(),
                  a["action"].get<std::string>().c_str());
    }
  }
  return kExitOk;
}

}  // namespace

namespace {

constexpr const char* kIncidentsUsage = R"(Usage:
  beffroi incidents list [--status S] [--severity S] [--host H] [--tag T] [--assignee A]
                         [--campaign N] [--open] [--json]
  beffroi incidents show N [--json] [--playbooks DIR] [--now TIME]
  beffroi incidents update N [--status S [--reason R] [--reopen]] [--assign NAME] [--tag T]...
                           [--untag T]... [--expect-version V] [--json]
  beffroi incidents assign N NAME|--none
  beffroi incidents tag N TAG... [--remove]
  beffroi incidents note N TEXT...
  beffroi incidents merge N M...              move the detections of M... into N
  beffroi incidents split N --detections ID,...
  beffroi incidents close N [--reason R] [--false-positive --reason R [--allowlist hash|path]]
  beffroi incidents timeline N [--json]
  beffroi incidents report N --format md|html [--out FILE] [--org NAME]
  beffroi incidents export N --format csv|json|stix|misp [--out FILE] [--org NAME]
  beffroi incidents campaigns [--json]
Every command takes --db FILE and --as NAME (recorded in the audit log beside the OS user).
Run `beffroi incidents COMMAND --help` for the options of one.
)";

}  // namespace

int RunIncidents(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kIncidentsUsage, args.empty() ? stderr : stdout);
    return args.empty() ? kExitUsage : kExitOk;
  }
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "list") return List(rest);
  if (args[0] == "show") return Show(rest);
  if (int code = RunTriage(args[0], rest); code != kNotATriageCommand) return code;
  return Fail("incidents",
              "unknown subcommand \"" + args[0] +
                  "\" (list, show, update, assign, tag, note, merge, split, close, timeline, "
                  "report, export, campaigns)",
              kExitUsage);
}

}  // namespace beffroi::cli
