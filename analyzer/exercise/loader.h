// Loading and linting scenarios: bytes -> JSON (syntax errors with their line) -> structural
// checks (every fault names its item: "i07: injects out of time order ...") -> Scenario.
//
// A scenario with any error is refused; LoadResult then lists every fault. Links to playbook
// steps are checked separately by LintSteps against a StepIndex the caller builds from the
// playbook catalog, so this library depends on common/ only. Pure functions apart from
// reading the file; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/exercise/scenario.h"

namespace beffroi::exercise {

struct Diagnostic {
  std::string where;     // item id ("i07", "act-isolate"), a list name, or "" for the file
  std::string message;   // one line
  std::size_t line = 0;  // 1-based, for JSON syntax errors
  bool warning = false;
};

// "FILE:LINE: message", "FILE: WHERE: message" or "FILE: message".
std::string FormatDiagnostic(const std::string& file, const Diagnostic& d);
bool HasErrors(const std::vector<Diagnostic>& diagnostics);

struct LoadResult {
  std::optional<Scenario> scenario;  // set only when there is no error
  std::vector<Diagnostic> diagnostics;
};

LoadResult LoadScenario(std::string_view text, const std::string& source);
LoadResult LoadScenarioFile(const std::string& path);

// What the bundled playbooks offer: short name (and aliases) -> step ref -> the legal clock
// the step satisfies ("" for none).
struct StepIndex {
  std::map<std::string, std::map<std::string, std::string>, std::less<>> playbooks;
};

// Faults in the links from expected actions to playbook steps: an unknown playbook or step.
std::vector<Diagnostic> LintSteps(const Scenario& scenario, const StepIndex& index);

}  // namespace beffroi::exercise
