// `beffroi incidents timeline|report|export|campaigns` and `beffroi audit verify`: reading
// incidents out, for the responder, the mayor, the police and CERTs.
#include "analyzer/report/report.h"

#include <boost/program_options.hpp>
#include <cstdlib>
#include <iostream>

#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"
#include "analyzer/cli/incident_args.h"
#include "analyzer/cli/parse.h"
#include "analyzer/cli/playbook_report.h"
#include "common/fs.h"
#include "common/text.h"

namespace po = boost::program_options;

namespace beffroi::cli {

namespace {

// The organisation named in reports: --org, else $BEFFROI_ORG.
std::string Organisation(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv("BEFFROI_ORG");
  return env != nullptr ? env : "";
}

std::optional<int> ParseOne(const Args& args, po::options_description& desc, EngineFlags& flags,
                            const char* command, const char* example, po::variables_map& vm,
                            std::int64_t& id) {
  AddDbFlag(desc, flags);
  std::vector<std::string> positional;
  if (auto code = ParseCommand(args, desc, "id", 1, &positional, command, vm)) return code;
  if (vm.count("help")) {
    std::cout << desc << "\nExample:\n  " << example << "\n";
    return kExitOk;
  }
  auto parsed = positional.size() == 1 ? ParseId(positional[0]) : std::nullopt;
  if (!parsed) {
    return Fail(command, std::string("give the incident number, e.g. `") + example + "`",
                kExitUsage);
  }
  id = *parsed;
  return std::nullopt;
}

// Standard output, or FILE written whole (a reader never sees half a report).
int Emit(const char* command, const std::string& out_path, const std::string& text) {
  if (out_path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  if (auto s = WriteFileAtomic(out_path, text); !s.ok()) return Fail(command, s.error().message);
  std::fprintf(stderr, "beffroi: %s: wrote %s\n", command, out_path.c_str());
  return kExitOk;
}

int Timeline(const Args& args) {
  EngineFlags flags;
  bool json = false;
  po::options_description desc("beffroi incidents timeline N [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON");
  po::variables_map vm;
  std::int64_t id = 0;
  if (auto code = ParseOne(args, desc, flags, "incidents timeline", "beffroi incidents timeline 3",
                           vm, id)) {
    return *code;
  }
  auto store = OpenStore(flags, /*read_only=*/true);
  if (!store.ok()) return Fail("incidents timeline", store.error().message);
  auto timeline = (*store)->Timeline(id);
  if (!timeline.ok()) {
    return Fail("incidents timeline", timeline.error().message, StoreErrorExit(timeline.error()));
  }
  if (json) {
    std::cout << Dump(report::TimelineJson(*timeline), 2) << "\n";
    return kExitOk;
  }
  if (timeline->empty()) {
    std::printf("Nothing recorded for incident %lld.\n", static_cast<long long>(id));
    return kExitOk;
  }
  std::printf("Incident %lld: first observation %s, last %s\n", static_cast<long long>(id),
              timeline->front().at.c_str(), timeline->back().at.c_str());
  for (const store::TimelineEntry& e : *timeline) {
    std::string who = e.kind == "action" ? e.actor : "analyzer";
    std::string what = e.kind == "action"
                           ? report::DescribeAction(e.action, e.summary)
                           : e.kind + " #" + std::to_string(e.detection_id.value_or(0)) + " " +
                                 e.action + ": " + e.summary;
    std::string where =
        e.incident_id != id ? " [incident " + std::to_string(e.incident_id) + "]" : "";
    std::printf("  %s  %-20s %s%s\n", e.at.c_str(), who.c_str(), what.c_str(), where.c_str());
  }
  return kExitOk;
}

int ReportOrExport(const Args& args, bool is_report) {
  const char* command = is_report ? "incidents report" : "incidents export";
  EngineFlags flags;
  std::string format, out, org;
  po::options_description desc(is_report ? "beffroi incidents report N --format md|html [options]"
                                         : "beffroi incidents export N --format csv|json|stix|misp "
                                           "[options]");
  desc.add_options()("help,h", "show this help")(
      "format", po::value(&format),
      is_report ? "md (Markdown) or html (one self-contained page, printable)"
                : "csv, json, stix (STIX 2.1 bundle) or misp (MISP event JSON)")(
      "out", po::value(&out), "write to FILE instead of standard output")(
      "org", po::value(&org), "the organisation reporting (default: $BEFFROI_ORG)");
  std::string playbooks_dir, now_text;
  if (is_report) {
    desc.add_options()("playbooks", po::value(&playbooks_dir),
                       "folder of playbooks (default: the bundled playbooks/)")(
        "now", po::value(&now_text),
        "show the legal clocks as they stand at this time (exercises, tests); default: now");
  }
  po::variables_map vm;
  std::int64_t id = 0;
  if (auto code = ParseOne(args, desc, flags, command,
                           is_report ? "beffroi incidents report 3 --format html --out "
                                       "incident-3.html --org \"Ville de Liège\""
                                     : "beffroi incidents export 3 --format stix --out "
                                       "incident-3.stix.json",
                           vm, id)) {
    return *code;
  }
  using Render = std::string (*)(const report::ReportData&);
  Render render = nullptr;
  if (is_report) {
    if (format == "md" || format == "markdown") render = report::RenderMarkdown;
    if (format == "html") render = report::RenderHtml;
  } else {
    if (format == "csv") render = report::ExportCsv;
    if (format == "json") render = report::ExportJson;
    if (format == "stix") render = report::ExportStix;
    if (format == "misp") render = report::ExportMisp;
  }
  if (render == nullptr) {
    return Fail(command,
                "--format: " + std::string(is_report ? "md or html" : "csv, json, stix or misp") +
                    (format.empty() ? " (required)" : ", not \"" + format + "\""),
                kExitUsage);
  }
  auto store = OpenStore(flags, /*read_only=*/true);
  if (!store.ok()) return Fail(command, store.error().message);
  auto data = report::GatherReport(**store, id, Organisation(org), WhoIs(flags));
  if (!data.ok()) return Fail(command, data.error().message, StoreErrorExit(data.error()));
  if (is_report) {
    std::int64_t now_ns = NowUnixNs();
    if (!now_text.empty()) {
      auto at = ParseDateOrAge(now_text, now_ns);
      if (!at || now_text.size() < 10)
        return Fail(command, "--now: a date and time, e.g. 2021-06-22T09:00:00Z", kExitUsage);
      now_ns = *at;
    }
    playbook::Catalog catalog = LoadResponseCatalog(playbooks_dir);
    auto response = LoadIncidentResponse(**store, id, now_ns, catalog);
    if (!response.ok()) return Fail(command, response.error().message);
    data->playbook = ResponseSections(*response);
  }
  return Emit(command, out, render(*data));
}

int Campaigns(const Args& args) {
  EngineFlags flags;
  bool json = false;
  po::options_description desc("beffroi incidents campaigns [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON");
  AddDbFlag(desc, flags);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "", 0, nullptr, "incidents campaigns", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc
              << "\nIncidents on several hosts that share a file hash or a network "
                 "indicator.\nExample:\n  beffroi incidents campaigns\n";
    return kExitOk;
  }
  auto store = OpenStore(flags, /*read_only=*/true);
  if (!store.ok()) return Fail("incidents campaigns", store.error().message);
  auto campaigns = (*store)->ListCampaigns();
  if (!campaigns.ok()) return Fail("incidents campaigns", campaigns.error().message);
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const store::CampaignRow& c : *campaigns) {
      nlohmann::json indicators = nlohmann::json::parse(c.indicators_json, nullptr, false);
      out.push_back(
          {{"id", c.id},
           {"title", c.title},
           {"severity", c.severity},
           {"max_score", c.max_score},
           {"hosts", c.hosts},
           {"incidents", c.incidents},
           {"first_seen", c.first_seen},
           {"last_seen", c.last_seen},
           {"indicators", indicators.is_discarded() ? nlohmann::json::array() : indicators}});
    }
    std::cout << Dump(out, 2) << "\n";
    return kExitOk;
  }
  if (campaigns->empty()) {
    std::printf("No campaigns.\n");
    return kExitOk;
  }
  std::printf("%5s  %-8s  %5s  %-20s  %-24s  %s\n", "ID", "SEVERITY", "HOSTS", "LAST SEEN",
              "INCIDENTS", "TITLE");
  for (const store::CampaignRow& c : *campaigns) {
    std::string ids;
    for (std::int64_t i : c.incidents)
      ids += (ids.empty() ? "" : ",") + std::to_string(i);
    std::printf("%5lld  %-8s  %5zu  %-20s  %-24s  %s\n", static_cast<long long>(c.id),
                c.severity.c_str(), c.hosts.size(), c.last_seen.substr(0, 19).c_str(), ids.c_str(),
                c.title.c_str());
  }
  return kExitOk;
}

}  // namespace

int RunReportCommand(const std::string& subcommand, const Args& args) {
  if (subcommand == "timeline") return Timeline(args);
  if (subcommand == "report") return ReportOrExport(args, true);
  if (subcommand == "export") return ReportOrExport(args, false);
  if (subcommand == "campaigns") return Campaigns(args);
  return kNotATriageCommand;
}

int RunAudit(const Args& args) {
  EngineFlags flags;
  bool json = false;
  po::options_description desc("beffroi audit verify [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON");
  AddDbFlag(desc, flags);
  std::vector<std::string> positional;
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "command", 1, &positional, "audit", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc
              << "\nChecks that no audit entry was changed or removed (hash chain and ids).\n"
                 "Exit codes: 0 intact, 4 broken, 1 database error.\n"
                 "Example:\n  beffroi audit verify --db /var/lib/beffroi/beffroi.db\n";
    return kExitOk;
  }
  if (positional.size() != 1 || positional[0] != "verify") {
    return Fail("audit", "usage: beffroi audit verify [--db FILE] [--json]", kExitUsage);
  }
  auto store = OpenStore(flags, /*read_only=*/true);
  if (!store.ok()) return Fail("audit verify", store.error().message);
  auto check = (*store)->VerifyAudit();
  if (!check.ok()) return Fail("audit verify", check.error().message);
  bool intact = !check->bad_entry;
  if (json) {
    nlohmann::json out = {
        {"intact", intact}, {"entries", check->entries}, {"chained", check->chained}};
    if (!intact) {
      out["bad_entry"] = *check->bad_entry;
      out["problem"] = check->problem;
    }
    std::cout << Dump(out, 2) << "\n";
  } else if (intact) {
    std::printf("audit log intact: %lld entries, %lld in the hash chain\n",
                static_cast<long long>(check->entries), static_cast<long long>(check->chained));
  } else {
    std::printf("audit log BROKEN at entry %lld: %s\n", static_cast<long long>(*check->bad_entry),
                check->problem.c_str());
  }
  return intact ? kExitOk : kExitVerifyFailed;
}

}  // namespace beffroi::cli
