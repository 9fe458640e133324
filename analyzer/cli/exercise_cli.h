// Helpers shared by the `beffroi exercise` subcommands (exercise.cc, exercise_run.cc).
#pragma once

#include <string>
#include <vector>

#include "analyzer/exercise/loader.h"
#include "analyzer/exercise/report.h"
#include "analyzer/playbook/catalog.h"
#include "analyzer/store/store.h"
#include "common/result.h"

namespace beffroi::cli {

// --scenarios DIR, else the bundled playbooks/exercises ("" when there is none).
std::string ScenariosDir(const std::string& flag);
// The scenario files of a folder, sorted.
std::vector<std::string> ScenarioFiles(const std::string& dir);
// A scenario by id or file stem in the folder, or a FILE path; refused with its faults (and
// its links to playbook steps) when it does not lint clean.
Result<exercise::Scenario> ResolveScenario(const std::string& name, const std::string& dir_flag,
                                           const exercise::StepIndex& steps);
// Every playbook of the catalog by short name and alias, with its step refs and clocks.
exercise::StepIndex IndexSteps(const playbook::Catalog& catalog);
// The legal clocks a scenario's playbook tracks, for the report.
std::vector<exercise::LegalClock> ClocksOf(const playbook::Catalog& catalog,
                                           const std::string& playbook);
// Where a scenario's exercise database lives by default:
// $BEFFROI_STATE_DIR, else $XDG_STATE_HOME/beffroi, else ~/.local/state/beffroi, then
// exercises/<scenario>/exercise.db.
std::string DefaultExerciseDb(const std::string& scenario_id);
// Makes this process's clock follow the session's scenario clock (common/text.h).
void FollowExerciseClock(const store::ExerciseSessionRow& session);

int RunExerciseRun(const std::vector<std::string>& args, const std::vector<std::string>& all);

}  // namespace beffroi::cli
