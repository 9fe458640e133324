// Legal clocks for a Belgian municipality after an incident: GDPR art. 33 (72 h to the data
// protection authority, APD/GBA, when personal data is involved) and art. 34 (tell the people
// concerned when the risk to them is high), NIS2 art. 23 as transposed by the Belgian law of
// 26 April 2024 (early warning within 24 h, notification within 72 h, final report within one
// month of the notification, to the CCB through CERT.be, when the entity is in scope), and the
// complaint to the police, which has no legal deadline but belongs on the same list.
//
// Every clock starts at T0, the moment the city became aware: by default the creation time of
// the incident (when Beffroi first reported it), which a responder may set earlier. Whether a
// clock applies depends on answers recorded in a playbook run: the variables `personal_data`,
// `high_risk_to_people` and `nis2_in_scope`. Until a variable is answered its clocks show as
// "unknown", with the due time they would have, because an unanswered question must not hide
// a deadline. Pure functions of their inputs (the caller passes `now`); thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace beffroi::playbook {

inline constexpr std::string_view kVarPersonalData = "personal_data";
inline constexpr std::string_view kVarHighRisk = "high_risk_to_people";
inline constexpr std::string_view kVarNis2Scope = "nis2_in_scope";

struct ClockDef {
  std::string_view id;           // "gdpr-art33"
  std::string_view title;        // what has to be done
  std::string_view law;          // "GDPR art. 33"
  std::string_view authority;    // who receives it
  std::string_view how;          // channel and contact details
  std::string_view variable;     // "" = always applies
  std::int64_t hours = 0;        // from T0; 0 = no fixed deadline
  std::string_view after_clock;  // due one calendar month after this clock is done (or due)
};

// Every clock Beffroi knows, in the order they fall due.
const std::vector<ClockDef>& AllClocks();
const ClockDef* FindClock(std::string_view id);

enum class ClockState {
  kDone,
  kDue,            // applies (or may), not done, deadline ahead
  kOverdue,        // applies (or may), not done, deadline passed
  kOpen,           // applies, not done, no fixed deadline
  kNotApplicable,  // its variable was answered "false"
};
std::string_view ClockStateName(ClockState state);

struct ClockStatus {
  const ClockDef* def = nullptr;
  ClockState state = ClockState::kDue;
  std::optional<bool> applies;         // nullopt: its question is not answered yet
  std::optional<std::int64_t> due_ns;  // none for clocks without a deadline
  std::optional<std::int64_t> done_ns;
  std::string done_by;
  std::int64_t remaining_ns = 0;  // due - now (negative when overdue)
};

struct ClockInputs {
  std::int64_t start_ns = 0;            // T0
  std::map<std::string, bool> answers;  // variable -> answer
  struct Done {
    std::int64_t at_ns = 0;
    std::string by;
  };
  std::map<std::string, Done> done;  // clock id -> when and by whom
};

std::vector<ClockStatus> ComputeClocks(const ClockInputs& in, std::int64_t now_ns);

// The same instant one calendar month later, the day clamped to the month's length
// (31 January -> 28 or 29 February), in UTC.
std::int64_t AddOneMonth(std::int64_t unix_ns);

// "3 h 20 min", "2 d 4 h": a human span for "due in" / "overdue by".
std::string FormatSpan(std::int64_t ns);

}  // namespace beffroi::playbook
