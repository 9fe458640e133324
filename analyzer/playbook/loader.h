// Loading playbooks: bytes -> JSON (syntax errors with their line) -> Lint -> Playbook.
//
// A playbook with any lint error is refused: LoadResult then has no playbook and lists every
// fault; warnings come back beside a loaded playbook. Files are read with a size bound
// (kMaxPlaybookBytes). Pure functions apart from reading the file; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/playbook/lint.h"
#include "analyzer/playbook/playbook.h"

namespace beffroi::playbook {

struct LoadResult {
  std::optional<Playbook> playbook;  // set only when there is no error
  std::vector<Diagnostic> diagnostics;
};

// `source` is the file name used in diagnostics and kept in Playbook::source.
LoadResult LoadPlaybook(std::string_view text, const std::string& source);
LoadResult LoadPlaybookFile(const std::string& path);

// The variable an if/while condition tests for true, for conditions of the form
// "__name__:value = 'true'" (the shape the CACAO specification uses); "" otherwise.
std::string ConditionVariable(std::string_view condition);

}  // namespace beffroi::playbook
