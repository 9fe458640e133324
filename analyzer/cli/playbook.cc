// `beffroi playbook list|show|lint|run`: the response playbooks (CACAO 2.0, playbooks/).
#include <boost/program_options.hpp>
#include <filesystem>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"
#include "analyzer/cli/parse.h"
#include "analyzer/cli/playbook_cli.h"
#include "analyzer/playbook/deadlines.h"
#include "analyzer/playbook/loader.h"
#include "analyzer/playbook/runner.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace beffroi::cli {

using playbook::Playbook;
using playbook::Step;
using playbook::StepType;

std::string PlaybooksDir(const std::string& flag) {
  return flag.empty() ? BundledPlaybooksDir() : flag;
}

Result<playbook::Catalog> LoadCatalog(const std::string& flag) {
  std::string dir = PlaybooksDir(flag);
  if (dir.empty()) {
    return MakeError(
        ErrorCode::kNotFound,
        "no bundled playbooks found: give --playbooks DIR or set BEFFROI_PLAYBOOKS_DIR");
  }
  playbook::Catalog c = playbook::Catalog::LoadDirectory(dir);
  for (const std::string& e : c.errors)
    std::fprintf(stderr, "beffroi: playbook: %s\n", e.c_str());
  return c;
}

Result<ResolvedPlaybook> ResolvePlaybook(const std::string& name, const std::string& dir_flag) {
  ResolvedPlaybook out;
  std::error_code ec;
  if (name.find('/') != std::string::npos ||
      (name.size() > 5 && name.ends_with(".json") && fs::exists(name, ec))) {
    if (!fs::is_regular_file(name, ec))
      return MakeError(ErrorCode::kNotFound, name + ": no such playbook file");
    playbook::LoadResult r = playbook::LoadPlaybookFile(name);
    if (!r.playbook) {
      std::string all;
      for (const auto& d : r.diagnostics) {
        if (!d.warning) all += (all.empty() ? "" : "\n") + playbook::FormatDiagnostic(name, d);
      }
      return MakeError(ErrorCode::kInvalidArgument, all);
    }
    out.catalog.playbooks.push_back(std::move(*r.playbook));
    out.playbook = &out.catalog.playbooks.back();
    return out;
  }
  auto catalog = LoadCatalog(dir_flag);
  if (!catalog.ok()) return catalog.error();
  out.catalog = std::move(*catalog);
  out.playbook = out.catalog.Find(name);
  if (out.playbook == nullptr) {
    std::string names;
    for (const Playbook& p : out.catalog.playbooks)
      names += (names.empty() ? "" : ", ") + p.Handle();
    return MakeError(ErrorCode::kNotFound, "no playbook \"" + name + "\" (known: " + names + ")");
  }
  return out;
}

namespace {

void AddPlaybooksFlag(po::options_description& desc, std::string& dir) {
  desc.add_options()("playbooks", po::value(&dir),
                     "folder of playbooks (default: the bundled playbooks/)");
}

// Steps in the order a responder meets them, with each branch under the step that opens it.
void VisitInOrder(const Playbook& p, const std::string& head, int depth,
                  const std::function<void(const Step&, int, const std::string&)>& visit,
                  std::set<std::string>& seen) {
  std::string id = head;
  while (!id.empty() && seen.size() <= p.steps.size()) {
    const Step* s = p.Find(id);
    if (s == nullptr || !seen.insert(s->id).second) return;
    visit(*s, depth, "");
    std::vector<std::pair<std::string, std::string>> branches;
    if (s->type == StepType::kIfCondition || s->type == StepType::kWhileCondition) {
      if (!s->on_true.empty()) branches.emplace_back("yes", s->on_true);
      if (!s->on_false.empty()) branches.emplace_back("no", s->on_false);
    } else if (s->type == StepType::kSwitchCondition) {
      branches = s->cases;
    } else if (s->type == StepType::kParallel) {
      int n = 0;
      for (const std::string& b : s->next_steps)
        branches.emplace_back("branch " + std::to_string(++n), b);
    }
    for (const auto& [label, target] : branches) {
      visit(*s, depth + 1, label);
      VisitInOrder(p, target, depth + 2, visit, seen);
    }
    id = s->on_completion.empty() ? s->on_success : s->on_completion;
  }
}

nlohmann::json StepJson(const Playbook& p, const Step& s) {
  nlohmann::json commands = nlohmann::json::array();
  for (const auto& c : s.commands)
    commands.push_back({{"type", c.type}, {"command", c.text}, {"description", c.description}});
  nlohmann::json j = {{"id", s.id},
                      {"ref", s.ref},
                      {"type", playbook::StepTypeName(s.type)},
                      {"name", s.name},
                      {"description", s.description},
                      {"phase", s.phase},
                      {"roles", nlohmann::json::array()},
                      {"why", s.why},
                      {"checklist", s.checklist},
                      {"commands", commands}};
  for (const std::string& r : s.roles)
    j["roles"].push_back(RoleNames(p, {r}));
  if (!s.agent.empty()) j["lead"] = RoleNames(p, {s.agent});
  if (s.is_decision()) {
    j["question"] = s.question;
    j["condition"] = s.condition;
    j["variable"] = s.variable;
    j["choices"] = playbook::ChoicesOf(s);
  }
  if (!s.legal_clock.empty()) j["legal_clock"] = s.legal_clock;
  return j;
}

int List(const Args& args) {
  std::string dir;
  bool json = false;
  po::options_description desc("beffroi playbook list [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON");
  AddPlaybooksFlag(desc, dir);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "", 0, nullptr, "playbook list", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc;
    return kExitOk;
  }
  auto catalog = LoadCatalog(dir);
  if (!catalog.ok()) return Fail("playbook list", catalog.error().message);
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const Playbook& p : catalog->playbooks) {
      out.push_back({{"name", p.Handle()},
                     {"id", p.id},
                     {"title", p.name},
                     {"aliases", p.aliases},
                     {"steps", p.steps.size()},
                     {"legal_clocks", p.legal_clocks},
                     {"file", p.source}});
    }
    std::cout << Dump(out, 2) << "\n";
  } else {
    std::printf("%-20s %5s  %s\n", "NAME", "STEPS", "TITLE");
    for (const Playbook& p : catalog->playbooks)
      std::printf("%-20s %5zu  %s\n", p.Handle().c_str(), p.steps.size(), p.name.c_str());
  }
  return catalog->errors.empty() ? kExitOk : kExitError;
}

int Show(const Args& args) {
  std::string dir;
  bool json = false;
  std::vector<std::string> names;
  po::options_description desc("beffroi playbook show NAME|FILE [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON");
  AddPlaybooksFlag(desc, dir);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "name", 1, &names, "playbook show", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc << "\nExample:\n  beffroi playbook show ransomware\n";
    return kExitOk;
  }
  if (names.size() != 1) return Fail("playbook show", "give one playbook name or file", kExitUsage);
  auto resolved = ResolvePlaybook(names[0], dir);
  if (!resolved.ok())
    return Fail("playbook show", resolved.error().message, PlaybookErrorExit(resolved.error()));
  const Playbook& p = *resolved->playbook;
  std::set<std::string> seen;
  if (json) {
    nlohmann::json steps = nlohmann::json::array();
    VisitInOrder(
        p, p.workflow_start, 0,
        [&](const Step& s, int, const std::string& label) {
          if (label.empty()) steps.push_back(StepJson(p, s));
        },
        seen);
    nlohmann::json roles = nlohmann::json::array();
    for (const auto& [id, a] : p.agents)
      roles.push_back(
          {{"id", id}, {"type", a.type}, {"name", a.name}, {"description", a.description}});
    std::cout << Dump({{"name", p.Handle()},
                       {"id", p.id},
                       {"title", p.name},
                       {"description", p.description},
                       {"aliases", p.aliases},
                       {"attack_techniques", p.techniques},
                       {"legal_clocks", p.legal_clocks},
                       {"roles", roles},
                       {"steps", steps},
                       {"file", p.source},
                       {"sha256", p.sha256}},
                      2)
              << "\n";
    return kExitOk;
  }
  std::printf("%s (%s)\n%s\n\n", p.name.c_str(), p.Handle().c_str(), p.id.c_str());
  if (!p.description.empty()) std::printf("%s\n\n", p.description.c_str());
  std::printf("Roles:\n");
  for (const auto& [id, a] : p.agents)
    std::printf("  - %s%s%s\n", a.name.c_str(), a.description.empty() ? "" : ": ",
                a.description.c_str());
  if (!p.legal_clocks.empty()) {
    std::printf("Legal clocks:\n");
    for (const std::string& c : p.legal_clocks) {
      const auto* def = playbook::FindClock(c);
      std::printf("  - %s: %s\n", c.c_str(), def ? std::string(def->title).c_str() : "?");
    }
  }
  std::printf("\n");
  int number = 0;
  std::string phase;
  VisitInOrder(
      p, p.workflow_start, 0,
      [&](const Step& s, int depth, const std::string& label) {
        std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
        if (!label.empty()) {
          std::printf("%s%s:\n", pad.c_str(), label.c_str());
          return;
        }
        if (s.type == StepType::kStart || s.type == StepType::kEnd ||
            s.type == StepType::kParallel) {
          if (s.type == StepType::kParallel)
            std::printf("%sin parallel (%s):\n", pad.c_str(), s.Label().c_str());
          return;
        }
        if (!s.phase.empty() && s.phase != phase && depth == 0) {
          phase = s.phase;
          std::printf("== %s ==\n", phase.c_str());
        }
        if (s.is_decision()) {
          std::printf("%s?  %s [%s]\n", pad.c_str(),
                      s.question.empty() ? s.condition.c_str() : s.question.c_str(),
                      s.Handle().c_str());
          return;
        }
        std::printf("%s%2d. %s [%s]%s%s\n", pad.c_str(), ++number, s.Label().c_str(),
                    s.Handle().c_str(), s.agent.empty() ? "" : " - ",
                    RoleNames(p, {s.agent}).c_str());
        if (!s.why.empty()) std::printf("%s    why: %s\n", pad.c_str(), s.why.c_str());
        for (const std::string& c : s.checklist)
          std::printf("%s    [ ] %s\n", pad.c_str(), c.c_str());
        for (const auto& c : s.commands) {
          std::printf("%s    %s %s\n", pad.c_str(), c.type == "manual" ? "-" : "$", c.text.c_str());
        }
        if (!s.legal_clock.empty())
          std::printf("%s    legal clock: %s\n", pad.c_str(), s.legal_clock.c_str());
      },
      seen);
  return kExitOk;
}

int Lint(const Args& args) {
  std::vector<std::string> paths;
  bool json = false;
  po::options_description desc("beffroi playbook lint [FILE|DIR...] [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON");
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "path", -1, &paths, "playbook lint", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc
              << "\nWith no FILE, lints the bundled playbooks. Prints FILE:LINE: message "
                 "for JSON errors and FILE: STEP-ID: message for the rest.\n";
    return kExitOk;
  }
  if (paths.empty()) {
    std::string dir = BundledPlaybooksDir();
    if (dir.empty())
      return Fail("playbook lint", "no bundled playbooks found; give a FILE", kExitUsage);
    paths.push_back(dir);
  }
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> in_dir;
      for (const auto& e : fs::directory_iterator(p, ec)) {
        if (e.path().extension() == ".json") in_dir.push_back(e.path().string());
      }
      std::sort(in_dir.begin(), in_dir.end());
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
      std::fprintf(stderr, "%s: no such playbook file\n", f.c_str());
      unreadable = true;
      continue;
    }
    playbook::LoadResult r = playbook::LoadPlaybookFile(f);
    for (const auto& d : r.diagnostics) {
      (d.warning ? warnings : errors) += 1;
      if (json) {
        out.push_back({{"file", f},
                       {"line", d.line},
                       {"where", d.where},
                       {"message", d.message},
                       {"severity", d.warning ? "warning" : "error"}});
      } else {
        std::printf("%s\n", playbook::FormatDiagnostic(f, d).c_str());
      }
    }
  }
  if (json)
    std::cout << Dump(out, 2) << "\n";
  else if (errors == 0)
    std::fprintf(stderr, "%zu playbook(s): no errors, %d warning(s)\n", files.size(), warnings);
  if (errors > 0) return kExitUsage;
  return unreadable ? kExitError : kExitOk;
}

}  // namespace

std::string RoleNames(const Playbook& p, const std::vector<std::string>& roles) {
  std::string out;
  for (const std::string& r : roles) {
    auto it = p.agents.find(r);
    out += (out.empty() ? "" : ", ") + (it == p.agents.end() ? r : it->second.name);
  }
  return out;
}

int PlaybookErrorExit(const Error& e) {
  return e.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitError;
}

int RunPlaybook(const Args& args, const Args& /*argv_all*/) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::printf(
        "Usage:\n"
        "  beffroi playbook list [--playbooks DIR] [--json]\n"
        "  beffroi playbook show NAME|FILE [--json]\n"
        "  beffroi playbook lint [FILE|DIR...] [--json]\n"
        "  beffroi playbook run [NAME] --incident N [--db FILE] [--as NAME]\n"
        "  beffroi playbook run [NAME] --incident N --step STEP (--done | --skip --reason R |\n"
        "                       --note TEXT | --choose ANSWER) [--json]\n");
    return args.empty() ? kExitUsage : kExitOk;
  }
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "list") return List(rest);
  if (args[0] == "show") return Show(rest);
  if (args[0] == "lint") return Lint(rest);
  if (args[0] == "run") return RunPlaybookRun(rest);
  return Fail("playbook", "unknown subcommand \"" + args[0] + "\" (list, show, lint, run)",
              kExitUsage);
}

}  // namespace beffroi::cli
