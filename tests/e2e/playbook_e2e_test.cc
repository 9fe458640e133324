// beffroi playbook end to end: list/show/lint on the bundled and on broken playbooks; a
// scripted run through a whole playbook on the incident `beffroi scan` opens on the demo file
// server; leaving and resuming the guided session; two responders on one incident; the legal
// clocks in `incidents show`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "run.h"

namespace beffroi {
namespace {

namespace fs = std::filesystem;
using e2e::As;
using e2e::RunBinary;
using e2e::RunResult;

const std::string kBin = BEFFROI_BIN;
const std::string kSource = BEFFROI_SOURCE_DIR;
const std::string kBad = kSource + "/tests/data/playbooks/";

class PlaybookE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("beffroi_playbook_e2e_" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_);
    db_ = (base_ / "city.db").string();
    RunResult scan = Beffroi({"scan", kSource + "/demo/fileserver", "--db", db_, "-q",
                              "--rules-cache", (base_ / "cache").string()});
    ASSERT_EQ(scan.exit_code, 3) << scan.err;  // detections found: incident 1
  }
  void TearDown() override { fs::remove_all(base_); }

  RunResult Beffroi(std::vector<std::string> args) {
    args.insert(args.begin(), kBin);
    return RunBinary(args);
  }
  RunResult Shell(const std::string& script) { return RunBinary({"/bin/sh", "-c", script}); }
  RunResult Step(const std::string& step, std::vector<std::string> what,
                 const std::string& actor = "alice") {
    std::vector<std::string> args = {"playbook", "run",  "ransomware", "--incident",
                                     "1",        "--db", db_,          "--step",
                                     step,       "--as", actor,        "--json"};
    args.insert(args.end(), what.begin(), what.end());
    return Beffroi(args);
  }
  nlohmann::json Show() {
    RunResult r = Beffroi({"incidents", "show", "1", "--db", db_, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  static const nlohmann::json& Clock(const nlohmann::json& show, const std::string& id) {
    for (const auto& c : show["response"]["legal_clocks"]["clocks"]) {
      if (c["id"] == id) return c;
    }
    static const nlohmann::json kNone;
    ADD_FAILURE() << "no clock " << id;
    return kNone;
  }

  fs::path base_;
  std::string db_;
};

TEST_F(PlaybookE2E, ListShowAndLintTheBundledPlaybooks) {
  RunResult list = Beffroi({"playbook", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::set<std::string> names;
  for (const auto& p : nlohmann::json::parse(list.out))
    names.insert(p["name"]);
  EXPECT_EQ(names, (std::set<std::string>{"data-breach", "ddos", "double-extortion", "phishing",
                                          "ransomware", "remote-access"}));
  RunResult show = Beffroi({"playbook", "show", "ransomware"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("== containment =="), std::string::npos);
  EXPECT_NE(show.out.find("[isolate-network]"), std::string::npos);
  EXPECT_NE(show.out.find("$ beffroi-host collect /srv/shares /home --out"), std::string::npos);
  RunResult by_alias = Beffroi({"playbook", "show", "data-leak", "--json"});
  ASSERT_EQ(by_alias.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(by_alias.out)["name"], "double-extortion");
  RunResult lint = Beffroi({"playbook", "lint"});
  EXPECT_EQ(lint.exit_code, 0) << lint.out;
  EXPECT_EQ(lint.out, "");
  EXPECT_NE(lint.err.find("6 playbook(s): no errors"), std::string::npos);
  EXPECT_EQ(Beffroi({"playbook", "show", "nothing"}).exit_code, 1);
  EXPECT_EQ(Beffroi({"playbook", "frobnicate"}).exit_code, 2);
}

TEST_F(PlaybookE2E, BrokenPlaybooksAreRefusedWithTheirPlace) {
  RunResult json = Beffroi({"playbook", "lint", kBad + "invalid-json.json"});
  EXPECT_EQ(json.exit_code, 2);
  EXPECT_EQ(json.out.rfind(kBad + "invalid-json.json:5: not valid JSON: ", 0), 0u) << json.out;
  RunResult cacao = Beffroi({"playbook", "lint", kBad + "not-cacao.json"});
  EXPECT_EQ(cacao.exit_code, 2);
  EXPECT_EQ(cacao.out, kBad +
                           "not-cacao.json: playbook: not a CACAO 2.0 playbook: "
                           "\"spec_version\" must be \"cacao-2.0\" (found \"1.0\")\n");
  RunResult dangling = Beffroi({"playbook", "lint", kBad + "dangling-step.json"});
  EXPECT_EQ(dangling.exit_code, 2);
  EXPECT_EQ(dangling.out.find(kBad + "dangling-step.json: "
                                     "action--00000000-0000-4000-8000-000000000002: on_completion "
                                     "refers to action--00000000-0000-4000-8000-0000000000ff, "
                                     "which is not a workflow step\n"),
            0u)
      << dangling.out;
  // run refuses them too, before touching the database.
  for (const char* f : {"invalid-json.json", "not-cacao.json", "dangling-step.json"}) {
    RunResult run = Beffroi(
        {"playbook", "run", kBad + f, "--incident", "1", "--db", db_, "--step", "x", "--done"});
    EXPECT_EQ(run.exit_code, 2) << f;
    EXPECT_NE(run.err.find(kBad + f), std::string::npos) << run.err;
  }
  EXPECT_EQ(Beffroi({"playbook", "lint", kBad + "missing.json"}).exit_code, 1);
  EXPECT_EQ(Show()["response"]["playbook_runs"].size(), 0u);
}

TEST_F(PlaybookE2E, IncidentSuggestsThePlaybookAndShowsTheClocks) {
  nlohmann::json show = Show();
  ASSERT_FALSE(show["response"]["suggested_playbooks"].empty());
  EXPECT_EQ(show["response"]["suggested_playbooks"][0]["name"], "ransomware");
  // The run starts with T0 set back to the Monday morning; four days later the clocks that
  // may apply are overdue, the complaint has no deadline.
  RunResult note = Step("response-kit",
                        {"--note", "kit found in the safe", "--aware-at", "2021-06-21T07:00:00Z"});
  ASSERT_EQ(note.exit_code, 0) << note.err;
  RunResult later =
      Beffroi({"incidents", "show", "1", "--db", db_, "--json", "--now", "2021-06-25T08:00:00Z"});
  ASSERT_EQ(later.exit_code, 0) << later.err;
  nlohmann::json at = nlohmann::json::parse(later.out);
  EXPECT_EQ(at["response"]["legal_clocks"]["aware_at"], "2021-06-21T07:00:00.000000Z");
  EXPECT_EQ(Clock(at, "gdpr-art33")["state"], "overdue");
  EXPECT_TRUE(Clock(at, "gdpr-art33")["applies"].is_null());
  EXPECT_EQ(Clock(at, "gdpr-art33")["due"], "2021-06-24T07:00:00.000000Z");
  EXPECT_EQ(Clock(at, "police-complaint")["state"], "open");
  RunResult text =
      Beffroi({"incidents", "show", "1", "--db", db_, "--now", "2021-06-21T09:00:00Z"});
  EXPECT_NE(text.out.find("Legal clocks, from T0 = 2021-06-21T07:00:00Z"), std::string::npos);
  EXPECT_NE(text.out.find("(in 22 h 0 min)"), std::string::npos) << text.out;
}

// Answers every decision "yes" and marks every action done, as a script would, until the
// playbook is finished; then the incident shows the run, the clocks and the audit log.
TEST_F(PlaybookE2E, ScriptedRunThroughAWholePlaybook) {
  RunResult first = Step("response-kit", {"--done"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  nlohmann::json out = nlohmann::json::parse(first.out);
  int steps = 1;
  std::set<std::string> decisions;
  while (!out["finished"].get<bool>() && steps < 200) {
    const auto& next = out["next_step"];
    ASSERT_TRUE(next.is_object()) << out.dump();
    std::string ref = next["ref"];
    bool decision = next["type"] == "if-condition";
    if (decision) decisions.insert(ref);
    RunResult r = decision ? Step(ref, {"--choose", "yes"})
                           : Step(ref, {"--done", "--note", "done in the e2e test"},
                                  steps % 2 ? "bob" : "alice");
    ASSERT_EQ(r.exit_code, 0) << ref << ": " << r.err;
    out = nlohmann::json::parse(r.out);
    ++steps;
  }
  ASSERT_TRUE(out["finished"].get<bool>());
  EXPECT_TRUE(decisions.count("personal-data"));
  EXPECT_TRUE(decisions.count("nis2-scope"));
  EXPECT_FALSE(decisions.count("nis2-final")) << "answered once, through nis2-scope";
  // Once finished, nothing can be marked twice.
  RunResult again = Step("isolate-network", {"--done"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("step isolate-network: already done by"), std::string::npos);

  nlohmann::json show = Show();
  const auto& run = show["response"]["playbook_runs"][0];
  EXPECT_EQ(run["playbook"], "ransomware");
  EXPECT_NE(run["finished_at"], "");
  EXPECT_EQ(run["steps_done"], run["steps_on_path"]);
  for (const char* clock : {"gdpr-art33", "gdpr-art34", "nis2-early-warning", "nis2-notification",
                            "police-complaint", "nis2-final-report"}) {
    EXPECT_EQ(Clock(show, clock)["state"], "done") << clock;
  }
  EXPECT_EQ(show["response"]["legal_clocks"]["answers"]["personal_data"], true);
  std::set<std::string> actions;
  for (const auto& a : show["audit"])
    actions.insert(a["action"]);
  for (const char* a : {"playbook.started", "playbook.done", "playbook.choice", "playbook.note",
                        "playbook.finished"})
    EXPECT_TRUE(actions.count(a)) << a;
  RunResult text = Beffroi({"incidents", "show", "1", "--db", db_});
  EXPECT_NE(text.out.find("What was done in run 1 (ransomware):"), std::string::npos);
  EXPECT_NE(text.out.find(As("alice") + "  isolate-network: done"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(As("bob") + "  dont-switch-on: done"), std::string::npos) << text.out;
}

TEST_F(PlaybookE2E, GuidedSessionLeavesAndResumes) {
  std::string cmd = "'" + kBin + "' playbook run --incident 1 --db '" + db_ + "' --as carol";
  RunResult first = Shell("printf 'd\\nt\\nchecked the kit\\nq\\n' | " + cmd);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("Ransomware in the city hall"), std::string::npos);  // suggested
  EXPECT_NE(first.out.find("Recorded: response-kit done."), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("Left the run at confirm-attack"), std::string::npos) << first.out;
  RunResult second = Shell("printf 's\\nno helpdesk calls yet\\nq\\n' | " + cmd);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("[confirm-attack]"), std::string::npos);
  EXPECT_NE(second.out.find(As("carol") + ": checked the kit"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("Left the run at open-case"), std::string::npos) << second.out;
  // Input that ends without q leaves cleanly too.
  RunResult eof = Shell("printf '' | " + cmd);
  EXPECT_EQ(eof.exit_code, 0);
  EXPECT_NE(eof.out.find("Left the run at open-case"), std::string::npos);
  nlohmann::json show = Show();
  const auto& events = show["response"]["playbook_runs"][0]["events"];
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2]["kind"], "skipped");
  EXPECT_EQ(events[2]["value"], "no helpdesk calls yet");
}

TEST_F(PlaybookE2E, TwoRespondersOnOneIncident) {
  ASSERT_EQ(Step("response-kit", {"--done"}).exit_code, 0);
  // Two scripts mark the same step at the same moment: one wins, the other is told who did it.
  std::string step = "'" + kBin + "' playbook run ransomware --incident 1 --db '" + db_ +
                     "' --step confirm-attack --done";
  RunResult both = Shell(step + " --as alice > " + (base_ / "a.out").string() + " 2>&1 & " + step +
                         " --as bob > " + (base_ / "b.out").string() + " 2>&1 & wait; cat " +
                         (base_ / "a.out").string() + " " + (base_ / "b.out").string());
  EXPECT_NE(both.out.find("already done by"), std::string::npos) << both.out;
  EXPECT_NE(both.out.find("Next: open-case"), std::string::npos) << both.out;
  // A guided session that read the run before someone else wrote: its answer is not recorded
  // over theirs; it is shown what changed and asked again. Dave writes once Carol's session
  // shows the step (her answers come through a FIFO), so the order does not depend on timing.
  std::string fifo = (base_ / "carol.in").string(), out = (base_ / "carol.out").string();
  std::string script =
      "mkfifo '" + fifo + "' && ('" + kBin + "' playbook run ransomware --incident 1 --db '" + db_ +
      "' --as carol < '" + fifo + "' > '" + out + "' 2>&1 &) && exec 3> '" + fifo +
      "' && i=0 && while ! grep -q 'open-case\\]' '" + out +
      "' && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done && '" + kBin +
      "' playbook run ransomware --incident 1 --db '" + db_ +
      "' --step open-case --done --as dave > /dev/null && printf 'd\\nq\\n' >&3 && exec 3>&- "
      "&& i=0 && while ! grep -q 'Left the run' '" +
      out + "' && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; cat '" + out + "'";
  RunResult race = Shell(script);
  EXPECT_NE(race.out.find("Someone else updated this run meanwhile; nothing was recorded."),
            std::string::npos)
      << race.out << race.err;
  EXPECT_NE(race.out.find(As("dave") + ": open-case done"), std::string::npos) << race.out;
  nlohmann::json show = Show();
  int open_case = 0;
  for (const auto& e : show["response"]["playbook_runs"][0]["events"]) {
    if (e["ref"] == "open-case") {
      ++open_case;
      EXPECT_EQ(e["actor"], As("dave"));
    }
  }
  EXPECT_EQ(open_case, 1);
}

TEST_F(PlaybookE2E, ScriptedModeChecksItsArguments) {
  EXPECT_EQ(Beffroi({"playbook", "run", "ransomware", "--db", db_}).exit_code, 2);
  EXPECT_EQ(Step("response-kit", {"--skip"}).exit_code, 2);
  EXPECT_EQ(Step("response-kit", {"--done", "--skip", "--reason", "x"}).exit_code, 2);
  RunResult bad_step = Step("no-such-step", {"--done"});
  EXPECT_EQ(bad_step.exit_code, 2);
  EXPECT_NE(bad_step.err.find("no step \"no-such-step\" in ransomware"), std::string::npos);
  RunResult no_incident = Beffroi({"playbook", "run", "ransomware", "--incident", "9", "--db", db_,
                                   "--step", "response-kit", "--done"});
  EXPECT_EQ(no_incident.exit_code, 1);
  EXPECT_NE(no_incident.err.find("no incident 9"), std::string::npos);
}

}  // namespace
}  // namespace beffroi
