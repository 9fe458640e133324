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
// `incidents update|assign|tag|note|merge|split|close|timeline|report|export|campaigns`;
// kNotATriageCommand for any other subcommand.
inline constexpr int kNotATriageCommand = -1;
int RunTriage(const std::string& subcommand, const Args& args);
// `beffroi audit verify`: checks the audit log's hash chain.
int RunAudit(const Args& args);
int RunRules(const Args& args);
// `beffroi ioc import|list|remove` (ioc.cc) and `beffroi search` (search.cc).
int RunIoc(const Args& args, const Args& argv_all);
int RunSearch(const Args& args);
int RunPlaybook(const Args& args, const Args& argv_all);
int RunExercise(const Args& args, const Args& argv_all);
// `playbook run` (playbook_run.cc), given the catalog folder chosen by `playbook`.
int RunPlaybookRun(const Args& args);

}  // namespace beffroi::cli
