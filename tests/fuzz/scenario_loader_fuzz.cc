// Fuzzes the exercise scenario loader, then plays whatever loads: a scenario from the field
// must never crash, hang or grow without bound, whatever its bytes; faults are expected and
// come back as diagnostics. Every inject is delivered with `next`, every action rated, the
// artefacts generated and the report rendered.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "analyzer/exercise/artefacts.h"
#include "analyzer/exercise/loader.h"
#include "analyzer/exercise/report.h"
#include "analyzer/exercise/session.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace beffroi::exercise;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadResult r = LoadScenario(text, "fuzz.json");
  for (const Diagnostic& d : r.diagnostics)
    (void)FormatDiagnostic("fuzz.json", d);
  if (!r.scenario) return 0;
  const Scenario& s = *r.scenario;
  (void)LintSteps(s, StepIndex{});
  std::vector<SessionEvent> events;
  auto apply = [&](const std::string& line) {
    auto c = ParseCommand(line);
    if (!c.ok()) return;
    auto e = Apply(s, SessionState::Fold(events), *c, 0);
    if (e.ok()) events.insert(events.end(), e->begin(), e->end());
  };
  apply("start");
  for (std::size_t i = 0; i <= s.injects.size(); ++i)
    apply("next");
  for (const Inject& in : s.injects) {
    if (in.artefacts.size() <= 4) (void)GenerateInject(in, s.seed);
  }
  for (const ExpectedAction& a : s.actions)
    apply("tick " + a.id + " partly fuzzed");
  apply("end");
  SessionState st = SessionState::Fold(events);
  ReportInput in;
  in.scenario = &s;
  in.state = &st;
  in.created_at = "2026-01-01T00:00:00Z";
  (void)RenderMarkdown(in);
  (void)RenderHtml(in);
  return 0;
}
