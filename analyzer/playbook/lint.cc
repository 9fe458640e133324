#include "analyzer/playbook/lint.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "analyzer/playbook/deadlines.h"
#include "analyzer/playbook/playbook.h"
#include "analyzer/playbook/workflow_graph.h"

namespace beffroi::playbook {

namespace {

using nlohmann::json;

constexpr std::string_view kCommandTypes[] = {"manual",     "bash",    "caldera-cmd", "elastic",
                                              "http-api",   "jupyter", "kestrel",     "openc2-http",
                                              "powershell", "sigma",   "ssh",         "yara"};
constexpr std::string_view kAgentTypes[] = {
    "group",    "individual", "location",    "organization",      "sector",
    "http-api", "linux",      "net-address", "security-category", "ssh"};
// Beffroi's extension on a step: these properties and no others.
constexpr std::string_view kStepExtensionKeys[] = {"ref",       "phase",    "roles",      "why",
                                                   "checklist", "question", "legal_clock"};
constexpr std::string_view kPlaybookExtensionKeys[] = {"short_name", "aliases", "attack_techniques",
                                                       "legal_clocks"};

bool IsRefName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

template <std::size_t N>
bool OneOf(std::string_view s, const std::string_view (&list)[N]) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

class Linter {
 public:
  explicit Linter(const json& doc) : doc_(doc) {}

  std::vector<Diagnostic> Run() {
    if (!doc_.is_object()) {
      Error("", "not a CACAO playbook: the top level is not a JSON object");
      return std::move(out_);
    }
    if (!CheckHeader()) return std::move(out_);
    CheckDefinitions();
    CheckWorkflow();
    return std::move(out_);
  }

 private:
  void Error(const std::string& where, std::string message) {
    out_.push_back({where, std::move(message), 0, false});
  }
  void Warn(const std::string& where, std::string message) {
    out_.push_back({where, std::move(message), 0, true});
  }

  const json* Member(const json& obj, const char* key) const {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }
  // A string member: nullptr when absent (and an error when `required`) or not a string.
  const std::string* String(const json& obj, const char* key, const std::string& where,
                            bool required) {
    const json* v = Member(obj, key);
    if (v == nullptr) {
      if (required) Error(where, std::string("missing required property \"") + key + "\"");
      return nullptr;
    }
    if (!v->is_string()) {
      Error(where, std::string("\"") + key + "\" must be a string");
      return nullptr;
    }
    return v->get_ptr<const std::string*>();
  }

  // False when the document is not a CACAO 2.0 playbook at all: nothing else is checked then.
  bool CheckHeader() {
    const std::string* type = String(doc_, "type", "playbook", false);
    const std::string* spec = String(doc_, "spec_version", "playbook", false);
    if (type == nullptr || *type != "playbook") {
      Error("playbook", "not a CACAO playbook: \"type\" must be \"playbook\"");
      return false;
    }
    if (spec == nullptr || *spec != "cacao-2.0") {
      Error("playbook", "not a CACAO 2.0 playbook: \"spec_version\" must be \"cacao-2.0\"" +
                            std::string(spec ? " (found \"" + *spec + "\")" : ""));
      return false;
    }
    if (const std::string* id = String(doc_, "id", "playbook", true);
        id && !IsIdentifier(*id, "playbook"))
      Error("playbook", "\"id\" must be \"playbook--\" followed by a UUID");
    String(doc_, "name", "playbook", true);
    if (const std::string* by = String(doc_, "created_by", "playbook", true);
        by && !IsIdentifier(*by, "identity"))
      Error("playbook", "\"created_by\" must be a STIX identity id (\"identity--UUID\")");
    for (const char* key : {"created", "modified", "valid_from", "valid_until"}) {
      bool required = std::string_view(key) == "created" || std::string_view(key) == "modified";
      if (const std::string* t = String(doc_, key, "playbook", required); t && !IsTimestamp(*t))
        Error("playbook",
              std::string("\"") + key + "\" must be an RFC 3339 UTC timestamp ending in Z");
    }
    for (const char* key : {"priority", "severity", "impact"}) {
      const json* v = Member(doc_, key);
      if (v && (!v->is_number_integer() || *v < 0 || *v > 100))
        Error("playbook", std::string("\"") + key + "\" must be an integer from 0 to 100");
    }
    workflow_ = Member(doc_, "workflow");
    if (workflow_ == nullptr || !workflow_->is_object() || workflow_->empty()) {
      Error("playbook", "missing required property \"workflow\" (an object of steps)");
      workflow_ = nullptr;
    } else if (workflow_->size() > kMaxSteps) {
      Error("playbook", "more than " + std::to_string(kMaxSteps) + " workflow steps");
      workflow_ = nullptr;
    }
    start_ = String(doc_, "workflow_start", "playbook", true);
    return workflow_ != nullptr;
  }

  void CheckDefinitions() {
    struct Dict {
      const char* key;
      std::set<std::string>* ids;
    };
    for (Dict d : {Dict{"agent_definitions", &agents_}, Dict{"target_definitions", &targets_}}) {
      const json* defs = Member(doc_, d.key);
      if (defs == nullptr) continue;
      if (!defs->is_object()) {
        Error("playbook", std::string("\"") + d.key + "\" must be an object");
        continue;
      }
      for (const auto& [id, def] : defs->items()) {
        d.ids->insert(id);
        if (!def.is_object()) {
          Error(id, "definition must be an object");
          continue;
        }
        const std::string* type = String(def, "type", id, true);
        String(def, "name", id, true);
        if (type && !OneOf(*type, kAgentTypes))
          Error(id, "unknown agent/target type \"" + *type + "\"");
        if (type && !IsIdentifier(id, *type))
          Error(id, "key must be \"" + *type + "--\" followed by a UUID");
      }
    }
    if (const json* defs = Member(doc_, "extension_definitions")) {
      if (!defs->is_object()) {
        Error("playbook", "\"extension_definitions\" must be an object");
      } else {
        for (const auto& [id, def] : defs->items()) {
          extensions_.insert(id);
          if (!IsIdentifier(id, "extension-definition"))
            Error(id, "key must be \"extension-definition--\" followed by a UUID");
          if (!def.is_object()) {
            Error(id, "definition must be an object");
            continue;
          }
          const std::string* type = String(def, "type", id, true);
          if (type && *type != "extension-definition")
            Error(id, "\"type\" must be \"extension-definition\"");
          for (const char* key : {"name", "schema", "version"})
            String(def, key, id, true);
          if (const std::string* by = String(def, "created_by", id, true);
              by && !IsIdentifier(*by, "identity"))
            Error(id, "\"created_by\" must be \"identity--UUID\"");
        }
      }
    }
    if (const json* ext = Member(doc_, "playbook_extensions")) {
      CheckExtensionUse(*ext, "playbook");
      if (ext->is_object() && ext->contains(kExtensionId))
        CheckPlaybookExtension((*ext)[std::string(kExtensionId)]);
    }
  }

  void CheckExtensionUse(const json& ext, const std::string& where) {
    if (!ext.is_object() || ext.empty()) {
      Error(where, "extensions must be a non-empty object keyed by extension-definition ids");
      return;
    }
    for (const auto& [id, value] : ext.items()) {
      if (!extensions_.count(id))
        Error(where, "extension " + id + " is not in extension_definitions");
      if (!value.is_object()) Error(where, "extension " + id + " must be an object");
    }
  }

  void CheckStringList(const json& v, const std::string& where, const char* key,
                       const std::function<void(const std::string&)>& each = nullptr) {
    if (!v.is_array()) {
      Error(where, std::string("extension \"") + key + "\" must be an array of strings");
      return;
    }
    for (const json& item : v) {
      if (!item.is_string()) {
        Error(where, std::string("extension \"") + key + "\" must be an array of strings");
        return;
      }
      if (each) each(item.get<std::string>());
    }
  }

  void CheckPlaybookExtension(const json& ext) {
    if (!ext.is_object()) return;
    for (const auto& [key, value] : ext.items()) {
      if (!OneOf(key, kPlaybookExtensionKeys)) {
        Error("playbook", "unknown property \"" + key + "\" in the Beffroi extension");
        continue;
      }
      if (key == "short_name") {
        if (!value.is_string() || !IsRefName(value.get<std::string>()))
          Error("playbook",
                "extension \"short_name\": lower-case letters, digits and '-', 1-64 characters");
      } else if (key == "aliases") {
        CheckStringList(value, "playbook", "aliases", [&](const std::string& a) {
          if (!IsRefName(a))
            Error("playbook", "alias \"" + a + "\": lower-case letters, digits and '-'");
        });
      } else if (key == "attack_techniques") {
        CheckStringList(value, "playbook", "attack_techniques");
      } else if (key == "legal_clocks") {
        CheckStringList(value, "playbook", "legal_clocks", [&](const std::string& c) {
          if (FindClock(c) == nullptr) Error("playbook", "unknown legal clock \"" + c + "\"");
        });
      }
    }
  }

  void CheckStepExtension(const std::string& id, const json& ext, bool decision) {
    if (!ext.is_object()) return;
    for (const auto& [key, value] : ext.items()) {
      if (!OneOf(key, kStepExtensionKeys)) {
        Error(id, "unknown property \"" + key + "\" in the Beffroi extension");
        continue;
      }
      if (key == "roles") {
        CheckStringList(value, id, "roles", [&](const std::string& r) {
          if (!agents_.count(r)) Error(id, "role " + r + " is not in agent_definitions");
        });
      } else if (key == "checklist") {
        CheckStringList(value, id, "checklist");
      } else if (!value.is_string()) {
        Error(id, "extension \"" + key + "\" must be a string");
      } else if (key == "ref") {
        std::string ref = value.get<std::string>();
        if (!IsRefName(ref)) {
          Error(id, "extension \"ref\": lower-case letters, digits and '-', 1-64 characters");
        } else if (auto [it, fresh] = refs_.emplace(ref, id); !fresh) {
          Error(id, "ref \"" + ref + "\" is already used by " + it->second);
        }
      } else if (key == "phase" && !OneOf(value.get<std::string>(), kPhases)) {
        Error(id, "unknown phase \"" + value.get<std::string>() +
                      "\" (preparation, identification, containment, eradication, recovery, "
                      "lessons-learned)");
      } else if (key == "legal_clock" && FindClock(value.get<std::string>()) == nullptr) {
        Error(id, "unknown legal clock \"" + value.get<std::string>() + "\"");
      } else if (key == "question" && !decision) {
        Warn(id, "a question only makes sense on a decision step");
      }
    }
  }

  // A step reference: must name a workflow step. Records the edge.
  void Ref(const std::string& from, const json& step, const char* key, bool branch) {
    const json* v = Member(step, key);
    if (v == nullptr) return;
    if (!v->is_string()) {
      Error(from, std::string("\"") + key + "\" must be a step id");
      return;
    }
    AddEdge(from, v->get<std::string>(), key, branch);
  }
  void AddEdge(const std::string& from, const std::string& to, const std::string& key,
               bool branch) {
    if (!workflow_->contains(to)) {
      Error(from,
            key + " refers to " + (to.empty() ? "\"\"" : to) + ", which is not a workflow step");
      graph_.dangling.insert(from);  // reported here; where it would lead is not a second fault
      return;
    }
    (branch ? graph_.branches : graph_.seq)[from].push_back(to);
  }

  void CheckStep(const std::string& id, const json& step) {
    if (!step.is_object()) {
      Error(id, "a workflow step must be an object");
      return;
    }
    const std::string* type_name = String(step, "type", id, true);
    if (type_name == nullptr) return;
    auto type = StepTypeFromName(*type_name);
    if (!type) {
      Error(id, "unknown step type \"" + *type_name + "\"");
      return;
    }
    graph_.types[id] = *type;
    if (!IsIdentifier(id, *type_name))
      Error(id, "step id must be \"" + *type_name + "--\" followed by a UUID");
    bool completion = step.contains("on_completion");
    bool success_failure = step.contains("on_success") || step.contains("on_failure");
    if (completion && success_failure)
      Error(id, "on_completion cannot be combined with on_success/on_failure");
    if (*type == StepType::kStart && success_failure)
      Error(id, "a start step cannot use on_success/on_failure");
    if (*type == StepType::kEnd && (completion || success_failure))
      Error(id, "an end step has no next step");
    for (const char* key : {"name", "description"})
      String(step, key, id, false);
    for (const char* key : {"delay", "timeout"}) {
      const json* v = Member(step, key);
      if (v && (!v->is_number_integer() || *v < 0))
        Error(id, std::string("\"") + key + "\" must be a whole number of milliseconds");
    }
    Ref(id, step, "on_completion", false);
    Ref(id, step, "on_success", false);
    Ref(id, step, "on_failure", false);
    switch (*type) {
      case StepType::kAction:
        CheckAction(id, step);
        break;
      case StepType::kPlaybookAction:
        if (const std::string* p = String(step, "playbook_id", id, true);
            p && !IsIdentifier(*p, "playbook"))
          Error(id, "\"playbook_id\" must be \"playbook--UUID\"");
        break;
      case StepType::kIfCondition:
      case StepType::kWhileCondition:
        String(step, "condition", id, true);
        if (!step.contains("on_true")) Error(id, "missing required property \"on_true\"");
        Ref(id, step, "on_true", true);
        if (*type == StepType::kIfCondition)
          Ref(id, step, "on_false", true);
        else if (step.contains("on_false"))
          Error(id, "a while-condition has no on_false");
        break;
      case StepType::kSwitchCondition: {
        String(step, "switch", id, true);
        const json* cases = Member(step, "cases");
        if (cases == nullptr || !cases->is_object() || cases->empty()) {
          Error(id, "missing required property \"cases\" (an object of case -> step id)");
          break;
        }
        for (const auto& [name, target] : cases->items()) {
          if (!target.is_string())
            Error(id, "case \"" + name + "\" must name a step id");
          else
            AddEdge(id, target.get<std::string>(), "case \"" + name + "\"", true);
        }
        break;
      }
      case StepType::kParallel: {
        const json* next = Member(step, "next_steps");
        if (next == nullptr || !next->is_array() || next->size() < 2) {
          Error(id, "\"next_steps\" must list at least two step ids");
          break;
        }
        for (const json& n : *next) {
          if (!n.is_string())
            Error(id, "\"next_steps\" must list step ids");
          else
            AddEdge(id, n.get<std::string>(), "next_steps", true);
        }
        break;
      }
      case StepType::kStart:
      case StepType::kEnd:
        break;
    }
    if (const json* ext = Member(step, "step_extensions")) {
      CheckExtensionUse(*ext, id);
      if (ext->is_object() && ext->contains(kExtensionId)) {
        CheckStepExtension(id, (*ext)[std::string(kExtensionId)],
                           *type == StepType::kIfCondition || *type == StepType::kWhileCondition ||
                               *type == StepType::kSwitchCondition);
      }
    }
  }

  void CheckAction(const std::string& id, const json& step) {
    const json* commands = Member(step, "commands");
    if (commands == nullptr || !commands->is_array() || commands->empty()) {
      Error(id, "an action needs \"commands\" (at least one)");
    } else if (commands->size() > kMaxCommandsPerStep) {
      Error(id, "more than " + std::to_string(kMaxCommandsPerStep) + " commands");
    } else {
      std::size_t n = 0;
      for (const json& c : *commands) {
        std::string where = id;
        std::string which = "command " + std::to_string(++n);
        if (!c.is_object()) {
          Error(where, which + " must be an object");
          continue;
        }
        const json* type = Member(c, "type");
        if (type == nullptr || !type->is_string()) {
          Error(where, which + ": missing \"type\"");
          continue;
        }
        if (!OneOf(type->get<std::string>(), kCommandTypes))
          Error(where, which + ": unknown command type \"" + type->get<std::string>() + "\"");
        bool text = c.contains("command") && c["command"].is_string();
        bool b64 = c.contains("command_b64") && c["command_b64"].is_string();
        std::string t = type->get<std::string>();
        if ((t == "manual" || t == "bash" || t == "powershell" || t == "ssh") && !text && !b64)
          Error(where, which + ": a " + t + " command needs \"command\" or \"command_b64\"");
      }
    }
    const std::string* agent = String(step, "agent", id, true);
    if (agent && !agents_.count(*agent))
      Error(id, "agent " + *agent + " is not in agent_definitions");
    if (const json* targets = Member(step, "targets")) {
      if (!targets->is_array()) {
        Error(id, "\"targets\" must be an array of target ids");
      } else {
        for (const json& t : *targets) {
          if (!t.is_string() || !targets_.count(t.get<std::string>()))
            Error(id, "target " + (t.is_string() ? t.get<std::string>() : t.dump()) +
                          " is not in target_definitions");
        }
      }
    }
  }

  void CheckWorkflow() {
    bool has_start = false, has_action = false, has_end = false;
    for (const auto& [id, step] : workflow_->items()) {
      CheckStep(id, step);
      auto it = graph_.types.find(id);
      if (it == graph_.types.end()) continue;
      has_start |= it->second == StepType::kStart;
      has_end |= it->second == StepType::kEnd;
      has_action |= it->second == StepType::kAction || it->second == StepType::kPlaybookAction;
    }
    if (!has_start || !has_action || !has_end)
      Error("playbook", "the workflow needs at least a start step, an action step and an end step");
    if (start_ == nullptr) return;
    auto st = graph_.types.find(*start_);
    if (!workflow_->contains(*start_)) {
      Error("playbook", "workflow_start refers to " + *start_ + ", which is not a workflow step");
      return;
    }
    if (st != graph_.types.end() && st->second != StepType::kStart)
      Error("playbook", "workflow_start must be a start step");
    for (const auto& [id, step] : workflow_->items())
      graph_.steps.push_back(id);
    CheckWorkflowGraph(graph_, *start_, out_);
  }

  const json& doc_;
  const json* workflow_ = nullptr;
  const std::string* start_ = nullptr;
  std::set<std::string> agents_, targets_, extensions_;
  std::map<std::string, std::string> refs_;
  WorkflowGraph graph_;
  std::vector<Diagnostic> out_;
};

}  // namespace

std::string FormatDiagnostic(const std::string& file, const Diagnostic& d) {
  std::string prefix = d.warning ? "warning: " : "";
  if (d.line > 0) return file + ":" + std::to_string(d.line) + ": " + prefix + d.message;
  if (!d.where.empty()) return file + ": " + d.where + ": " + prefix + d.message;
  return file + ": " + prefix + d.message;
}

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return !d.warning; });
}

std::vector<Diagnostic> Lint(const nlohmann::json& doc) {
  return Linter(doc).Run();
}

}  // namespace beffroi::playbook
