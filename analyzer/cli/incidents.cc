// `beffroi incidents list|show N`: what the analyzer found, grouped per host and threat.
#include <boost/program_options.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"
#include "analyzer/cli/parse.h"
#include "analyzer/cli/playbook_report.h"
#include "common/text.h"

namespace po = boost::program_options;

namespace beffroi::cli {

namespace {

nlohmann::json ParsedOr(const std::string& text, nlohmann::json fallback) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

nlohmann::json IncidentJson(const store::IncidentRow& i) {
  return {{"id", i.id},
          {"title", i.title},
          {"host", i.host_name},
          {"status", i.status},
          {"severity", i.severity},
          {"score", i.score},
          {"threat_key", i.threat_key},
          {"first_seen", i.first_seen},
          {"last_seen", i.last_seen},
          {"created_at", i.created_at},
          {"updated_at", i.updated_at},
          {"techniques", ParsedOr(i.techniques_json, nlohmann::json::array())},
          {"playbook", i.playbook.value_or("")},
          {"detections", i.detection_count}};
}

int List(const Args& args) {
  EngineFlags flags;
  store::IncidentFilter filter;
  std::string status, severity, host;
  bool json = false;
  po::options_description desc("beffroi incidents list [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON")(
      "status", po::value(&status), "only this status (new, triaged, contained, ...)")(
      "severity", po::value(&severity), "at least this severity (low, medium, high, critical)")(
      "host", po::value(&host), "only this host");
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
      out.push_back(IncidentJson(i));
    std::cout << Dump(out, 2) << "\n";
    return kExitOk;
  }
  if (rows->empty()) {
    std::printf("No incidents.\n");
    return kExitOk;
  }
  std::printf("%5s  %-8s  %-10s  %-20s  %5s  %s\n", "ID", "SEVERITY", "STATUS", "LAST SEEN", "DET.",
              "TITLE");
  for (const auto& i : *rows) {
    std::printf("%5lld  %-8s  %-10s  %-20s  %5lld  %s\n", static_cast<long long>(i.id),
                i.severity.c_str(), i.status.c_str(), i.last_seen.substr(0, 19).c_str(),
                static_cast<long long>(i.detection_count), i.title.c_str());
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
  std::int64_t id = 0;
  if (ids.size() != 1 || (id = std::atoll(ids[0].c_str())) <= 0) {
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
  nlohmann::json out = IncidentJson(d.incident);
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
         {"description", det.description},
         {"techniques", ParsedOr(det.techniques_json, nlohmann::json::array())},
         {"reasons", ParsedOr(det.reasons_json, nlohmann::json::object())}});
  }
  out["audit"] = nlohmann::json::array();
  if (audit.ok()) {
    for (const auto& a : *audit) {
      out["audit"].push_back({{"at", a.at},
                              {"actor", a.actor},
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
    if (!det.description.empty()) std::printf("        %s\n", det.description.c_str());
  }
  std::printf("\n%s", RenderResponse(*response, SectionFormat::kText).c_str());
  if (!out["audit"].empty()) {
    std::printf("\nAudit log:\n");
    for (const auto& a : out["audit"]) {
      std::printf("  %s  %-10s %s\n", a["at"].get<std::string>().c_str(),
                  a["actor"].get<std::string>().c_str(), a["action"].get<std::string>().c_str());
    }
  }
  return kExitOk;
}

}  // namespace

int RunIncidents(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::printf(
        "Usage:\n  beffroi incidents list [--status S] [--severity S] [--host H] [--json] [--db "
        "FILE]\n"
        "  beffroi incidents show N [--json] [--db FILE] [--playbooks DIR] [--now TIME]\n");
    return args.empty() ? kExitUsage : kExitOk;
  }
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "list") return List(rest);
  if (args[0] == "show") return Show(rest);
  return Fail("incidents", "unknown subcommand \"" + args[0] + "\" (list, show)", kExitUsage);
}

}  // namespace beffroi::cli
