// `beffroi playbook run`: the guided terminal session and its scripted twin (--step).
#include <boost/program_options.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"
#include "analyzer/cli/parse.h"
#include "analyzer/cli/playbook_cli.h"
#include "analyzer/cli/playbook_report.h"
#include "analyzer/cli/playbook_session.h"
#include "analyzer/playbook/deadlines.h"
#include "common/text.h"

namespace po = boost::program_options;

namespace beffroi::cli {

namespace {

using playbook::EventKind;

// A request the run refuses (unknown step, already done, off the path) is the caller's to
// fix: 2. The database failing under us is a runtime error: 1.
int RefusalExit(const Error& e) {
  return e.code == ErrorCode::kInvalidArgument || e.code == ErrorCode::kNotFound ? kExitUsage
                                                                                 : kExitError;
}
using playbook::Playbook;
using playbook::Step;

struct RunFlags {
  EngineFlags engine;
  std::string dir, step, reason, note, choose, aware_at;
  std::int64_t incident = 0;
  bool done = false, skip = false, json = false;
};

std::string ClockLine(const std::string& clock, const std::string& aware_at) {
  const playbook::ClockDef* def = playbook::FindClock(clock);
  if (def == nullptr) return clock;
  std::string line = std::string(def->title) + " (" + std::string(def->law) + ")";
  if (def->hours > 0) {
    std::int64_t now = NowUnixNs();
    std::int64_t due =
        ParseDateOrAge(aware_at, now).value_or(now) + def->hours * 3600LL * 1'000'000'000;
    line += ", due " + FormatTimestampNs(due).substr(0, 16) + "Z" +
            (due < now ? " (overdue by " : " (in ") + playbook::FormatSpan(due - now) + ")";
  }
  return line + "; to " + std::string(def->authority);
}

void PrintStep(const Playbook& p, const LoadedRun& view, const Step& s) {
  std::size_t index = 0;
  for (std::size_t i = 0; i < view.position.path.size(); ++i) {
    if (view.position.path[i] == &s) index = i + 1;
  }
  std::printf("\n------------------------------------------------------------------------\n");
  std::printf("Step %zu of %zu so far%s%s  [%s]\n", index, view.position.path.size(),
              s.phase.empty() ? "" : "  -  ", s.phase.c_str(), s.Handle().c_str());
  std::printf("%s\n", s.Label().c_str());
  if (!s.agent.empty()) std::printf("Lead: %s\n", RoleNames(p, {s.agent}).c_str());
  if (!s.roles.empty()) std::printf("With: %s\n", RoleNames(p, s.roles).c_str());
  if (!s.why.empty()) std::printf("Why:  %s\n", s.why.c_str());
  if (!s.description.empty()) std::printf("\n%s\n", s.description.c_str());
  if (!s.checklist.empty()) {
    std::printf("\nChecklist:\n");
    for (const std::string& c : s.checklist)
      std::printf("  [ ] %s\n", c.c_str());
  }
  bool manual = false, shell = false;
  for (const auto& c : s.commands)
    (c.type == "manual" ? manual : shell) = true;
  if (manual) {
    std::printf("\nWhat to do:\n");
    for (const auto& c : s.commands) {
      if (c.type == "manual") std::printf("  - %s\n", c.text.c_str());
    }
  }
  if (shell) {
    std::printf("\nCommands:\n");
    for (const auto& c : s.commands) {
      if (c.type != "manual") std::printf("  $ %s\n", c.text.c_str());
    }
  }
  if (!s.legal_clock.empty())
    std::printf("\nLegal clock: %s\n", ClockLine(s.legal_clock, view.run.aware_at).c_str());
  if (const playbook::StepProgress* pr = view.state.Get(s.id); pr && !pr->notes.empty()) {
    std::printf("\nNotes:\n");
    for (const auto& n : pr->notes)
      std::printf("  %s %s: %s\n", n.at.substr(0, 16).c_str(), n.actor.c_str(), n.text.c_str());
  }
  if (s.is_decision()) {
    std::printf("\nDecision: %s\n", s.question.empty() ? s.condition.c_str() : s.question.c_str());
  }
}

nlohmann::json OutcomeJson(const Playbook& p, const ApplyOutcome& o) {
  const Step* s = p.Find(o.event.step_id);
  nlohmann::json j = {{"run", o.after.run.id},
                      {"incident", o.after.run.incident_id},
                      {"playbook", p.Handle()},
                      {"step", o.event.step_id},
                      {"ref", s ? s->ref : ""},
                      {"kind", playbook::EventKindName(o.event.kind)},
                      {"value", o.event.value},
                      {"actor", o.event.actor},
                      {"at", o.event.at},
                      {"version", o.after.run.version},
                      {"steps_done", o.after.position.done},
                      {"steps_on_path", o.after.position.path.size()},
                      {"finished", o.after.position.finished}};
  const Step* next = o.after.position.current;
  j["next_step"] = next ? nlohmann::json{{"id", next->id},
                                         {"ref", next->ref},
                                         {"name", next->Label()},
                                         {"type", playbook::StepTypeName(next->type)}}
                        : nlohmann::json();
  return j;
}

void PrintNext(const LoadedRun& v) {
  if (v.position.finished) {
    std::printf("The playbook is complete (%zu steps).\n", v.position.done);
  } else if (const Step* n = v.position.current) {
    std::printf("Next: %s \"%s\"%s (%zu of %zu steps on the path so far)\n", n->Handle().c_str(),
                n->Label().c_str(), n->is_decision() ? ", a decision" : "", v.position.done,
                v.position.path.size());
  }
}

int Scripted(store::Store& st, const Playbook& p, const LoadedRun& run, const RunFlags& f) {
  playbook::Request req;
  req.step = f.step;
  if (f.done) req.kind = EventKind::kDone;
  if (f.skip) {
    req.kind = EventKind::kSkipped;
    req.value = f.reason;
  }
  if (!f.choose.empty()) {
    req.kind = EventKind::kChoice;
    req.value = f.choose == "yes" ? "true" : f.choose == "no" ? "false" : f.choose;
  }
  if (!f.note.empty() && !f.done && !f.skip && f.choose.empty()) {
    req.kind = EventKind::kNote;
    req.value = f.note;
  }
  auto outcome = Apply(st, p, run.run, req, WhoIs(f.engine), std::nullopt);
  if (!outcome.ok())
    return Fail("playbook run", outcome.error().message, RefusalExit(outcome.error()));
  // A note given with --done/--skip/--choose goes on the same step, after it.
  std::optional<ApplyOutcome> noted;
  if (!f.note.empty() && req.kind != EventKind::kNote) {
    playbook::Request n{f.step, EventKind::kNote, f.note};
    auto second = Apply(st, p, outcome->after.run, n, WhoIs(f.engine), std::nullopt);
    if (!second.ok())
      return Fail("playbook run", second.error().message, RefusalExit(second.error()));
    noted = std::move(*second);
  }
  const ApplyOutcome& last = noted ? *noted : *outcome;
  if (f.json) {
    nlohmann::json j = OutcomeJson(p, *outcome);
    j["version"] = last.after.run.version;
    if (noted) j["note"] = f.note;
    std::cout << Dump(j, 2) << "\n";
    return kExitOk;
  }
  const Step* s = p.Find(outcome->event.step_id);
  std::printf("%s: %s%s\n", s->Handle().c_str(),
              std::string(playbook::EventKindName(outcome->event.kind)).c_str(),
              outcome->event.value.empty() ? "" : (" \"" + outcome->event.value + "\"").c_str());
  if (noted) std::printf("%s: note \"%s\"\n", s->Handle().c_str(), f.note.c_str());
  PrintNext(last.after);
  return kExitOk;
}

bool ReadLine(const char* prompt, std::string& line) {
  std::printf("%s", prompt);
  std::fflush(stdout);
  if (!std::getline(std::cin, line)) return false;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
    line.pop_back();
  while (!line.empty() && line.front() == ' ')
    line.erase(0, 1);
  return true;
}

int Interactive(store::Store& st, const Playbook& p, LoadedRun view, const RunFlags& f) {
  const store::Who who = WhoIs(f.engine);
  const std::string actor = who.Display();
  std::printf("%s (%s) on incident %lld, as %s. Run %lld, started %s by %s.\n", p.name.c_str(),
              p.Handle().c_str(), static_cast<long long>(view.run.incident_id), actor.c_str(),
              static_cast<long long>(view.run.id), view.run.started_at.substr(0, 19).c_str(),
              view.run.started_by.c_str());
  std::printf("Answer with a letter; q leaves, and running the same command again resumes here.\n");
  std::string selected;  // a step chosen with `g REF`, else the current one
  for (;;) {
    const Step* s = selected.empty() ? view.position.current : p.Find(selected);
    if (s == nullptr || view.position.finished) {
      PrintNext(view);
      return kExitOk;
    }
    PrintStep(p, view, *s);
    std::string line;
    const char* prompt =
        s->is_decision()
            ? (s->type == playbook::StepType::kSwitchCondition
                   ? "\n[case name] answer  [t] note  [l] list  [r] reload  [q] quit > "
                   : "\n[y] yes  [n] no  [t] note  [l] list  [r] reload  [q] quit > ")
            : "\n[d] done  [s] skip  [t] note  [g REF] go to step  [l] list  [r] reload  [q] quit "
              "> ";
    if (!ReadLine(prompt, line) || line == "q" || line == "quit") {
      std::printf("\nLeft the run at %s; run the same command to resume.\n", s->Handle().c_str());
      return kExitOk;
    }
    playbook::Request req;
    req.step = s->id;
    if (line == "r" || line == "reload" || line.empty()) {
      auto again = Reload(st, p, view.run);
      if (!again.ok()) return Fail("playbook run", again.error().message);
      view = std::move(*again);
      continue;
    }
    if (line == "l" || line == "list") {
      for (const Step* on : view.position.path) {
        const playbook::StepProgress* pr = view.state.Get(on->id);
        std::string mark = !pr                                                      ? "    "
                           : pr->choice                                             ? "  = "
                           : pr->status == playbook::StepProgress::Status::kDone    ? "done"
                           : pr->status == playbook::StepProgress::Status::kSkipped ? "skip"
                                                                                    : "    ";
        std::printf("  %s  %-28s %s%s\n", mark.c_str(), on->Handle().c_str(), on->Label().c_str(),
                    pr && pr->choice ? (" -> " + *pr->choice).c_str() : "");
      }
      continue;
    }
    if (line.rfind("g ", 0) == 0) {
      const Step* to = p.Find(line.substr(2));
      if (to == nullptr)
        std::printf("No step %s.\n", line.substr(2).c_str());
      else
        selected = to->id;
      continue;
    }
    if (line == "t" || line == "note") {
      req.kind = EventKind::kNote;
      if (!ReadLine("Note: ", req.value)) return kExitOk;
    } else if (s->is_decision()) {
      req.kind = EventKind::kChoice;
      req.value = line == "y" || line == "yes"  ? "true"
                  : line == "n" || line == "no" ? "false"
                                                : line;
    } else if (line == "d" || line == "done") {
      req.kind = EventKind::kDone;
    } else if (line == "s" || line == "skip") {
      req.kind = EventKind::kSkipped;
      if (!ReadLine("Why is it skipped? ", req.value)) return kExitOk;
    } else {
      std::printf("Not understood: \"%s\".\n", line.c_str());
      continue;
    }
    auto outcome = Apply(st, p, view.run, req, who, view.run.version);
    if (!outcome.ok()) {
      if (RefusalExit(outcome.error()) == kExitError)
        return Fail("playbook run", outcome.error().message);
      std::printf("Refused: %s\n", outcome.error().message.c_str());
      continue;
    }
    if (outcome->conflict) {
      std::printf("\nSomeone else updated this run meanwhile; nothing was recorded. They did:\n");
      for (const auto& e : outcome->theirs) {
        std::printf("  %s %s: %s %s %s\n", e.at.substr(0, 19).c_str(), e.actor.c_str(),
                    e.step_name.c_str(), e.kind.c_str(), e.value.c_str());
      }
      view = std::move(outcome->after);
      continue;
    }
    view = std::move(outcome->after);
    if (req.kind != EventKind::kNote) selected.clear();
    std::printf("\nRecorded: %s %s.\n", s->Handle().c_str(),
                req.kind == EventKind::kChoice
                    ? ("answered " + req.value).c_str()
                    : std::string(playbook::EventKindName(req.kind)).c_str());
  }
}

}  // namespace

int RunPlaybookRun(const Args& args) {
  RunFlags f;
  std::vector<std::string> names;
  po::options_description desc("beffroi playbook run [NAME] --incident N [options]");
  desc.add_options()("help,h", "show this help")("incident", po::value(&f.incident),
                                                 "the incident the run belongs to (required)")(
      "step", po::value(&f.step), "scripted mode: the step to act on (its ref or CACAO id)")(
      "done", po::bool_switch(&f.done), "mark the step done")("skip", po::bool_switch(&f.skip),
                                                              "skip the step (needs --reason)")(
      "reason", po::value(&f.reason), "why the step is skipped")(
      "note", po::value(&f.note), "add a note to the step (alone, or with --done/--skip/--choose)")(
      "choose", po::value(&f.choose), "answer a decision: true/yes, false/no, or a case name")(
      "aware-at", po::value(&f.aware_at),
      "when the city became aware (T0 of the legal clocks; default: when the incident was opened); "
      "only when the run starts")("json", po::bool_switch(&f.json), "print the outcome as JSON");
  desc.add_options()("playbooks", po::value(&f.dir),
                     "folder of playbooks (default: the bundled playbooks/)");
  AddDbFlag(desc, f.engine);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "name", 1, &names, "playbook run", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc
              << "\nWithout --step, a guided session: the current step, why it matters, its "
                 "checklist and commands, and the choices at decisions. q leaves; the same "
                 "command resumes.\nWithout NAME, the playbook suggested for the incident.\n"
                 "\nExamples:\n  beffroi playbook run ransomware --incident 1\n"
                 "  beffroi playbook run ransomware --incident 1 --step isolate-network --done "
                 "--note \"core switch ports down 07:42\"\n";
    return kExitOk;
  }
  if (f.incident <= 0) return Fail("playbook run", "give the incident: --incident N", kExitUsage);
  int actions = (f.done ? 1 : 0) + (f.skip ? 1 : 0) + (f.choose.empty() ? 0 : 1);
  if (actions > 1) return Fail("playbook run", "give one of --done, --skip, --choose", kExitUsage);
  if (f.skip && f.reason.empty()) return Fail("playbook run", "--skip needs --reason", kExitUsage);
  if (!f.reason.empty() && !f.skip)
    return Fail("playbook run", "--reason goes with --skip", kExitUsage);
  if (f.step.empty() && (actions > 0 || !f.note.empty()))
    return Fail("playbook run", "--done, --skip, --choose and --note need --step", kExitUsage);
  if (!f.step.empty() && actions == 0 && f.note.empty())
    return Fail("playbook run", "--step needs --done, --skip --reason, --choose or --note",
                kExitUsage);
  if (!f.aware_at.empty()) {
    auto t = ParseDateOrAge(f.aware_at, NowUnixNs());
    if (!t || f.aware_at.size() < 10)
      return Fail("playbook run", "--aware-at: a date and time, e.g. 2021-06-21T06:30:00Z",
                  kExitUsage);
    f.aware_at = FormatTimestampNs(*t);
  }
  if (f.step.empty() && f.json)
    return Fail("playbook run", "--json goes with --step (the guided session is for people)",
                kExitUsage);

  auto store = OpenStore(f.engine);
  if (!store.ok()) return Fail("playbook run", store.error().message);
  auto detail = (*store)->GetIncident(f.incident);
  if (!detail.ok()) return Fail("playbook run", detail.error().message);
  if (!detail->has_value())
    return Fail("playbook run", "no incident " + std::to_string(f.incident));

  std::string name = names.empty() ? "" : names[0];
  if (name.empty()) {
    auto catalog = LoadCatalog(f.dir);
    if (!catalog.ok()) return Fail("playbook run", catalog.error().message);
    auto response = BuildIncidentResponse(**store, **detail, *catalog, NowUnixNs());
    if (!response.ok()) return Fail("playbook run", response.error().message);
    if (!response->runs.empty() && response->runs.size() == 1) {
      name = response->runs[0].run.playbook_id;
    } else if (!response->suggestions.empty()) {
      name = response->suggestions[0].playbook->id;
    } else {
      return Fail("playbook run",
                  "no playbook fits incident " + std::to_string(f.incident) +
                      " on its own; name one (beffroi playbook list)",
                  kExitUsage);
    }
  }
  auto resolved = ResolvePlaybook(name, f.dir);
  if (!resolved.ok())
    return Fail("playbook run", resolved.error().message, PlaybookErrorExit(resolved.error()));
  const Playbook& p = *resolved->playbook;
  auto run = OpenRun(**store, p, f.incident, WhoIs(f.engine), f.aware_at);
  if (!run.ok()) return Fail("playbook run", run.error().message);
  if (!f.aware_at.empty() && run->run.aware_at != f.aware_at) {
    std::fprintf(stderr,
                 "beffroi: playbook run: note: --aware-at ignored: the run started already, "
                 "with T0 = %s\n",
                 run->run.aware_at.c_str());
  }
  if (run->run.playbook_sha256 != p.sha256) {
    std::fprintf(stderr,
                 "beffroi: playbook run: note: %s changed since this run started; steps are "
                 "matched by id\n",
                 p.source.c_str());
  }
  if (!f.step.empty()) return Scripted(**store, p, *run, f);
  return Interactive(**store, p, std::move(*run), f);
}

}  // namespace beffroi::cli
