// The after-action report (HSEEP AAR/IP) of an exercise session: the timeline of injects and
// decisions, expected actions met, partly met or missed, time to key milestones (isolation,
// first notification, each legal deadline), strengths, areas for improvement, and the
// improvement plan (action, owner, due date).
//
// Built from the scenario and the folded session; legal clocks come from the caller (the
// playbook library's deadlines) so this library depends on common/ only. Markdown, and a
// self-contained HTML page (inline CSS, no script, every value escaped). Pure functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/exercise/loader.h"
#include "analyzer/exercise/session.h"

namespace beffroi::exercise {

struct LegalClock {
  std::string id, title, law;
  std::int64_t hours = 0;  // 0: no fixed deadline
};

struct ReportInput {
  const Scenario* scenario = nullptr;
  const SessionState* state = nullptr;
  std::int64_t session_id = 0;
  std::string created_at, created_by, finished_at;  // RFC 3339 wall-clock times
  StepIndex steps;                     // which legal clock each playbook step satisfies
  std::vector<LegalClock> clocks;      // the clocks of the scenario's playbook, in due order
  std::vector<std::string> incidents;  // "#1 Ryuk on fs-etatcivil, first seen ..." lines
};

struct Milestone {
  std::string name;
  std::optional<std::int64_t> due_ns;   // scenario time it was expected by
  std::optional<std::int64_t> done_ns;  // scenario time it was reached
  std::string how;                      // the action that reached it
};

struct PlanItem {
  std::string action_id, action, owner, due;
  Rating rating = Rating::kMissed;
  bool rated = false;
};

// T0 of the legal clocks: when the first inject carrying evidence was delivered (the moment
// the city became aware), else T+0.
std::int64_t AwareAt(const Scenario& scenario, const SessionState& state);
std::vector<Milestone> Milestones(const ReportInput& in);
std::vector<PlanItem> ImprovementPlan(const ReportInput& in);

std::string RenderMarkdown(const ReportInput& in);
std::string RenderHtml(const ReportInput& in);

}  // namespace beffroi::exercise
