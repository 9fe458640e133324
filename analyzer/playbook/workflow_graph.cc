#include "analyzer/playbook/workflow_graph.h"

#include <functional>

namespace beffroi::playbook {

namespace {

class GraphChecker {
 public:
  GraphChecker(const WorkflowGraph& g, std::vector<Diagnostic>& out) : g_(g), out_(out) {}

  // Successors of a step: sequential ones (on_completion/on_success/on_failure) and branch
  // heads (on_true/on_false/cases/next_steps).
  std::vector<std::string> All(const std::string& id) const {
    std::vector<std::string> out;
    if (auto it = g_.seq.find(id); it != g_.seq.end()) out = it->second;
    if (auto it = g_.branches.find(id); it != g_.branches.end())
      out.insert(out.end(), it->second.begin(), it->second.end());
    return out;
  }

  void Run(const std::string& start) {
    // Reachability.
    std::set<std::string> seen{start};
    std::vector<std::string> todo{start};
    while (!todo.empty()) {
      std::string id = todo.back();
      todo.pop_back();
      for (const std::string& next : All(id)) {
        if (seen.insert(next).second) todo.push_back(next);
      }
    }
    for (const std::string& id : g_.steps) {
      if (!seen.count(id)) Error(id, "not reachable from workflow_start");
    }
    // Cycles: CACAO repeats work with while-condition branches, never by pointing back.
    std::map<std::string, int> color;  // 0 new, 1 on the stack, 2 done
    std::function<void(const std::string&)> dfs = [&](const std::string& id) {
      color[id] = 1;
      for (const std::string& next : All(id)) {
        if (color[next] == 1) {
          Error(id, "leads back to " + next +
                        ": the workflow has a cycle (repeat work with a "
                        "while-condition step instead)");
          cyclic_ = true;
        } else if (color[next] == 0) {
          dfs(next);
        }
      }
      color[id] = 2;
    };
    // Iterative depth would be nicer, but kMaxSteps bounds the recursion.
    dfs(start);
    if (cyclic_) return;  // termination below assumes an acyclic graph
    // Every context (the main workflow and each branch) must end at end steps of its own.
    CheckContext(start, "the workflow");
    for (const auto& [from, heads] : g_.branches) {
      if (!seen.count(from)) continue;
      for (const std::string& head : heads)
        CheckContext(head, "the branch " + head + " of " + from);
    }
  }

  // Whether the context starting at `head` always finishes: every sequential path reaches
  // an end step, or a control step without on_completion (the context ends with it).
  void CheckContext(const std::string& head, const std::string& what) {
    std::set<std::string> visited;
    std::vector<std::string> todo{head};
    while (!todo.empty()) {
      std::string id = todo.back();
      todo.pop_back();
      if (!visited.insert(id).second) continue;
      auto type = g_.types.find(id);
      if (type == g_.types.end()) continue;  // already reported as malformed
      if (type->second == StepType::kEnd) {
        auto [it, fresh] = end_owner_.emplace(id, what);
        if (!fresh && it->second != what)
          Error(id, "end step shared by " + it->second + " and " + what +
                        "; each branch needs an end step of its own");
        continue;
      }
      auto next = g_.seq.find(id);
      bool control =
          type->second == StepType::kIfCondition || type->second == StepType::kWhileCondition ||
          type->second == StepType::kSwitchCondition || type->second == StepType::kParallel;
      if (next == g_.seq.end() || next->second.empty()) {
        if (!control && !g_.dangling.count(id))
          Error(id, "is not an end step and has no next step: " + what + " never ends");
        continue;
      }
      for (const std::string& n : next->second)
        todo.push_back(n);
    }
  }

 private:
  void Error(const std::string& where, std::string message) {
    out_.push_back({where, std::move(message), 0, false});
  }

  const WorkflowGraph& g_;
  std::vector<Diagnostic>& out_;
  std::map<std::string, std::string> end_owner_;  // end step -> the context it ends
  bool cyclic_ = false;
};

}  // namespace

void CheckWorkflowGraph(const WorkflowGraph& graph, const std::string& start,
                        std::vector<Diagnostic>& out) {
  GraphChecker(graph, out).Run(start);
}

}  // namespace beffroi::playbook
