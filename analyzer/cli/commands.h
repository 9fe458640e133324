// The `beffroi` subcommands. Each takes its arguments (without the command name) and the
// whole command line (for the audit log) and returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace beffroi::cli {

using Args = std::vector<std::string>;
struct EngineFlags;

int RunScan(const Args& args, const Args& argv_all);
int RunAnalyze(const Args& args, const Args& argv_all);
int RunPcap(const Args& args, const Args& argv_all);
// The body of `analyze` once its options are checked (also used by `pcap`).
int AnalyzeBundles(const EngineFlags& flags, const std::vector<std::string>& bundles,
                   double window_hours, bool json, const Args& argv_all);
int RunIncidents(const Args& args);
int RunRules(const Args& args);
int RunPlaybook(const Args& args, const Args& argv_all);
int RunExercise(const Args& args, const Args& argv_all);
// `playbook run` (playbook_run.cc), given the catalog folder chosen by `playbook`.
int RunPlaybookRun(const Args& args);

}  // namespace beffroi::cli
