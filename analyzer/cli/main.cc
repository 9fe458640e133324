// beffroi: the analyzer. Exit codes: 0 ok/clean, 1 runtime error, 2 usage error (or a rule
// that does not compile, or a refused incident change), 3 detections found, 4 a bundle or the
// audit log failed verification, 5 an incident changed since --expect-version.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"

namespace {

constexpr const char* kHelp =
    R"(beffroi: find ransomware and intrusions on a city's servers, and keep the evidence.

Usage:
  beffroi scan PATH... [options]        scan files with YARA rules and IOC lists into ./beffroi.db
  beffroi analyze BUNDLE... [options]   verify and analyze bundles from beffroi-host/-net
  beffroi pcap FILE... [options]        read captures and analyze them in one go
  beffroi incidents list [options]      incidents found so far
  beffroi incidents show N [options]    one incident: detections, reasons, audit log
  beffroi incidents update|assign|tag|note|merge|split|close N ...
                                        triage: status, assignee, tags, notes, merge, split
  beffroi incidents timeline|report|export N ...
                                        timeline, printable report (md, html), exports
                                        (csv, json, stix, misp)
  beffroi incidents campaigns           incidents on several hosts that share an indicator
  beffroi audit verify                  check that the audit log was not changed
  beffroi rules check [PATH...]         compile and lint YARA rules
  beffroi ioc import PATH... [options]  import a MISP, STIX 2.1, Loki/THOR or CSV feed, retro-hunt
  beffroi ioc list | remove FEED        feeds imported so far; stop matching one
  beffroi search --hash H|--domain D|--ip IP[/LEN]|--url U|--ja3 J|--user-agent UA
                                        which hosts saw it, and when
  beffroi playbook list|show|lint|run   response playbooks: what to do next, and proof of it
  beffroi exercise list|show|lint|run|report
                                        tabletop exercises on the real tools and playbooks
  beffroi --version

Run `beffroi COMMAND --help` for the options of a command.
Exit codes: 0 ok (scan/analyze: nothing found), 1 runtime error, 2 usage error, bad rules or
playbooks or scenarios (or a refused incident change or playbook request), 3 detections
found (scan/analyze/pcap; ioc import: its retro-hunt), 4 a bundle or the audit log failed
verification, 5 the incident changed since --expect-version.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace beffroi::cli;
  Args all(argv, argv + argc);
  if (argc < 2) {
    std::fputs(kHelp, stderr);
    return kExitUsage;
  }
  std::string cmd = argv[1];
  Args rest(all.begin() + 2, all.end());
  try {
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::fputs(kHelp, stdout);
      return kExitOk;
    }
    if (cmd == "--version") {
      std::printf("beffroi %s\n", BEFFROI_VERSION);
      return kExitOk;
    }
    if (cmd == "scan") return RunScan(rest, all);
    if (cmd == "analyze") return RunAnalyze(rest, all);
    if (cmd == "pcap") return RunPcap(rest, all);
    if (cmd == "incidents") return RunIncidents(rest);
    if (cmd == "rules") return RunRules(rest);
    if (cmd == "ioc") return RunIoc(rest, all);
    if (cmd == "search") return RunSearch(rest);
    if (cmd == "playbook") return RunPlaybook(rest, all);
    if (cmd == "audit") return RunAudit(rest);
    if (cmd == "exercise") return RunExercise(rest, all);
  } catch (const std::exception& e) {
    return Fail(cmd, std::string("internal error: ") + e.what());
  }
  return Fail(cmd, "unknown command (see beffroi --help)", kExitUsage);
}
