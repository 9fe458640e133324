#include "analyzer/playbook/loader.h"

#include <algorithm>
#include <charconv>

#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"

namespace beffroi::playbook {

namespace {

using nlohmann::json;

std::string Str(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> Strings(const json& obj, const char* key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array()) return out;
  for (const json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

const json& Extension(const json& obj, const char* key) {
  static const json kEmpty = json::object();
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_object()) return kEmpty;
  auto ext = it->find(kExtensionId);
  return ext != it->end() && ext->is_object() ? *ext : kEmpty;
}

Step BuildStep(const std::string& id, const json& j) {
  Step s;
  s.id = id;
  s.type = StepTypeFromName(Str(j, "type")).value_or(StepType::kAction);
  s.name = Str(j, "name");
  s.description = Str(j, "description");
  s.on_completion = Str(j, "on_completion");
  s.on_success = Str(j, "on_success");
  s.on_failure = Str(j, "on_failure");
  s.on_true = Str(j, "on_true");
  s.on_false = Str(j, "on_false");
  s.next_steps = Strings(j, "next_steps");
  s.condition = s.type == StepType::kSwitchCondition ? Str(j, "switch") : Str(j, "condition");
  s.agent = Str(j, "agent");
  s.playbook_id = Str(j, "playbook_id");
  if (auto cases = j.find("cases"); cases != j.end() && cases->is_object()) {
    for (const auto& [name, target] : cases->items()) {
      if (target.is_string()) s.cases.emplace_back(name, target.get<std::string>());
    }
  }
  if (auto commands = j.find("commands"); commands != j.end() && commands->is_array()) {
    for (const json& c : *commands) {
      if (!c.is_object()) continue;
      Command cmd{Str(c, "type"), Str(c, "command"), Str(c, "description")};
      if (cmd.text.empty() && c.contains("command_b64")) cmd.text = "(base64-encoded command)";
      s.commands.push_back(std::move(cmd));
    }
  }
  const json& ext = Extension(j, "step_extensions");
  s.ref = Str(ext, "ref");
  s.phase = Str(ext, "phase");
  s.why = Str(ext, "why");
  s.question = Str(ext, "question");
  s.legal_clock = Str(ext, "legal_clock");
  s.roles = Strings(ext, "roles");
  s.checklist = Strings(ext, "checklist");
  if (s.type == StepType::kIfCondition || s.type == StepType::kWhileCondition)
    s.variable = ConditionVariable(s.condition);
  return s;
}

}  // namespace

std::optional<StepType> StepTypeFromName(std::string_view name) {
  static constexpr std::pair<std::string_view, StepType> kNames[] = {
      {"start", StepType::kStart},
      {"end", StepType::kEnd},
      {"action", StepType::kAction},
      {"playbook-action", StepType::kPlaybookAction},
      {"parallel", StepType::kParallel},
      {"if-condition", StepType::kIfCondition},
      {"while-condition", StepType::kWhileCondition},
      {"switch-condition", StepType::kSwitchCondition},
  };
  for (const auto& [n, t] : kNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

std::string_view StepTypeName(StepType type) {
  switch (type) {
    case StepType::kStart:
      return "start";
    case StepType::kEnd:
      return "end";
    case StepType::kAction:
      return "action";
    case StepType::kPlaybookAction:
      return "playbook-action";
    case StepType::kParallel:
      return "parallel";
    case StepType::kIfCondition:
      return "if-condition";
    case StepType::kWhileCondition:
      return "while-condition";
    case StepType::kSwitchCondition:
      return "switch-condition";
  }
  return "action";
}

const std::string& Step::Label() const {
  if (!name.empty()) return name;
  return ref.empty() ? id : ref;
}

const Step* Playbook::Find(std::string_view id_or_ref) const {
  if (auto it = by_id.find(id_or_ref); it != by_id.end()) return &steps[it->second];
  if (auto it = by_ref.find(id_or_ref); it != by_ref.end()) return &steps[it->second];
  return nullptr;
}

std::string ConditionVariable(std::string_view c) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ')
      s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
      s.remove_suffix(1);
    return s;
  };
  c = trim(c);
  std::size_t eq = c.find('=');
  if (eq == std::string_view::npos) return "";
  std::string_view lhs = trim(c.substr(0, eq)), rhs = trim(c.substr(eq + 1));
  if (rhs != "'true'") return "";
  constexpr std::string_view kSuffix = "__:value";
  if (lhs.size() <= 2 + kSuffix.size() || lhs.substr(0, 2) != "__" ||
      lhs.substr(lhs.size() - kSuffix.size()) != kSuffix)
    return "";
  std::string_view name = lhs.substr(2, lhs.size() - 2 - kSuffix.size());
  bool ok = std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
  });
  return ok ? std::string(name) : "";
}

LoadResult LoadPlaybook(std::string_view text, const std::string& source) {
  LoadResult out;
  if (text.size() > kMaxPlaybookBytes) {
    out.diagnostics.push_back(
        {"", "larger than " + std::to_string(kMaxPlaybookBytes) + " bytes; not a playbook", 0,
         false});
    return out;
  }
  auto parsed = ParseJson(text, "");
  if (!parsed.ok()) {
    // A responder fixing the file wants the line, not the byte.
    JsonErrorLine at = LocateJsonError(text, parsed.error().message);
    out.diagnostics.push_back({"", at.message, at.line, false});
    return out;
  }
  const json& doc = *parsed;
  out.diagnostics = Lint(doc);
  if (HasErrors(out.diagnostics)) return out;

  Playbook p;
  p.id = Str(doc, "id");
  p.name = Str(doc, "name");
  p.description = Str(doc, "description");
  p.modified = Str(doc, "modified");
  p.source = source;
  p.sha256 = Sha256Hex(text);
  p.workflow_start = Str(doc, "workflow_start");
  p.playbook_types = Strings(doc, "playbook_types");
  const json& ext = Extension(doc, "playbook_extensions");
  p.short_name = Str(ext, "short_name");
  p.aliases = Strings(ext, "aliases");
  p.techniques = Strings(ext, "attack_techniques");
  p.legal_clocks = Strings(ext, "legal_clocks");
  if (auto agents = doc.find("agent_definitions"); agents != doc.end() && agents->is_object()) {
    for (const auto& [id, a] : agents->items())
      p.agents.emplace(id, Agent{Str(a, "type"), Str(a, "name"), Str(a, "description")});
  }
  for (const auto& [id, step] : doc["workflow"].items()) {
    p.by_id.emplace(id, p.steps.size());
    p.steps.push_back(BuildStep(id, step));
    if (!p.steps.back().ref.empty()) p.by_ref.emplace(p.steps.back().ref, p.steps.size() - 1);
  }
  out.playbook = std::move(p);
  return out;
}

LoadResult LoadPlaybookFile(const std::string& path) {
  auto text = ReadFileBounded(path, kMaxPlaybookBytes + 1);
  if (!text.ok()) {
    LoadResult out;
    out.diagnostics.push_back({"", text.error().message, 0, false});
    return out;
  }
  return LoadPlaybook(*text, path);
}

}  // namespace beffroi::playbook
