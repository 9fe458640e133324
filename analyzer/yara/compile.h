// Compiling rule sources with libyara, and reading rule metadata out of compiled rules.
//
// Internal to analyzer/yara. Every compile declares the Loki/THOR externals (externals.h)
// with empty defaults and refuses `include` directives: a rule set is exactly the files that
// were listed, so its key (sources.h) covers everything that went into it, and a rule file
// cannot make the analyzer read other files. libyara's compiler cannot continue after an
// error, so each file after a failing one is compiled on its own, only to report its errors
// too. Thread-safe (each call uses its own compiler).
#pragma once

#include <string>
#include <vector>

#include "analyzer/yara/diagnostic.h"
#include "analyzer/yara/handles.h"
#include "analyzer/yara/rule_info.h"
#include "analyzer/yara/sources.h"
#include "common/result.h"

namespace beffroi::yara {

struct CompileOutput {
  YrRulesPtr rules;                     // null when any source had an error
  std::vector<Diagnostic> diagnostics;  // errors and compiler warnings, in source order
  bool ok() const { return rules != nullptr; }
};

CompileOutput CompileSources(const std::vector<RuleSource>& sources);

// One entry per rule, indexed like libyara's rules table (rule - rules->rules_table).
std::vector<RuleInfo> ExtractRuleInfos(YR_RULES* rules);

// "FILE:LINE: message" lines, one per error diagnostic, joined with '\n'.
std::string JoinErrors(const std::vector<Diagnostic>& diagnostics);

}  // namespace beffroi::yara
