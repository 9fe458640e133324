// beffroi: the analyzer. Exit codes: 0 ok/clean, 1 runtime error, 2 usage error (or a rule
// that does not compile), 3 detections found, 4 a bundle failed verification.
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
  beffroi rules check [PATH...]         compile and lint YARA rules
  beffroi playbook list|show|lint|run   response playbooks: what to do next, and proof of it
  beffroi exercise list|show|lint|run|report
                                        tabletop exercises on the real tools and playbooks
  beffroi --version

Run `beffroi COMMAND --help` for the options of a command.
Exit codes: 0 ok (scan/analyze: nothing found), 1 runtime error, 2 usage error, bad rules or
playbooks or scenarios (or a request a playbook run refuses),
3 detections found, 4 a bundle failed verification.
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
    if (cmd == "playbook") return RunPlaybook(rest, all);
    if (cmd == "exercise") return RunExercise(rest, all);
  } catch (const std::exception& e) {
    return Fail(cmd, std::string("internal error: ") + e.what());
  }
  return Fail(cmd, "unknown command (see beffroi --help)", kExitUsage);
}
