// `beffroi exercise run SCENARIO`: the facilitator's console (or an --answers script) over a
// session stored in the exercise database. Injects that carry evidence are generated into the
// exercise's folder and analyzed by the real pipeline (the host agent's file events, the
// analyzer's bundle ingest, YARA and IOC matching, correlation) with every time set to the
// inject's scenario time, so the incidents, playbook runs and legal clocks that participants
// see with `beffroi incidents` and `beffroi playbook run --db` follow the trainer's clock.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "agents/host/file_event.h"
#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"
#include "analyzer/cli/exercise_cli.h"
#include "analyzer/cli/parse.h"
#include "analyzer/cli/playbook_cli.h"
#include "analyzer/exercise/artefacts.h"
#include "common/bundle.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/text.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace beffroi::cli {

namespace {

using exercise::Scenario;
using exercise::SessionEvent;

// Where a story's files "were": the host's share, as participants will see the paths.
constexpr std::string_view kShareRoot = "/srv/shares/";

store::ExerciseEventRow ToRow(const SessionEvent& e) {
  store::ExerciseEventRow r;
  r.kind = std::string(exercise::EventKindName(e.kind));
  r.ref = e.ref;
  r.team = e.team;
  r.value = e.value;
  r.detail = e.detail;
  r.elapsed_ns = e.elapsed_ns;
  r.took_ns = e.took_ns;
  r.wall_ns = e.wall_ns;
  r.actor = e.actor;
  return r;
}

SessionEvent FromRow(const store::ExerciseEventRow& r) {
  SessionEvent e;
  e.kind = exercise::EventKindFromName(r.kind).value_or(exercise::EventKind::kNote);
  e.ref = r.ref;
  e.team = r.team;
  e.value = r.value;
  e.detail = r.detail;
  e.elapsed_ns = r.elapsed_ns;
  e.took_ns = r.took_ns;
  e.wall_ns = r.wall_ns;
  e.actor = r.actor;
  return e;
}

// Runs `fn` with standard output sent to `path` (the analyzer's summary of an inject's
// evidence is kept there, not printed in the middle of the console).
int WithStdoutTo(const std::string& path, const std::function<int()>& fn) {
  std::fflush(stdout);
  int saved = ::dup(STDOUT_FILENO);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (saved < 0 || fd < 0) {
    if (saved >= 0) ::close(saved);
    if (fd >= 0) ::close(fd);
    return fn();
  }
  ::dup2(fd, STDOUT_FILENO);
  ::close(fd);
  int code = fn();
  std::fflush(stdout);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  return code;
}

class ExerciseRun {
 public:
  ExerciseRun(Scenario scenario, std::unique_ptr<store::Store> store, EngineFlags flags,
              Args argv_all)
      : s_(std::move(scenario)),
        store_(std::move(store)),
        flags_(std::move(flags)),
        argv_(std::move(argv_all)),
        actor_(Actor(flags_)),
        evidence_dir_(flags_.db + ".exercise") {}

  Status Open() {
    auto open = store_->FindOpenExerciseSession(s_.id);
    if (!open.ok()) return open.error();
    if (open->has_value()) {
      row_ = **open;
      auto events = store_->ListExerciseEvents(row_.id);
      if (!events.ok()) return events.error();
      for (const auto& e : *events)
        events_.push_back(FromRow(e));
      state_ = exercise::SessionState::Fold(events_);
      if (row_.scenario_sha256 != s_.sha256)
        std::fprintf(stderr, "beffroi: exercise: warning: %s changed since session %lld began\n",
                     s_.source.c_str(), static_cast<long long>(row_.id));
      std::printf("Resuming session %lld of %s at %s (%zu of %zu injects delivered).\n",
                  static_cast<long long>(row_.id), s_.id.c_str(),
                  exercise::FormatElapsed(state_.last_elapsed_ns).c_str(), state_.delivered.size(),
                  s_.injects.size());
      resumed_ = true;
      return Persist({exercise::ResumeEvent(state_, WallClockUnixNs())}, false);
    }
    store::ExerciseSessionRow r;
    r.scenario_id = s_.id;
    r.scenario_title = s_.title;
    r.scenario_file = fs::absolute(s_.source).string();
    r.scenario_sha256 = s_.sha256;
    r.scenario_start = s_.start;
    r.created_at = FormatTimestampNs(WallClockUnixNs());
    r.created_by = actor_;
    auto id = store_->CreateExerciseSession(r);
    if (!id.ok()) return id.error();
    r.id = *id;
    r.clock_anchor_ns = WallClockUnixNs();
    row_ = r;
    (void)store_->AppendAudit(WhoIs(flags_), "exercise.started", "exercise_session", r.id,
                              Dump(nlohmann::json{{"scenario", s_.id}, {"sha256", s_.sha256}}),
                              r.created_at);
    std::printf("Session %lld of %s (%s). Scenario T+0 is %s.\nExercise database: %s\n",
                static_cast<long long>(r.id), s_.id.c_str(), s_.title.c_str(), s_.start.c_str(),
                flags_.db.c_str());
    return Persist({}, false);
  }

  // Evidence first (idempotent), then the events and the clock in one transaction.
  Status Persist(std::vector<SessionEvent> events, bool answers_line) {
    for (SessionEvent& e : events) {
      e.actor = actor_;
      if (e.kind == exercise::EventKind::kInject) {
        const exercise::Inject* in = s_.FindInject(e.ref);
        if (in != nullptr) {
          if (Status st = Evidence(*in, e.elapsed_ns); !st.ok()) return st;
        }
      }
    }
    std::vector<SessionEvent> all = events_;
    all.insert(all.end(), events.begin(), events.end());
    exercise::SessionState next = exercise::SessionState::Fold(all);
    store::ExerciseSessionRow row = row_;
    row.clock_elapsed_ns = next.clock.elapsed_ns;
    row.clock_anchor_ns = next.clock.anchor_ns;
    row.clock_speed = next.clock.speed;
    row.clock_running = next.clock.running;
    if (answers_line) ++row.answers_applied;
    std::vector<store::ExerciseEventRow> rows;
    for (const SessionEvent& e : events)
      rows.push_back(ToRow(e));
    std::optional<std::string> finished;
    if (next.ended && !state_.ended) finished = FormatTimestampNs(WallClockUnixNs());
    if (Status st = store_->AppendExerciseEvents(row, rows, finished); !st.ok()) return st;
    if (finished) row.finished_at = finished;
    row_ = row;
    events_ = std::move(all);
    state_ = std::move(next);
    FollowExerciseClock(row_);
    for (const SessionEvent& e : events)
      Announce(e);
    return OkStatus();
  }

  Status Command(const exercise::Command& c, bool answers_line) {
    auto events = exercise::Apply(s_, state_, c, WallClockUnixNs());
    if (!events.ok()) return events.error();
    return Persist(std::move(*events), answers_line);
  }

  Status DeliverDue() {
    auto due = exercise::DeliverDue(s_, state_, WallClockUnixNs());
    return due.empty() ? OkStatus() : Persist(std::move(due), false);
  }

  void PrintStatus() const {
    std::int64_t now = exercise::Elapsed(state_.clock, WallClockUnixNs());
    std::printf("Clock %s (%s, x%g), story time %s\n", exercise::FormatElapsed(now).c_str(),
                state_.ended           ? "ended"
                : state_.clock.running ? "running"
                                       : "paused",
                state_.clock.speed, FormatTimestampNs(s_.start_ns + now).substr(0, 16).c_str());
    const exercise::Inject* next = exercise::NextInject(s_, state_);
    if (next != nullptr)
      std::printf("Next inject: %s at %s: %s\n", next->id.c_str(),
                  exercise::FormatScenarioTime(next->at_minutes).c_str(), next->title.c_str());
    else
      std::printf("Every inject has been delivered.\n");
    std::string open;
    for (const auto& a : s_.actions) {
      if (state_.ticks.count(a.id) == 0) open += " " + a.id;
    }
    std::printf("Not rated yet:%s\n", open.empty() ? " (none)" : open.c_str());
  }

  const exercise::SessionState& state() const { return state_; }
  const store::ExerciseSessionRow& row() const { return row_; }
  const Scenario& scenario() const { return s_; }

 private:
  void Announce(const SessionEvent& e) const {
    using exercise::EventKind;
    std::string at = exercise::FormatElapsed(e.elapsed_ns);
    if (e.kind == EventKind::kInject) {
      const exercise::Inject* in = s_.FindInject(e.ref);
      if (in == nullptr) return;
      std::string to;
      for (const auto& t : in->to) {
        const auto* p = s_.FindParticipant(t);
        to += (to.empty() ? "" : ", ") + (p ? p->name : t);
      }
      std::printf("\n=== %s  inject %s: %s\n    to %s, by %s\n    Read out: %s\n", at.c_str(),
                  in->id.c_str(), in->title.c_str(), to.c_str(), in->channel.c_str(),
                  in->text.c_str());
      if (!in->artefacts.empty())
        std::printf("    Evidence is in the exercise database: beffroi incidents list --db %s\n",
                    flags_.db.c_str());
      for (const auto& a : in->expects) {
        const auto* x = s_.FindAction(a);
        if (x)
          std::printf("    Expect: %s (%s) [%s]\n", x->text.c_str(), x->team.c_str(), a.c_str());
      }
    } else if (e.kind == EventKind::kClock) {
      std::printf("[%s] clock %s\n", at.c_str(), e.value.c_str());
    } else if (e.kind == EventKind::kDecision) {
      std::printf("[%s] decision by %s, after %s\n", at.c_str(), e.team.c_str(),
                  playbook_span(e.took_ns).c_str());
    } else if (e.kind == EventKind::kTick) {
      std::printf("[%s] %s: %s\n", at.c_str(), e.ref.c_str(), e.value.c_str());
    } else if (e.kind == EventKind::kEnd) {
      std::printf(
          "[%s] exercise ended. Report: beffroi exercise report %lld --db %s --format "
          "html -o aar.html\n",
          at.c_str(), static_cast<long long>(row_.id), flags_.db.c_str());
    }
  }

  static std::string playbook_span(std::int64_t ns) {
    return std::to_string(ns / exercise::kNsPerMinute) + " min";
  }

  // The inject's files, generated and analyzed as evidence dated at its scenario time.
  beffroi::Status Evidence(const exercise::Inject& in, std::int64_t elapsed_ns) {
    auto files = exercise::GenerateInject(in, s_.seed);
    if (files.empty()) return OkStatus();
    const std::int64_t when = s_.start_ns + elapsed_ns;
    SetNowOverride([when](std::int64_t) { return when; });
    std::map<std::string, std::vector<const exercise::GeneratedFile*>> by_host;
    for (const auto& f : files)
      by_host[f.host].push_back(&f);
    for (const auto& [host, host_files] : by_host) {
      if (beffroi::Status st = HostBundle(in, host, host_files, when); !st.ok()) {
        FollowExerciseClock(row_);
        return st;
      }
    }
    FollowExerciseClock(row_);
    return OkStatus();
  }

  beffroi::Status HostBundle(const exercise::Inject& in, const std::string& host,
                             const std::vector<const exercise::GeneratedFile*>& files,
                             std::int64_t when) {
    std::error_code ec;
    const std::string root = evidence_dir_ + "/files/" + in.id + "/" + host;
    const std::string bundle = evidence_dir_ + "/bundles/" + in.id + "-" + host;
    if (!fs::exists(bundle + "/" + std::string(kManifestName), ec)) {
      fs::remove_all(bundle, ec);  // a bundle cut short by an interruption is made again
      fs::create_directories(evidence_dir_ + "/bundles", ec);
      auto writer = BundleWriter::Create(bundle);
      if (!writer.ok()) return writer.error();
      struct timespec ts {};
      ts.tv_sec = static_cast<time_t>(when / 1'000'000'000);
      ts.tv_nsec = static_cast<long>(when % 1'000'000'000);
      for (const exercise::GeneratedFile* f : files) {
        const std::string path = root + "/" + f->relative_path;
        fs::create_directories(fs::path(path).parent_path(), ec);
        if (beffroi::Status st = WriteFileAtomic(path, f->content, 0444); !st.ok()) return st;
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0)
          return MakeError(ErrorCode::kIo, "stat " + path + ": " + std::strerror(errno));
        // In the story the file changed at the inject's time, on the host's share.
        st.st_mtim = ts;
        st.st_ctim = ts;
        Event e = host::FileEvent(std::string(kShareRoot) + f->relative_path, st);
        MultiHasher hasher(kSha256 | kMd5 | kSha1);
        hasher.Update(
            std::span(reinterpret_cast<const std::uint8_t*>(f->content.data()), f->content.size()));
        Digests d = hasher.Finish();
        e.Set("file.hash.sha256", d.sha256);
        e.Set("file.hash.sha1", d.sha1);
        e.Set("file.hash.md5", d.md5);
        e.Set("beffroi.exercise.inject", in.id);
        auto partial = (*writer)->NewPartialSample();
        if (!partial.ok()) return partial.error();
        beffroi::Status wrote =
            WriteAll(partial->fd.get(), f->content.data(), f->content.size(), "write sample");
        int fd = partial->fd.release();
        bool durable = ::fchmod(fd, 0440) == 0 && ::fsync(fd) == 0;  // samples never execute
        if (::close(fd) != 0 || !durable || !wrote.ok()) {
          (*writer)->DiscardSample(*partial);
          return wrote.ok() ? MakeError(ErrorCode::kIo, "write sample for " + path) : wrote;
        }
        auto stored = (*writer)->CommitSample(*partial, d.sha256, f->content.size());
        if (!stored.ok()) return stored.error();
        e.Set("beffroi.sample.path", std::string(kSamplesDir) + "/" + d.sha256);
        e.Set("beffroi.sample.reason", "exercise");
        if (beffroi::Status st3 = (*writer)->events().Write(e); !st3.ok()) return st3;
      }
      BundleInfo info;
      info.bundle_id = RandomUuid();
      info.agent_name = "beffroi-host";
      info.agent_version = BEFFROI_VERSION;
      info.host_name = host;
      info.agent_id = Sha256Hex("beffroi-exercise:" + s_.id + ":" + host);
      info.os_user = actor_;
      info.os_uid = ::getuid();
      info.examiner = actor_;
      info.case_id = "exercise " + s_.id + " session " + std::to_string(row_.id);
      info.command_line = argv_;
      info.started = FormatTimestampNs(when);
      info.ended = FormatTimestampNs(when);
      auto manifest = (*writer)->Finish(info, nlohmann::json{{"files", files.size()}});
      if (!manifest.ok()) return manifest.error();
    }
    int code = WithStdoutTo(bundle + ".analysis.json", [&] {
      return AnalyzeBundles(flags_, {bundle}, 72, /*json=*/true, argv_);
    });
    if (code != kExitOk && code != kExitDetections)
      return MakeError(ErrorCode::kInternal, "analyzing the evidence of inject " + in.id +
                                                 " failed (exit " + std::to_string(code) +
                                                 "); see " + bundle + ".analysis.json");
    return OkStatus();
  }

  Scenario s_;
  std::unique_ptr<store::Store> store_;
  EngineFlags flags_;
  Args argv_;
  std::string actor_;
  std::string evidence_dir_;
  store::ExerciseSessionRow row_;
  std::vector<SessionEvent> events_;
  exercise::SessionState state_;
  bool resumed_ = false;
};

// One line of an --answers script: "H:MM COMMAND ...".
struct AnswerLine {
  std::size_t line = 0;
  std::int64_t at_minutes = 0;
  std::string command;
};

Result<std::vector<AnswerLine>> ReadAnswers(const std::string& path) {
  auto text = ReadFileBounded(path, 4 << 20);
  if (!text.ok()) return text.error();
  std::vector<AnswerLine> out;
  std::size_t n = 0, start = 0;
  while (start < text->size()) {
    std::size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    std::string line = text->substr(start, end - start);
    start = end + 1;
    ++n;
    std::size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    std::size_t sp = line.find_first_of(" \t", b);
    if (sp == std::string::npos)
      return MakeError(ErrorCode::kInvalidArgument,
                       path + ":" + std::to_string(n) + ": expected \"H:MM COMMAND\"");
    auto at = exercise::ParseScenarioTime(line.substr(b, sp - b));
    if (!at)
      return MakeError(ErrorCode::kInvalidArgument, path + ":" + std::to_string(n) + ": \"" +
                                                        line.substr(b, sp - b) +
                                                        "\" is not a scenario time (H:MM)");
    if (!out.empty() && *at < out.back().at_minutes)
      return MakeError(ErrorCode::kInvalidArgument,
                       path + ":" + std::to_string(n) + ": out of time order");
    out.push_back({n, *at, line.substr(sp + 1)});
  }
  return out;
}

}  // namespace

int RunExerciseRun(const Args& args, const Args& argv_all) {
  EngineFlags flags;
  flags.db.clear();
  std::string scenarios, playbooks, answers;
  int max_injects = 0;
  std::vector<std::string> names;
  po::options_description desc("beffroi exercise run SCENARIO [options]");
  desc.add_options()("help,h", "show this help")(
      "db", po::value(&flags.db), "exercise database (default: the scenario's state directory)")(
      "as", po::value(&flags.actor), "who runs the exercise, for the audit log (default: OS user)")(
      "answers", po::value(&answers), "play this script of timed commands, without a terminal")(
      "max-injects", po::value(&max_injects),
      "stop once this many injects are delivered (rehearse an interruption)")(
      "scenarios", po::value(&scenarios),
      "folder of scenarios (default: the bundled playbooks/exercises/)")(
      "playbooks", po::value(&playbooks), "folder of playbooks (default: the bundled playbooks/)");
  AddEngineFlags(desc, flags);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "scenario", 1, &names, "exercise run", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc << "\nConsole commands:\n"
              << exercise::CommandHelp()
              << "\nAn --answers FILE has one command per line, after the scenario time it is "
                 "played at:\n  0:00 start\n  0:20 decide it Isolate the network\n"
                 "  0:25 tick isolate met\n"
                 "Run the same command again to resume an interrupted session.\n";
    return kExitOk;
  }
  if (names.size() != 1) return Fail("exercise run", "give one SCENARIO", kExitUsage);
  if (max_injects < 0) return Fail("exercise run", "--max-injects: a positive number", kExitUsage);
  auto catalog = LoadCatalog(playbooks);
  if (!catalog.ok()) return Fail("exercise run", catalog.error().message);
  auto scenario = ResolveScenario(names[0], scenarios, IndexSteps(*catalog));
  if (!scenario.ok())
    return Fail("exercise run", scenario.error().message, PlaybookErrorExit(scenario.error()));
  std::vector<AnswerLine> script;
  if (!answers.empty()) {
    auto read = ReadAnswers(answers);
    if (!read.ok()) return Fail("exercise run", read.error().message, kExitUsage);
    script = std::move(*read);
  }
  if (flags.db.empty()) flags.db = DefaultExerciseDb(scenario->id);
  std::error_code ec;
  fs::create_directories(fs::absolute(flags.db).parent_path(), ec);
  if (ec) return Fail("exercise run", "create the folder of " + flags.db + ": " + ec.message());
  auto store = OpenStore(flags);
  if (!store.ok()) return Fail("exercise run", store.error().message);
  ExerciseRun run(std::move(*scenario), std::move(*store), flags, argv_all);
  if (Status s = run.Open(); !s.ok()) return Fail("exercise run", s.error().message);
  if (run.state().ended) {
    std::printf("Session %lld has ended; write its report with beffroi exercise report.\n",
                static_cast<long long>(run.row().id));
    return kExitOk;
  }
  auto stop_now = [&] {
    return max_injects > 0 && run.state().delivered.size() >= static_cast<std::size_t>(max_injects);
  };

  if (!answers.empty()) {
    for (std::size_t i = static_cast<std::size_t>(run.row().answers_applied); i < script.size();
         ++i) {
      const AnswerLine& a = script[i];
      std::int64_t now = exercise::Elapsed(run.state().clock, WallClockUnixNs());
      if (a.at_minutes * exercise::kNsPerMinute > now) {
        exercise::Command jump{"jump", {exercise::FormatScenarioTime(a.at_minutes).substr(2)}};
        if (Status s = run.Command(jump, false); !s.ok())
          return Fail("exercise run",
                      answers + ":" + std::to_string(a.line) + ": " + s.error().message);
      }
      if (stop_now()) break;
      auto c = exercise::ParseCommand(a.command);
      Status s = c.ok() ? run.Command(*c, true) : Status(c.error());
      if (!s.ok())
        return Fail("exercise run",
                    answers + ":" + std::to_string(a.line) + ": " + s.error().message,
                    s.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitError);
      if (stop_now()) break;
    }
    if (stop_now() && !run.state().ended) {
      std::printf("Stopped after %zu injects; run the same command again to resume.\n",
                  run.state().delivered.size());
    }
    return kExitOk;
  }

  const bool tty = ::isatty(STDIN_FILENO) != 0;
  std::printf("Type help for the commands.\n");
  run.PrintStatus();
  std::string line;
  for (;;) {
    if (tty) {
      std::printf(
          "%s> ",
          exercise::FormatElapsed(exercise::Elapsed(run.state().clock, WallClockUnixNs())).c_str());
      std::fflush(stdout);
    }
    if (!std::getline(std::cin, line)) break;
    if (Status s = run.DeliverDue(); !s.ok()) return Fail("exercise run", s.error().message);
    // A running clock delivers its injects at the next line; Enter alone is enough.
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto c = exercise::ParseCommand(line);
    if (!c.ok()) {
      std::printf("%s\n", c.error().message.c_str());
      continue;
    }
    if (c->verb == "quit") break;
    if (c->verb == "help") {
      std::printf("%s", std::string(exercise::CommandHelp()).c_str());
      continue;
    }
    if (c->verb == "status") {
      run.PrintStatus();
      continue;
    }
    if (Status s = run.Command(*c, false); !s.ok()) {
      if (s.error().code != ErrorCode::kInvalidArgument)
        return Fail("exercise run", s.error().message);
      std::printf("%s\n", s.error().message.c_str());
    }
    if (run.state().ended || stop_now()) break;
  }
  if (!run.state().ended)
    std::printf("Left session %lld at %s; run the same command again to resume.\n",
                static_cast<long long>(run.row().id),
                exercise::FormatElapsed(run.state().last_elapsed_ns).c_str());
  return kExitOk;
}

}  // namespace beffroi::cli
