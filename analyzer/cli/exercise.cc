// `beffroi exercise list|show|lint|run|report`: tabletop exercises on the real playbooks.
#include <boost/program_options.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"
#include "analyzer/cli/exercise_cli.h"
#include "analyzer/cli/parse.h"
#include "analyzer/cli/playbook_cli.h"
#include "analyzer/playbook/deadlines.h"
#include "common/fs.h"
#include "common/text.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace beffroi::cli {

using exercise::Scenario;

std::string ScenariosDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  std::string playbooks = BundledPlaybooksDir();
  return playbooks.empty() ? "" : playbooks + "/exercises";
}

std::vector<std::string> ScenarioFiles(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json" && it->is_regular_file(ec))
      files.push_back(it->path().string());
    if (files.size() > playbook::kMaxCatalogFiles) break;
  }
  std::sort(files.begin(), files.end());
  return files;
}

exercise::StepIndex IndexSteps(const playbook::Catalog& catalog) {
  exercise::StepIndex index;
  for (const playbook::Playbook& p : catalog.playbooks) {
    std::map<std::string, std::string> refs;
    for (const playbook::Step& s : p.steps) {
      if (!s.ref.empty()) refs[s.ref] = s.legal_clock;
    }
    index.playbooks[p.Handle()] = refs;
    for (const std::string& a : p.aliases)
      index.playbooks.emplace(a, refs);
  }
  return index;
}

std::vector<exercise::LegalClock> ClocksOf(const playbook::Catalog& catalog,
                                           const std::string& name) {
  std::vector<exercise::LegalClock> out;
  const playbook::Playbook* p = catalog.Find(name);
  if (p == nullptr) return out;
  for (const playbook::ClockDef& def : playbook::AllClocks()) {
    if (std::find(p->legal_clocks.begin(), p->legal_clocks.end(), def.id) == p->legal_clocks.end())
      continue;
    out.push_back({std::string(def.id), std::string(def.title), std::string(def.law), def.hours});
  }
  return out;
}

std::string DefaultExerciseDb(const std::string& scenario_id) {
  std::string base;
  if (const char* d = std::getenv("BEFFROI_STATE_DIR"); d != nullptr && *d != '\0') {
    base = d;
  } else if (const char* x = std::getenv("XDG_STATE_HOME"); x != nullptr && *x != '\0') {
    base = std::string(x) + "/beffroi";
  } else if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    base = std::string(h) + "/.local/state/beffroi";
  } else {
    base = ".beffroi-state";
  }
  return base + "/exercises/" + scenario_id + "/exercise.db";
}

void FollowExerciseClock(const store::ExerciseSessionRow& s) {
  std::int64_t start = ParseDateOrAge(s.scenario_start, 0).value_or(0);
  exercise::ClockState c{s.clock_elapsed_ns, s.clock_anchor_ns, s.clock_speed, s.clock_running};
  SetNowOverride([start, c](std::int64_t wall) { return start + exercise::Elapsed(c, wall); });
}

namespace {

// Lints one file: its own faults, then its links to the playbooks.
exercise::LoadResult LintFile(const std::string& file, const exercise::StepIndex& steps) {
  exercise::LoadResult r = exercise::LoadScenarioFile(file);
  if (r.scenario) {
    auto links = exercise::LintSteps(*r.scenario, steps);
    r.diagnostics.insert(r.diagnostics.end(), links.begin(), links.end());
    if (exercise::HasErrors(links)) r.scenario.reset();
  }
  return r;
}

}  // namespace

Result<Scenario> ResolveScenario(const std::string& name, const std::string& dir_flag,
                                 const exercise::StepIndex& steps) {
  std::string file;
  std::error_code ec;
  if (name.find('/') != std::string::npos || (name.ends_with(".json") && fs::exists(name, ec))) {
    file = name;
  } else {
    std::string dir = ScenariosDir(dir_flag);
    if (dir.empty())
      return MakeError(ErrorCode::kNotFound,
                       "no bundled scenarios found: give --scenarios DIR or a FILE");
    std::string known;
    for (const std::string& f : ScenarioFiles(dir)) {
      exercise::LoadResult r = exercise::LoadScenarioFile(f);
      std::string id = r.scenario ? r.scenario->id : "";
      if (id == name || fs::path(f).stem().string() == name) {
        file = f;
        break;
      }
      if (!id.empty()) known += (known.empty() ? "" : ", ") + id;
    }
    if (file.empty())
      return MakeError(ErrorCode::kNotFound, "no scenario \"" + name + "\" (known: " + known + ")");
  }
  exercise::LoadResult r = LintFile(file, steps);
  if (!r.scenario) {
    std::string all;
    for (const auto& d : r.diagnostics) {
      if (!d.warning) all += (all.empty() ? "" : "\n") + exercise::FormatDiagnostic(file, d);
    }
    return MakeError(ErrorCode::kInvalidArgument, all);
  }
  return std::move(*r.scenario);
}

namespace {

void AddScenarioFlags(po::options_description& desc, std::string& scenarios,
                      std::string& playbooks) {
  desc.add_options()("scenarios", po::value(&scenarios),
                     "folder of scenarios (default: the bundled playbooks/exercises/)")(
      "playbooks", po::value(&playbooks), "folder of playbooks (default: the bundled playbooks/)");
}

nlohmann::json ScenarioJson(const Scenario& s) {
  nlohmann::json injects = nlohmann::json::array(), actions = nlohmann::json::array();
  for (const auto& in : s.injects) {
    nlohmann::json arts = nlohmann::json::array();
    for (const auto& a : in.artefacts)
      arts.push_back({{"kind", a.kind}, {"family", a.family}, {"host", a.host}, {"path", a.path}});
    injects.push_back({{"id", in.id},
                       {"at", exercise::FormatScenarioTime(in.at_minutes)},
                       {"module", in.module},
                       {"title", in.title},
                       {"text", in.text},
                       {"to", in.to},
                       {"channel", in.channel},
                       {"expects", in.expects},
                       {"contingency", in.contingency},
                       {"artefacts", arts}});
  }
  for (const auto& a : s.actions)
    actions.push_back({{"id", a.id},
                       {"text", a.text},
                       {"team", a.team},
                       {"playbook", s.PlaybookOf(a)},
                       {"step", a.step},
                       {"by", a.by_minutes ? exercise::FormatScenarioTime(*a.by_minutes) : ""},
                       {"milestone", a.milestone}});
  nlohmann::json modules = nlohmann::json::array();
  for (const auto& m : s.modules)
    modules.push_back({{"id", m.id}, {"title", m.title}, {"questions", m.questions}});
  return {{"id", s.id},         {"title", s.title},       {"summary", s.summary},
          {"start", s.start},   {"playbook", s.playbook}, {"duration_minutes", s.duration_minutes},
          {"modules", modules}, {"injects", injects},     {"expected_actions", actions},
          {"file", s.source},   {"sha256", s.sha256}};
}

int List(const Args& args) {
  std::string scenarios, playbooks;
  bool json = false;
  po::options_description desc("beffroi exercise list [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON");
  AddScenarioFlags(desc, scenarios, playbooks);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "", 0, nullptr, "exercise list", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc;
    return kExitOk;
  }
  std::string dir = ScenariosDir(scenarios);
  if (dir.empty()) return Fail("exercise list", "no bundled scenarios found; give --scenarios");
  nlohmann::json out = nlohmann::json::array();
  bool bad = false;
  if (!json) std::printf("%-22s %7s %8s  %s\n", "NAME", "INJECTS", "MINUTES", "TITLE");
  for (const std::string& f : ScenarioFiles(dir)) {
    exercise::LoadResult r = exercise::LoadScenarioFile(f);
    if (!r.scenario) {
      std::fprintf(stderr, "beffroi: exercise: %s does not load (see beffroi exercise lint)\n",
                   f.c_str());
      bad = true;
      continue;
    }
    const Scenario& s = *r.scenario;
    if (json)
      out.push_back({{"name", s.id},
                     {"title", s.title},
                     {"injects", s.injects.size()},
                     {"duration_minutes", s.duration_minutes},
                     {"playbook", s.playbook},
                     {"file", f}});
    else
      std::printf("%-22s %7zu %8lld  %s\n", s.id.c_str(), s.injects.size(),
                  static_cast<long long>(s.duration_minutes), s.title.c_str());
  }
  if (json) std::cout << Dump(out, 2) << "\n";
  return bad ? kExitError : kExitOk;
}

int Show(const Args& args) {
  std::string scenarios, playbooks;
  bool json = false;
  std::vector<std::string> names;
  po::options_description desc("beffroi exercise show SCENARIO [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON");
  AddScenarioFlags(desc, scenarios, playbooks);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "scenario", 1, &names, "exercise show", vm))
    return *code;
  if (vm.count("help")) {
    std::cout << desc << "\nExample:\n  beffroi exercise show liege-2021\n";
    return kExitOk;
  }
  if (names.size() != 1) return Fail("exercise show", "give one scenario", kExitUsage);
  auto catalog = LoadCatalog(playbooks);
  if (!catalog.ok()) return Fail("exercise show", catalog.error().message);
  auto s = ResolveScenario(names[0], scenarios, IndexSteps(*catalog));
  if (!s.ok()) return Fail("exercise show", s.error().message, PlaybookErrorExit(s.error()));
  if (json) {
    std::cout << Dump(ScenarioJson(*s), 2) << "\n";
    return kExitOk;
  }
  std::printf("%s (%s)\nT+0 = %s, about %lld minutes, playbook %s\n\n%s\n\nObjectives:\n",
              s->title.c_str(), s->id.c_str(), s->start.c_str(),
              static_cast<long long>(s->duration_minutes), s->playbook.c_str(), s->summary.c_str());
  for (const auto& o : s->objectives)
    std::printf("  %s: %s\n", o.id.c_str(), o.text.c_str());
  std::printf("Participants:\n");
  for (const auto& p : s->participants)
    std::printf("  %-12s %s: %s\n", p.id.c_str(), p.name.c_str(), p.role.c_str());
  for (const auto& m : s->modules) {
    std::printf("\n== %s ==\n", m.title.c_str());
    for (const auto& in : s->injects) {
      if (in.module != m.id) continue;
      std::string to;
      for (const auto& t : in.to)
        to += (to.empty() ? "" : ", ") + t;
      std::printf(
          "  %-8s %-6s %s -> %s (%s)%s%s\n", exercise::FormatScenarioTime(in.at_minutes).c_str(),
          in.id.c_str(), in.title.c_str(), to.c_str(), in.channel.c_str(),
          in.artefacts.empty() ? "" : " [evidence]", in.contingency ? " [contingency]" : "");
    }
    std::printf("  Discussion:\n");
    for (const auto& q : m.questions)
      std::printf("    - %s\n", q.c_str());
  }
  std::printf("\nExpected actions:\n");
  for (const auto& a : s->actions)
    std::printf("  %-22s %-8s %s [%s / %s]\n", a.id.c_str(),
                a.by_minutes ? exercise::FormatScenarioTime(*a.by_minutes).c_str() : "",
                a.text.c_str(), s->PlaybookOf(a).c_str(), a.step.c_str());
  return kExitOk;
}

int Lint(const Args& args) {
  std::vector<std::string> paths;
  std::string scenarios, playbooks;
  bool json = false;
  po::options_description desc("beffroi exercise lint [FILE|DIR...] [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON");
  AddScenarioFlags(desc, scenarios, playbooks);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "path", -1, &paths, "exercise lint", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc
              << "\nWith no FILE, lints the bundled scenarios. Prints FILE:LINE: message for "
                 "JSON errors and FILE: ITEM: message for the rest (missing playbook steps, "
                 "injects or participants, injects out of time order).\n";
    return kExitOk;
  }
  if (paths.empty()) {
    std::string dir = ScenariosDir(scenarios);
    if (dir.empty()) return Fail("exercise lint", "no bundled scenarios; give a FILE", kExitUsage);
    paths.push_back(dir);
  }
  auto catalog = LoadCatalog(playbooks);
  if (!catalog.ok()) return Fail("exercise lint", catalog.error().message);
  exercise::StepIndex steps = IndexSteps(*catalog);
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      auto in_dir = ScenarioFiles(p);
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else {
      files.push_back(p);
    }
  }
  int errors = 0, warnings = 0;
  bool unreadable = false;
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& f : files) {
    std::error_code ec;
    if (!fs::is_regular_file(f, ec)) {
      std::fprintf(stderr, "%s: no such scenario file\n", f.c_str());
      unreadable = true;
      continue;
    }
    exercise::LoadResult r = LintFile(f, steps);
    for (const auto& d : r.diagnostics) {
      (d.warning ? warnings : errors) += 1;
      if (json)
        out.push_back({{"file", f},
                       {"line", d.line},
                       {"where", d.where},
                       {"message", d.message},
                       {"severity", d.warning ? "warning" : "error"}});
      else
        std::printf("%s\n", exercise::FormatDiagnostic(f, d).c_str());
    }
  }
  if (json)
    std::cout << Dump(out, 2) << "\n";
  else if (errors == 0)
    std::fprintf(stderr, "%zu scenario(s): no errors, %d warning(s)\n", files.size(), warnings);
  if (errors > 0) return kExitUsage;
  return unreadable ? kExitError : kExitOk;
}

int Report(const Args& args) {
  std::string scenarios, playbooks, format = "md", out_file;
  EngineFlags flags;
  flags.db.clear();
  std::vector<std::string> names;
  po::options_description desc("beffroi exercise report SESSION [options]");
  desc.add_options()("help,h", "show this help")(
      "format", po::value(&format)->default_value(format), "md or html")(
      "out,o", po::value(&out_file), "write the report here (default: standard output)")(
      "db", po::value(&flags.db), "exercise database (default: the scenario's state directory)");
  AddScenarioFlags(desc, scenarios, playbooks);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "session", 1, &names, "exercise report", vm))
    return *code;
  if (vm.count("help")) {
    std::cout << desc
              << "\nSESSION is a session number or a scenario name (its latest session).\n"
                 "Example:\n  beffroi exercise report liege-2021 --format html -o aar.html\n";
    return kExitOk;
  }
  if (names.size() != 1) return Fail("exercise report", "give one SESSION", kExitUsage);
  if (format != "md" && format != "html")
    return Fail("exercise report", "--format: md or html", kExitUsage);
  const std::string& name = names[0];
  bool numeric = !name.empty() && std::all_of(name.begin(), name.end(), ::isdigit);
  if (flags.db.empty()) {
    if (numeric) return Fail("exercise report", "give --db with a session number", kExitUsage);
    flags.db = DefaultExerciseDb(name);
  }
  auto store = OpenStore(flags, /*read_only=*/true);
  if (!store.ok()) return Fail("exercise report", store.error().message);
  std::optional<store::ExerciseSessionRow> row;
  auto sessions = (*store)->ListExerciseSessions();
  if (!sessions.ok()) return Fail("exercise report", sessions.error().message);
  for (const auto& s : *sessions) {
    if ((numeric && std::to_string(s.id) == name) || (!numeric && s.scenario_id == name)) row = s;
  }
  if (!row) return Fail("exercise report", "no session \"" + name + "\" in " + flags.db);
  auto catalog = LoadCatalog(playbooks);
  if (!catalog.ok()) return Fail("exercise report", catalog.error().message);
  exercise::StepIndex steps = IndexSteps(*catalog);
  // The scenario file the session ran; refuse a changed file rather than misreport.
  auto scenario = ResolveScenario(row->scenario_file, scenarios, steps);
  if (!scenario.ok()) scenario = ResolveScenario(row->scenario_id, scenarios, steps);
  if (!scenario.ok()) return Fail("exercise report", scenario.error().message);
  if (scenario->sha256 != row->scenario_sha256)
    std::fprintf(stderr, "beffroi: exercise report: warning: %s changed since the session ran\n",
                 scenario->source.c_str());
  auto events = (*store)->ListExerciseEvents(row->id);
  if (!events.ok()) return Fail("exercise report", events.error().message);
  std::vector<exercise::SessionEvent> folded;
  for (const auto& e : *events) {
    exercise::SessionEvent x;
    x.kind = exercise::EventKindFromName(e.kind).value_or(exercise::EventKind::kNote);
    x.ref = e.ref;
    x.team = e.team;
    x.value = e.value;
    x.detail = e.detail;
    x.elapsed_ns = e.elapsed_ns;
    x.took_ns = e.took_ns;
    x.wall_ns = e.wall_ns;
    x.actor = e.actor;
    folded.push_back(std::move(x));
  }
  exercise::SessionState state = exercise::SessionState::Fold(folded);
  exercise::ReportInput in;
  in.scenario = &*scenario;
  in.state = &state;
  in.session_id = row->id;
  in.created_at = row->created_at;
  in.created_by = row->created_by;
  in.finished_at = row->finished_at.value_or("");
  in.steps = steps;
  in.clocks = ClocksOf(*catalog, scenario->playbook);
  store::IncidentFilter filter;
  if (auto incidents = (*store)->ListIncidents(filter); incidents.ok()) {
    for (const auto& i : *incidents)
      in.incidents.push_back("#" + std::to_string(i.id) + " " + i.title + " (" + i.severity +
                             "), first seen " + i.first_seen);
  }
  std::string text = format == "html" ? exercise::RenderHtml(in) : exercise::RenderMarkdown(in);
  if (out_file.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  if (Status s = WriteFileAtomic(out_file, text); !s.ok())
    return Fail("exercise report", s.error().message);
  std::fprintf(stderr, "Wrote %s\n", out_file.c_str());
  return kExitOk;
}

}  // namespace

int RunExercise(const Args& args, const Args& argv_all) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::printf(
        "Usage:\n"
        "  beffroi exercise list [--json]\n"
        "  beffroi exercise show SCENARIO [--json]\n"
        "  beffroi exercise lint [FILE|DIR...] [--json]\n"
        "  beffroi exercise run SCENARIO [--db PATH] [--answers FILE] [--as NAME]\n"
        "  beffroi exercise report SESSION [--db PATH] [--format md|html] [--out FILE]\n");
    return args.empty() ? kExitUsage : kExitOk;
  }
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "list") return List(rest);
  if (args[0] == "show") return Show(rest);
  if (args[0] == "lint") return Lint(rest);
  if (args[0] == "run") return RunExerciseRun(rest, argv_all);
  if (args[0] == "report") return Report(rest);
  return Fail("exercise", "unknown subcommand \"" + args[0] + "\" (list, show, lint, run, report)",
              kExitUsage);
}

}  // namespace beffroi::cli
