// CheckRules: the `beffroi rules check` linter for rule files.
//
// Compiles each file on its own (so that every file's errors are reported, not only the
// first failing file's) with the same externals and include policy as RuleSet::Load, and
// reports:
//   errors    compiler errors, "FILE:LINE: message";
//   warnings  compiler warnings (slow strings, ...); each public rule missing one of the
//             meta fields description, author, date or score; a score outside 0..100 or not
//             a number; a date that is not YYYY-MM-DD; each public rule that matches an empty
//             file (scanned with empty externals): such a rule fires on every file.
// Rule lines come from the source text (the first "rule NAME" declaration). Needs a live
// YaraLibrary; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "analyzer/yara/diagnostic.h"
#include "common/result.h"

namespace beffroi::yara {

// Meta fields every rule should carry (signature-base's style guide makes more mandatory;
// these are the ones Beffroi's reports and scoring read).
inline constexpr const char* kRequiredMeta[] = {"description", "author", "date", "score"};

struct CheckReport {
  std::vector<Diagnostic> diagnostics;  // by file, then line

  std::size_t errors() const;
  std::size_t warnings() const;
};

// Errors (as opposed to findings in the report): a path that does not exist, no rule file,
// an unreadable file, no live YaraLibrary.
Result<CheckReport> CheckRules(const std::vector<std::string>& paths);

// The 1-based line of the first "rule NAME" declaration in `source` (after optional
// "private" / "global"), or 0.
int FindRuleLine(std::string_view source, std::string_view name);

}  // namespace beffroi::yara
