// The `beffroi` subcommands. Each takes its arguments (without the command name) and the
// whole command line (for the audit log) and returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace beffroi::cli {

using Args = std::vector<std::string>;

int RunScan(const Args& args, const Args& argv_all);
int RunAnalyze(const Args& args, const Args& argv_all);
int RunIncidents(const Args& args);
int RunRules(const Args& args);

}  // namespace beffroi::cli
