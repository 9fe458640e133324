// The playbook model: an OASIS CACAO 2.0 playbook as the runner and the linter see it, plus
// Beffroi's own extension (docs/playbook-format.md): each step's phase, roles, why it matters,
// checklist, short reference and the legal clock it satisfies.
//
// A Playbook is a plain value built by LoadPlaybook (loader.h) from JSON that passed Lint, so
// every step id it names exists. Immutable once loaded; share it freely across threads.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace beffroi::playbook {

// The key of Beffroi's extension in `extension_definitions`, `playbook_extensions` and
// `step_extensions`. Fixed forever: playbooks written by others refer to it.
inline constexpr std::string_view kExtensionId =
    "extension-definition--5f6e2b1c-8a4d-4c3e-9b7a-1d2e3f4a5b6c";
inline constexpr std::string_view kExtensionName = "beffroi-response";
inline constexpr std::string_view kExtensionVersion = "1.0.0";

// Bounds for untrusted playbooks: far above what a real playbook needs (ours have < 60 steps).
inline constexpr std::size_t kMaxPlaybookBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxSteps = 2000;
inline constexpr std::size_t kMaxCommandsPerStep = 64;

enum class StepType {
  kStart,
  kEnd,
  kAction,
  kPlaybookAction,
  kParallel,
  kIfCondition,
  kWhileCondition,
  kSwitchCondition,
};

// "if-condition" etc.; nullopt for anything else.
std::optional<StepType> StepTypeFromName(std::string_view name);
std::string_view StepTypeName(StepType type);

// NIST SP 800-61 / CERT-SG IRM phases, in order.
inline constexpr std::string_view kPhases[] = {"preparation", "identification", "containment",
                                               "eradication", "recovery",       "lessons-learned"};

struct Command {
  std::string type;  // CACAO command type: "manual", "bash", ...
  std::string text;  // `command` (or "(base64)" when only command_b64 is given)
  std::string description;
};

struct Step {
  std::string id;  // "action--<uuid>"
  StepType type = StepType::kAction;
  std::string name;
  std::string description;
  std::string on_completion, on_success, on_failure;
  std::string on_true, on_false;                           // if/while
  std::vector<std::string> next_steps;                     // parallel
  std::vector<std::pair<std::string, std::string>> cases;  // switch: case -> step
  std::string condition;                                   // if/while; `switch` for switch
  std::vector<Command> commands;                           // action
  std::string agent;                                       // action: agent_definitions key
  std::string playbook_id;                                 // playbook-action
  // Beffroi extension; empty when absent.
  std::string ref;  // short, unique in the playbook: what `--step` accepts
  std::string phase;
  std::string why;
  std::string question;  // decisions: what to ask the responder
  std::string variable;  // decisions: the variable the condition tests ("personal_data")
  std::string legal_clock;
  std::vector<std::string> roles;  // agent_definitions keys
  std::vector<std::string> checklist;

  bool is_decision() const {
    return type == StepType::kIfCondition || type == StepType::kWhileCondition ||
           type == StepType::kSwitchCondition;
  }
  // The name to show: `name`, else the ref, else the id.
  const std::string& Label() const;
  // The ref when there is one, else the id.
  const std::string& Handle() const { return ref.empty() ? id : ref; }
};

struct Agent {
  std::string type;  // "group", "individual", "organization", ...
  std::string name;
  std::string description;
};

struct Playbook {
  std::string id;  // "playbook--<uuid>"
  std::string name;
  std::string description;
  std::string source;  // the file it was read from
  std::string sha256;  // of the file's bytes: which version a run followed
  std::string modified;
  // Beffroi extension.
  std::string short_name;                 // "ransomware": what rules' `playbook` meta names
  std::vector<std::string> aliases;       // other names rules may use for the same response
  std::vector<std::string> techniques;    // ATT&CK ids that suggest this playbook
  std::vector<std::string> legal_clocks;  // clock ids (deadlines.h) this response tracks
  std::vector<std::string> playbook_types;
  std::string workflow_start;
  std::vector<Step> steps;  // in file order
  std::map<std::string, std::size_t, std::less<>> by_id;
  std::map<std::string, std::size_t, std::less<>> by_ref;
  std::map<std::string, Agent, std::less<>> agents;

  // By CACAO id or by ref; nullptr when neither names a step.
  const Step* Find(std::string_view id_or_ref) const;
  // The short name, else the CACAO id.
  const std::string& Handle() const { return short_name.empty() ? id : short_name; }
};

}  // namespace beffroi::playbook
