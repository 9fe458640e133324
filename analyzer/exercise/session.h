// The exercise session's state machine: what the facilitator did (clock changes, injects
// delivered, each team's decisions, expected actions rated met / partly met / missed, notes,
// improvement owners), folded from an append-only list of events, and the one way to change
// it (Apply), which turns a console command into the events to append or refuses it with a
// reason.
//
// The store keeps the events, so an interrupted exercise resumes exactly where it stopped:
// Fold the events again, and Resume freezes the clock at the last recorded scenario time so
// the hours the session lay interrupted do not count. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/exercise/clock.h"
#include "analyzer/exercise/scenario.h"
#include "common/result.h"

namespace beffroi::exercise {

enum class EventKind { kClock, kInject, kDecision, kTick, kNote, kPlan, kEnd };
std::string_view EventKindName(EventKind kind);  // "clock", "inject", ...
std::optional<EventKind> EventKindFromName(std::string_view name);

struct SessionEvent {
  EventKind kind = EventKind::kNote;
  std::string ref;     // inject id (inject), action id (tick, plan)
  std::string team;    // decision: participant id; plan: owner
  std::string value;   // clock: start|pause|speed X|jump|resume; decision/note text; tick rating;
                       // plan: due date
  std::string detail;  // tick: the facilitator's comment
  std::int64_t elapsed_ns = 0;  // scenario time (clock jump/resume: the target)
  std::int64_t took_ns = 0;     // decision: since the team's last inject
  std::int64_t wall_ns = 0;
  std::string actor;
};

enum class Rating { kMet, kPartly, kMissed };
std::string_view RatingName(Rating r);  // "met", "partly", "missed"
std::optional<Rating> RatingFromName(std::string_view name);

struct Delivered {
  std::string inject;
  std::int64_t elapsed_ns = 0;
};
struct Decision {
  std::string team, text;
  std::int64_t elapsed_ns = 0, took_ns = 0;
};
struct Tick {
  Rating rating = Rating::kMissed;
  std::string comment;
  std::int64_t elapsed_ns = 0;
};
struct PlanEntry {
  std::string owner, due;
};
struct NoteEntry {
  std::string text;
  std::int64_t elapsed_ns = 0;
};

struct SessionState {
  ClockState clock;
  std::vector<Delivered> delivered;  // in delivery order
  std::set<std::string> delivered_ids;
  std::vector<Decision> decisions;
  std::map<std::string, Tick> ticks;  // by action id; the latest rating counts
  std::map<std::string, PlanEntry> plan;
  std::vector<NoteEntry> notes;
  std::int64_t last_elapsed_ns = 0;  // scenario time of the latest event
  bool ended = false;

  static SessionState Fold(const std::vector<SessionEvent>& events);
};

// The first injects of the MSEL not yet delivered, excluding contingency injects.
const Inject* NextInject(const Scenario& scenario, const SessionState& state);
// Injects due by scenario time `elapsed_ns` and not yet delivered, in MSEL order.
std::vector<const Inject*> DueInjects(const Scenario& scenario, const SessionState& state,
                                      std::int64_t elapsed_ns);

struct Command {
  std::string verb;  // start, pause, speed, next, jump, inject, decide, tick, note, plan, end
  std::vector<std::string> args;  // words; the last argument of decide/tick/note is the rest
};
// Splits a console line. Errors say what the command expects ("tick ACTION met|partly|missed").
Result<Command> ParseCommand(std::string_view line);

// The events that carry out `command` at wall time `now_ns` (actor left for the caller), in
// the order to append them; includes the deliveries of injects that fall due on a jump.
// Refusals: unknown team, action or inject; a rating that is not met/partly/missed; anything
// after `end`.
Result<std::vector<SessionEvent>> Apply(const Scenario& scenario, const SessionState& state,
                                        const Command& command, std::int64_t now_ns);

// The inject deliveries due at wall time `now_ns` while the clock runs (none while paused).
std::vector<SessionEvent> DeliverDue(const Scenario& scenario, const SessionState& state,
                                     std::int64_t now_ns);

// The event that freezes the clock at the last recorded scenario time, for a resumed session.
SessionEvent ResumeEvent(const SessionState& state, std::int64_t now_ns);

// Commands the console understands, for `help`.
std::string_view CommandHelp();

}  // namespace beffroi::exercise
