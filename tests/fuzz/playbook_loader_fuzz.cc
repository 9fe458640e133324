// Fuzzes the playbook loader and linter, then the runner on whatever loads: a playbook from
// the field must never crash, hang or grow without bound, whatever its bytes; faults are
// expected and come back as diagnostics.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "analyzer/playbook/deadlines.h"
#include "analyzer/playbook/lint.h"
#include "analyzer/playbook/loader.h"
#include "analyzer/playbook/runner.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace beffroi::playbook;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadResult r = LoadPlaybook(text, "fuzz.json");
  for (const Diagnostic& d : r.diagnostics)
    (void)FormatDiagnostic("fuzz.json", d);
  if (!r.playbook) return 0;
  // Walk the run as responders would: answer each decision "true" (or its first case) and mark
  // each action done, until the run finishes; every step at most once.
  const Playbook& p = *r.playbook;
  std::vector<RunEvent> events;
  for (std::size_t i = 0; i <= p.steps.size() + 1; ++i) {
    Position pos = Walk(p, RunState::Fold(events));
    if (pos.finished || pos.current == nullptr) break;
    Request req{pos.current->id, EventKind::kDone, ""};
    if (pos.current->is_decision()) {
      auto choices = ChoicesOf(*pos.current);
      req = {pos.current->id, EventKind::kChoice, choices.empty() ? "true" : choices.front()};
    }
    auto e = Validate(p, RunState::Fold(events), req);
    if (!e.ok()) break;
    events.push_back(*e);
  }
  ClockInputs in;
  in.answers["personal_data"] = true;
  (void)ComputeClocks(in, 0);
  return 0;
}
