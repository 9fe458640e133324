// A playbook run on an incident, as the CLI drives it: the run's row and events from the
// store, folded into the runner's state, and the one way to change it (Apply), which checks
// the request against the playbook and the latest state inside one write transaction and
// writes the event and its audit entry together.
//
// Two responders on one incident: Apply with `expected_version` refuses to write when the
// run moved on since the caller looked (the interactive session then shows what changed and
// asks again); without it, the check is made on the state read inside the transaction, so a
// scripted "--step X --done" never records X twice. Thread-compatible like Store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/playbook/playbook.h"
#include "analyzer/playbook/runner.h"
#include "analyzer/store/store.h"
#include "common/result.h"

namespace beffroi::cli {

struct LoadedRun {
  store::PlaybookRunRow run;
  std::vector<store::PlaybookEventRow> events;
  playbook::RunState state;
  playbook::Position position;  // points into the Playbook given to LoadRun
};

playbook::RunEvent ToRunEvent(const store::PlaybookEventRow& row);

// The run of `pb` on incident `incident_id`, started now by `who` when there is none yet
// (with T0 = `aware_at`, or the incident's creation time when empty). Errors: no such
// incident; a read-only database when the run does not exist yet.
Result<LoadedRun> OpenRun(store::Store& store, const playbook::Playbook& pb,
                          std::int64_t incident_id, const store::Who& who,
                          const std::string& aware_at, bool create = true);
// Reloads the events of an open run.
Result<LoadedRun> Reload(store::Store& store, const playbook::Playbook& pb,
                         const store::PlaybookRunRow& run);

struct ApplyOutcome {
  bool conflict = false;  // the run moved on since `expected_version`; nothing was written
  LoadedRun after;        // the state after the write (or the newer state on a conflict)
  std::vector<store::PlaybookEventRow> theirs;  // on a conflict: the events written meanwhile
  playbook::RunEvent event;
  bool finished_now = false;  // this event completed the playbook
};

// Validation failures come back as kInvalidArgument/kNotFound errors naming the step.
Result<ApplyOutcome> Apply(store::Store& store, const playbook::Playbook& pb,
                           const store::PlaybookRunRow& run, const playbook::Request& request,
                           const store::Who& who, std::optional<std::int64_t> expected_version);

}  // namespace beffroi::cli
