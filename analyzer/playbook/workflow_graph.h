// The workflow of a playbook as a graph, and the rules the CACAO schemas cannot express:
// every step reachable from workflow_start, no cycles, and the workflow and every branch
// (if/while/switch/parallel) ending at end steps of their own. Lint builds the graph while
// it checks each step; this part of the linter is not part of the library's API.
// Pure function; thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "analyzer/playbook/lint.h"
#include "analyzer/playbook/playbook.h"

namespace beffroi::playbook {

struct WorkflowGraph {
  std::vector<std::string> steps;         // every workflow key
  std::map<std::string, StepType> types;  // steps whose type is known
  // Sequential edges (on_completion/on_success/on_failure) and branch heads (on_true,
  // on_false, cases, next_steps), each pointing at existing steps only.
  std::map<std::string, std::vector<std::string>> seq, branches;
  std::set<std::string> dangling;  // steps with a reference to a missing step (reported)
};

// Appends a Diagnostic per fault, naming the step.
void CheckWorkflowGraph(const WorkflowGraph& graph, const std::string& start,
                        std::vector<Diagnostic>& out);

}  // namespace beffroi::playbook
