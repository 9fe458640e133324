// Test helpers: small CACAO 2.0 playbooks built in code, so each test can break one thing.
// Single-threaded test use only.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "analyzer/playbook/playbook.h"

namespace beffroi::playbook::testing {

// Deterministic ids of the form TYPE--00000000-0000-4000-8000-<n, 12 hex digits>.
inline std::string Id(const std::string& type, int n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%012d", n);
  return type + "--00000000-0000-4000-8000-" + buf;
}

inline const std::string kAgent = Id("group", 1);
inline const std::string kDpo = Id("individual", 2);

inline nlohmann::json Action(const std::string& ref, const std::string& next,
                             const std::string& clock = "") {
  nlohmann::json ext = {{"ref", ref}, {"phase", "containment"}, {"why", "because"}};
  if (!clock.empty()) ext["legal_clock"] = clock;
  return {{"type", "action"},
          {"name", "Do " + ref},
          {"commands", {{{"type", "manual"}, {"command", "do " + ref}}}},
          {"agent", kAgent},
          {"on_completion", next},
          {"step_extensions", {{std::string(kExtensionId), ext}}}};
}

inline nlohmann::json Decision(const std::string& ref, const std::string& variable,
                               const std::string& on_true, const std::string& on_false,
                               const std::string& next) {
  nlohmann::json j = {
      {"type", "if-condition"},
      {"name", "Decide " + ref},
      {"condition", "__" + variable + "__:value = 'true'"},
      {"on_true", on_true},
      {"step_extensions", {{std::string(kExtensionId), {{"ref", ref}, {"question", ref + "?"}}}}}};
  if (!on_false.empty()) j["on_false"] = on_false;
  if (!next.empty()) j["on_completion"] = next;
  return j;
}

inline nlohmann::json End() {
  return {{"type", "end"}};
}

// start -> a -> personal-data? (yes: notify -> end-yes; no: record -> end-no) -> b -> end.
inline nlohmann::json BranchingPlaybook() {
  std::string start = Id("start", 1), a = Id("action", 2), decide = Id("if-condition", 3),
              notify = Id("action", 4), end_yes = Id("end", 5), record = Id("action", 6),
              end_no = Id("end", 7), b = Id("action", 8), end = Id("end", 9);
  nlohmann::json workflow = {
      {start, {{"type", "start"}, {"on_completion", a}}},
      {a, Action("a", decide)},
      {decide, Decision("personal-data", "personal_data", notify, record, b)},
      {notify, Action("notify", end_yes, "gdpr-art33")},
      {end_yes, End()},
      {record, Action("record", end_no)},
      {end_no, End()},
      {b, Action("b", end)},
      {end, End()},
  };
  return {
      {"type", "playbook"},
      {"spec_version", "cacao-2.0"},
      {"id", Id("playbook", 1)},
      {"name", "Test playbook"},
      {"created_by", Id("identity", 1)},
      {"created", "2026-12-04T08:00:00.000Z"},
      {"modified", "2026-12-04T08:00:00.000Z"},
      {"workflow_start", start},
      {"workflow", workflow},
      {"agent_definitions",
       {{kAgent, {{"type", "group"}, {"name", "IT team"}}},
        {kDpo, {{"type", "individual"}, {"name", "DPO"}}}}},
      {"extension_definitions",
       {{std::string(kExtensionId),
         {{"type", "extension-definition"},
          {"name", "beffroi-response"},
          {"created_by", Id("identity", 1)},
          {"schema", "docs/playbook-format.md"},
          {"version", "1.0.0"}}}}},
      {"playbook_extensions",
       {{std::string(kExtensionId),
         {{"short_name", "test-branching"},
          {"aliases", {"branching"}},
          {"attack_techniques", {"T1486"}}}}}},
  };
}

}  // namespace beffroi::playbook::testing
