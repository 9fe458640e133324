// The runner's state machine: what has been done in a playbook run, where the run stands, and
// whether a responder's request (mark a step done, skip it with a reason, add a note, answer
// a decision) is allowed.
//
// A run is a list of events (the store keeps them, append-only); RunState folds them, Walk
// follows the workflow from workflow_start with CACAO's semantics (an if/switch/while branch
// and each branch of a parallel step run to their own end step, then processing returns to
// the step that opened them and goes on with its on_completion), and Validate turns a
// request into the event to append, or refuses it. Parallel branches are walked one after the
// other; their steps can be marked in any order. A while-condition's branch is taken at most
// once (a run records one answer per decision). Pure functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/playbook/playbook.h"
#include "common/result.h"

namespace beffroi::playbook {

enum class EventKind { kDone, kSkipped, kNote, kChoice };
std::string_view EventKindName(EventKind kind);  // "done", "skipped", "note", "choice"
std::optional<EventKind> EventKindFromName(std::string_view name);

struct RunEvent {
  std::string step_id;
  EventKind kind = EventKind::kNote;
  std::string value;  // skip reason, note text, or the choice ("true", "false", a case)
  std::string actor;
  std::string at;  // RFC 3339 UTC
};

struct Note {
  std::string text, actor, at;
};

struct StepProgress {
  enum class Status { kPending, kDone, kSkipped } status = Status::kPending;
  std::string actor, at;              // who marked it done/skipped, and when
  std::string reason;                 // skips
  std::optional<std::string> choice;  // decisions
  std::string chosen_by, chosen_at;
  std::vector<Note> notes;
};

struct RunState {
  std::map<std::string, StepProgress, std::less<>> steps;  // by step id
  static RunState Fold(const std::vector<RunEvent>& events);
  const StepProgress* Get(std::string_view step_id) const;
};

struct Position {
  std::vector<const Step*> path;  // actions and decisions on the chosen path, in order
  const Step* current = nullptr;  // first action not done or skipped, or unanswered decision
  bool finished = false;          // the workflow reached its end with nothing left to do
  std::size_t done = 0;           // actions done or skipped, decisions answered, on the path
};

Position Walk(const Playbook& playbook, const RunState& state);

struct Request {
  std::string step;  // CACAO id or ref
  EventKind kind = EventKind::kDone;
  std::string value;
};

// The event that carries out `request` (actor and time left for the caller), or an error that
// says why not: "step X: already done by alice at T", "step X: not on the path the run took".
Result<RunEvent> Validate(const Playbook& playbook, const RunState& state, const Request& request);

// A decision's answer: its own, or that of an earlier decision on the same variable (the
// question "is personal data involved?" is answered once per run).
struct Answer {
  std::string choice, by, at;
  std::string step_id;  // the decision that was answered
};
std::optional<Answer> AnswerOf(const Playbook& playbook, const RunState& state, const Step& step);

// The choices a decision step offers ("true"/"false", or its case names).
std::vector<std::string> ChoicesOf(const Step& step);

}  // namespace beffroi::playbook
