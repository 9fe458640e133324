// beffroi exercise end to end: lint the bundled scenarios and broken copies of one; play a
// whole scenario from an --answers script into a temporary exercise database and check that
// real incidents exist at the injects' scenario times, that playbook runs on that database
// follow the scenario clock, and what the after-action report says; interrupt a session after
// two injects and resume it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "run.h"

namespace beffroi {
namespace {

namespace fs = std::filesystem;
using e2e::RunBinary;
using e2e::RunResult;

const std::string kBin = BEFFROI_BIN;
const std::string kSource = BEFFROI_SOURCE_DIR;
const std::string kLiege = kSource + "/playbooks/exercises/liege-2021.json";

constexpr const char* kAnswers = R"(# Rehearsal of liege-2021
0:00 start
0:05 decide it Call it an attack and open the response kit
0:12 tick confirm-attack met Called within ten minutes
0:22 decide it Send an SMS to all staff: keep PCs off
0:25 tick dont-switch-on met
0:40 decide it Cut the links between sites and the internet
0:41 tick isolate met
1:16 tick no-ransom met
2:05 tick police met
26:30 tick notify-apd met Sent on day two
74:00 note Nobody knew where the paper forms were kept
74:01 plan paper head-of-services 2021-09-30
74:05 end
)";

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ExerciseE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("beffroi_exercise_e2e_" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_);
    db_ = (base_ / "ex.db").string();
    answers_ = Write("answers.txt", kAnswers);
  }
  void TearDown() override { fs::remove_all(base_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (base_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  RunResult Beffroi(std::vector<std::string> args) {
    args.insert(args.begin(), kBin);
    return RunBinary(args);
  }
  RunResult Run(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"exercise",
                                     "run",
                                     "liege-2021",
                                     "--db",
                                     db_,
                                     "--answers",
                                     answers_,
                                     "--as",
                                     "trainer",
                                     "--rules-cache",
                                     (base_ / "cache").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Beffroi(args);
  }
  nlohmann::json Incidents() {
    RunResult r = Beffroi({"incidents", "list", "--db", db_, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  // A broken copy of the Liège scenario.
  std::string Broken(const std::string& name, const std::string& from, const std::string& to) {
    std::string text = ReadText(kLiege);
    auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    if (pos != std::string::npos) text.replace(pos, from.size(), to);
    return Write(name, text);
  }

  fs::path base_;
  std::string db_, answers_;
};

TEST_F(ExerciseE2E, ListsAndLintsTheBundledScenarios) {
  RunResult list = Beffroi({"exercise", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::set<std::string> names;
  for (const auto& s : nlohmann::json::parse(list.out)) {
    names.insert(s["name"]);
    EXPECT_GE(s["injects"].get<int>(), 10);
    EXPECT_LE(s["injects"].get<int>(), 20);
    EXPECT_GE(s["duration_minutes"].get<int>(), 120);
    EXPECT_LE(s["duration_minutes"].get<int>(), 180);
  }
  EXPECT_EQ(names, (std::set<std::string>{"ddos-election", "double-extortion-leak", "liege-2021"}));
  RunResult lint = Beffroi({"exercise", "lint"});
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
  EXPECT_NE(lint.err.find("3 scenario(s): no errors"), std::string::npos);
  RunResult show = Beffroi({"exercise", "show", "liege-2021"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("i02    Files renamed on the civil registry share"), std::string::npos)
      << show.out;
  EXPECT_NE(show.out.find("[evidence]"), std::string::npos);
  EXPECT_NE(show.out.find("[ransomware / isolate-network]"), std::string::npos);
}

TEST_F(ExerciseE2E, LintNamesTheFileAndTheItem) {
  std::string step = Broken("step.json", "\"step\": \"isolate-network\"", "\"step\": \"pray\"");
  std::string inject = Broken("inject.json", "\"expects\": [\n        \"lessons\"",
                              "\"expects\": [\n        \"nope\"");
  std::string order = Broken("order.json", "\"at\": \"0:35\"", "\"at\": \"0:05\"");
  std::string syntax = Broken("syntax.json", "\"seed\": 2021,", "\"seed\": 2021");
  RunResult r = Beffroi({"exercise", "lint", step, inject, order, syntax});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(step + ": isolate: playbook \"ransomware\" has no step \"pray\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(inject + ": i13: expects \"nope\", which is not an expected action"),
            std::string::npos)
      << r.out;
  EXPECT_NE(
      r.out.find(order + ": i04: injects out of time order: T+0:05 comes after i03 at T+0:20"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(syntax + ":11: not valid JSON"), std::string::npos) << r.out;
  // A scenario that does not lint is not run.
  RunResult run = Beffroi({"exercise", "run", step, "--db", db_, "--answers", answers_});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(fs::exists(db_));
}

TEST_F(ExerciseE2E, AWholeScenarioLeavesRealIncidentsAtScenarioTimes) {
  RunResult r = Run();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("inject i02: Files renamed on the civil registry share"), std::string::npos);
  nlohmann::json incidents = Incidents();
  ASSERT_EQ(incidents.size(), 2u) << incidents.dump();
  std::map<std::string, nlohmann::json> by_host;
  for (const auto& i : incidents)
    by_host[i["host"]] = i;
  // i02 at T+0:10 and i04 at T+0:35, with T+0 = 2021-06-21T05:30:00Z.
  EXPECT_EQ(by_host["fs-etatcivil"]["first_seen"], "2021-06-21T05:40:00.000000Z");
  EXPECT_EQ(by_host["fs-etatcivil"]["created_at"], "2021-06-21T05:40:00.000000Z");
  EXPECT_EQ(by_host["fs-etatcivil"]["playbook"], "ransomware");
  EXPECT_GE(by_host["fs-etatcivil"]["detections"].get<int>(), 3);
  EXPECT_EQ(by_host["fs-it"]["first_seen"], "2021-06-21T06:05:00.000000Z");

  // Participants follow the real playbook on the exercise database, on the scenario clock.
  std::string id = std::to_string(by_host["fs-etatcivil"]["id"].get<int>());
  RunResult step = Beffroi({"playbook", "run", "ransomware", "--incident", id, "--db", db_,
                            "--step", "isolate-network", "--done", "--as", "it", "--json"});
  ASSERT_EQ(step.exit_code, 0) << step.err;
  nlohmann::json done = nlohmann::json::parse(step.out);
  EXPECT_EQ(done["at"].get<std::string>().substr(0, 16), "2021-06-24T07:35");  // T+74:05

  RunResult md = Beffroi({"exercise", "report", "1", "--db", db_, "--format", "md"});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  for (const char* part :
       {"## Timeline", "## Expected actions", "## Time to key milestones", "## Strengths",
        "## Areas for improvement", "## Improvement plan",
        "| isolation | T+0:45:00 | T+0:41:00 | 31 min | reached | isolate |",
        "| paper | Run civil registry and population services on paper | not rated | "
        "head-of-services | 2021-09-30 |",
        "Nobody knew where the paper forms were kept", "Ransomware activity on fs-etatcivil",
        "(GDPR art. 33) | T+72:10:00 | T+26:30:00"}) {
    EXPECT_NE(md.out.find(part), std::string::npos) << part << "\n" << md.out;
  }
  std::string html_file = (base_ / "aar.html").string();
  RunResult html = Beffroi(
      {"exercise", "report", "liege-2021", "--db", db_, "--format", "html", "--out", html_file});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  std::string page = ReadText(html_file);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<style>"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);  // self-contained
  EXPECT_NE(page.find("Improvement plan"), std::string::npos);

  // Playing the script again changes nothing: the session has ended.
  RunResult again = Run();
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Incidents().size(), 2u);
}

TEST_F(ExerciseE2E, TheDdosScenarioHidesAWebShell) {
  std::string script = Write("ddos.txt", "0:00 start\n4:05 tick intrusion met\n");
  RunResult r = Beffroi({"exercise", "run", "ddos-election", "--db", db_, "--answers", script,
                         "--rules-cache", (base_ / "cache").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json incidents = Incidents();
  ASSERT_EQ(incidents.size(), 1u) << incidents.dump();
  EXPECT_EQ(incidents[0]["host"], "web-ville");
  EXPECT_EQ(incidents[0]["playbook"], "remote-access");
  EXPECT_EQ(incidents[0]["first_seen"], "2024-10-10T11:00:00.000000Z");  // d08 at T+4:00
}

TEST_F(ExerciseE2E, AnInterruptedSessionResumesWhereItStopped) {
  RunResult first = Run({"--max-injects", "2"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("Stopped after 2 injects"), std::string::npos) << first.out;
  EXPECT_EQ(Incidents().size(), 1u);
  RunResult second = Run();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("Resuming session 1 of liege-2021"), std::string::npos) << second.out;
  EXPECT_EQ(second.out.find("inject i01:"), std::string::npos);  // not delivered twice
  EXPECT_NE(second.out.find("inject i04:"), std::string::npos);
  EXPECT_EQ(Incidents().size(), 2u);
  RunResult md = Beffroi({"exercise", "report", "1", "--db", db_});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  // Each scripted line was played once: one decision "keep PCs off" in the timeline.
  std::size_t n = 0;
  for (std::size_t p = md.out.find("keep PCs off"); p != std::string::npos;
       p = md.out.find("keep PCs off", p + 1))
    ++n;
  EXPECT_EQ(n, 1u);
}

TEST_F(ExerciseE2E, TheConsoleReadsCommandsFromStandardInput) {
  RunResult r =
      RunBinary({"/bin/sh", "-c",
                 "printf 'status\\nnext\\nnext\\ntick confirm-attack met\\nbogus\\nquit\\n' | " +
                     kBin + " exercise run liege-2021 --db " + db_ + " --rules-cache " +
                     (base_ / "cache").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Next inject: i01"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inject i02"), std::string::npos);
  EXPECT_NE(r.out.find("confirm-attack: met"), std::string::npos);
  EXPECT_NE(r.out.find("unknown command \"bogus\""), std::string::npos);
  EXPECT_NE(r.out.find("run the same command again to resume"), std::string::npos);
  EXPECT_EQ(Incidents().size(), 1u);
}

}  // namespace
}  // namespace beffroi
