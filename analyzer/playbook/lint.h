// Lint: the structural rules a playbook must follow before Beffroi runs it, checked on the
// parsed JSON so that every fault can name its step.
//
// It carries the parts of the CACAO 2.0 schemas that matter for running a playbook (required
// properties, identifier and timestamp shapes, step types and their properties, references
// to steps, agents, targets and extensions) plus the workflow rules the schemas cannot
// express: every step reachable from workflow_start, every branch (if/while/switch/parallel)
// ending at an end step of its own, no cycles, and Beffroi's extension well-formed. Faults
// come back in document order as data; nothing is thrown. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace beffroi::playbook {

struct Diagnostic {
  std::string where;     // step id, "playbook", an agent or extension key; "" for the file
  std::string message;   // what is wrong, in one line
  std::size_t line = 0;  // 1-based line in the file when known (JSON syntax errors)
  bool warning = false;  // warnings do not stop a playbook from loading
};

// "FILE:LINE: message", "FILE: WHERE: message" or "FILE: message".
std::string FormatDiagnostic(const std::string& file, const Diagnostic& d);
bool HasErrors(const std::vector<Diagnostic>& diagnostics);

// Every fault of `doc`, which should be a CACAO 2.0 playbook object.
std::vector<Diagnostic> Lint(const nlohmann::json& doc);

// True for "TYPE--UUID" with the UUID shape the CACAO schemas require (version 1-5,
// variant 8/9/a/b); `type` "" accepts any lower-case type prefix.
bool IsIdentifier(std::string_view id, std::string_view type = "");
// RFC 3339 UTC with a "Z", as the CACAO timestamp schema requires.
bool IsTimestamp(std::string_view text);

}  // namespace beffroi::playbook
