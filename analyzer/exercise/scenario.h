// The scenario model of a tabletop exercise (docs/exercise-format.md), in HSEEP terms:
// objectives, participants, modules with discussion questions, the master scenario events
// list (MSEL) of injects at scenario times, expected actions linked to playbook steps, and
// evaluation criteria.
//
// Scenario times are offsets from the scenario's T+0 (`start`, an absolute RFC 3339 time that
// dates the evidence and starts the legal clocks). A Scenario is a plain value built by
// LoadScenario (loader.h) from JSON that passed the structural checks, so every id it names
// exists and the MSEL is in time order. Immutable once loaded; share it across threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace beffroi::exercise {

inline constexpr std::string_view kScenarioType = "beffroi-exercise";
inline constexpr int kFormatVersion = 1;

// Bounds for untrusted scenarios, far above what a 2-3 hour session needs.
inline constexpr std::size_t kMaxScenarioBytes = 1024 * 1024;
inline constexpr std::size_t kMaxItems = 500;  // per list (injects, actions, ...)
inline constexpr std::size_t kMaxArtefactsPerInject = 32;
inline constexpr std::uint64_t kMaxArtefactBytes = 1 << 20;          // one generated file
inline constexpr std::int64_t kMaxScenarioMinutes = 60LL * 24 * 60;  // 60 days of story

inline constexpr std::int64_t kNsPerMinute = 60'000'000'000LL;

struct Objective {
  std::string id, text;
};

struct Participant {
  std::string id;    // "it", "dpo": what injects and actions address
  std::string name;  // "IT department"
  std::string role;  // what they do in the exercise
};

struct Module {
  std::string id, title, summary;
  std::vector<std::string> questions;
};

// A harmless file the analyzer will find at the inject's time. Kinds:
//   ransom-note    text in the style of `family` (ryuk, lockbit, play, royal)
//   encrypted      seeded random bytes behind `family`'s marker, named like its victims
//   shadow-delete  a script that deletes shadow copies (recovery inhibition, T1490)
//   rclone-mega    an rclone configuration with a MEGA remote (exfiltration, T1567.002)
//   webshell       a one-line PHP web shell (T1505.003)
//   plain          an innocent office text
struct Artefact {
  std::string kind;
  std::string family;
  std::string host;  // the host it "was found on"
  std::string path;  // relative path inside that host's share, e.g. "etat-civil/RyukReadMe.txt"
  std::uint64_t size = 0;  // encrypted: bytes to generate (default 4096)
};

struct Inject {
  std::string id;
  std::int64_t at_minutes = 0;  // scenario time
  std::string module;
  std::string title;
  std::string text;                  // what the facilitator reads out
  std::vector<std::string> to;       // participant ids
  std::string channel;               // "phone", "e-mail", "walk-in", "press", "monitoring", ...
  std::vector<std::string> expects;  // expected action ids this inject calls for
  std::vector<Artefact> artefacts;
  bool contingency = false;  // played only when the facilitator chooses to
};

struct ExpectedAction {
  std::string id;
  std::string text;
  std::string team;      // participant id
  std::string playbook;  // playbook short name; "" = the scenario's playbook
  std::string step;      // step ref in that playbook
  std::string objective;
  std::optional<std::int64_t> by_minutes;  // expected by this scenario time
  std::string milestone;  // "isolation", "first-notification", ... (report milestones)
};

struct Criterion {
  std::string id;
  std::string objective;
  std::string text;
  std::string owner;           // who owns the improvement if it is not met
  std::int64_t due_days = 30;  // improvement due this many days after the exercise
};

struct Scenario {
  std::string id;  // "liege-2021"
  std::string title;
  std::string summary;
  std::string source;    // the file it was read from
  std::string sha256;    // of its bytes
  std::string playbook;  // default playbook short name
  std::string start;     // T+0, RFC 3339 UTC
  std::int64_t start_ns = 0;
  std::int64_t duration_minutes = 0;  // planned session length
  std::uint64_t seed = 1;             // artefact generation
  std::vector<Objective> objectives;
  std::vector<Participant> participants;
  std::vector<Module> modules;
  std::vector<Inject> injects;  // MSEL, in time order
  std::vector<ExpectedAction> actions;
  std::vector<Criterion> criteria;

  const Inject* FindInject(std::string_view key) const;
  const ExpectedAction* FindAction(std::string_view key) const;
  const Participant* FindParticipant(std::string_view key) const;
  const Module* FindModule(std::string_view key) const;
  const Objective* FindObjective(std::string_view key) const;
  // The playbook an action follows: its own or the scenario's.
  const std::string& PlaybookOf(const ExpectedAction& a) const {
    return a.playbook.empty() ? playbook : a.playbook;
  }
};

// "T+1:05", "T+26:00": a scenario time for people.
std::string FormatScenarioTime(std::int64_t minutes);
// Scenario elapsed nanoseconds as "T+H:MM:SS".
std::string FormatElapsed(std::int64_t ns);
// "1:05", "+26:00", "90" (minutes) -> minutes; nullopt for anything else or beyond the bound.
std::optional<std::int64_t> ParseScenarioTime(std::string_view text);

}  // namespace beffroi::exercise
