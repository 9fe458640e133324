#include "analyzer/exercise/loader.h"

#include <gtest/gtest.h>

#include "analyzer/exercise/artefacts.h"
#include "tests/unit/analyzer/exercise/test_scenario.h"

namespace beffroi::exercise {
namespace {

using testing::SmallScenario;

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

std::vector<std::string> Errors(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics) {
    if (!d.warning) out.push_back(FormatDiagnostic("s.json", d));
  }
  return out;
}

TEST(ScenarioLoader, LoadsTheSmallScenario) {
  LoadResult r = LoadScenario(SmallScenario(), "s.json");
  ASSERT_TRUE(r.scenario) << (r.diagnostics.empty() ? "" : r.diagnostics[0].message);
  EXPECT_EQ(r.scenario->injects.size(), 4u);
  EXPECT_EQ(r.scenario->injects[3].at_minutes, 26 * 60);
  EXPECT_EQ(r.scenario->start_ns, 1624253400LL * 1000000000LL);
  EXPECT_TRUE(r.scenario->injects[2].contingency);
}

TEST(ScenarioLoader, JsonErrorsHaveTheirLine) {
  std::string text =
      Replace(SmallScenario(), "\"title\": \"Small\",", "\"title\": \"Small\" oops,");
  LoadResult r = LoadScenario(text, "s.json");
  ASSERT_FALSE(r.scenario);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].line, 3u);
  EXPECT_EQ(FormatDiagnostic("s.json", r.diagnostics[0]).rfind("s.json:3: ", 0), 0u);
}

TEST(ScenarioLoader, InjectsOutOfTimeOrderNameTheInject) {
  std::string text = Replace(SmallScenario(), "\"at\": \"26:00\"", "\"at\": \"0:10\"");
  auto errors = Errors(LoadScenario(text, "s.json"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "s.json: i3: injects out of time order: T+0:10 comes after c1 at T+1:00");
}

TEST(ScenarioLoader, MissingReferencesNameTheItem) {
  std::string text =
      Replace(SmallScenario(), "\"expects\": [\"notify\"]", "\"expects\": [\"gone\"]");
  text = Replace(text, "\"to\": [\"dpo\"]", "\"to\": [\"mayor\"]");
  auto errors = Errors(LoadScenario(text, "s.json"));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "s.json: i2: expects \"gone\", which is not an expected action");
  EXPECT_EQ(errors[1], "s.json: i3: no participant \"mayor\"");
}

TEST(ScenarioLoader, RefusesBadShapes) {
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"format_version\": 1", "\"format_version\": 2"},
           {"\"at\": \"0:30\"", "\"at\": \"0:75\""},
           {"\"start\": \"2021-06-21T05:30:00Z\"", "\"start\": \"monday\""},
           {"\"family\": \"ryuk\"", "\"family\": \"wannacry\""},
           {"\"host\": \"fs1\"", "\"host\": \"fs1\", \"path\": \"../../etc/passwd\""},
           {"{\"id\": \"it\", \"name\": \"IT\"}",
            "{\"id\": \"it\", \"name\": \"IT\"}, {\"id\": \"it\", \"name\": \"x\"}"}}) {
    LoadResult r = LoadScenario(Replace(SmallScenario(), from, to), "s.json");
    EXPECT_FALSE(r.scenario) << to;
    EXPECT_FALSE(Errors(r).empty()) << to;
  }
  EXPECT_FALSE(LoadScenario("[]", "s.json").scenario);
  EXPECT_FALSE(LoadScenario(std::string(kMaxScenarioBytes + 1, ' '), "s.json").scenario);
}

TEST(ScenarioLint, MissingPlaybookStepNamesTheAction) {
  LoadResult r = LoadScenario(SmallScenario(), "s.json");
  ASSERT_TRUE(r.scenario);
  StepIndex index;
  index.playbooks["ransomware"] = {{"isolate-network", ""}};
  auto faults = LintSteps(*r.scenario, index);
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_EQ(FormatDiagnostic("s.json", faults[0]),
            "s.json: notify: playbook \"ransomware\" has no step \"notify-apd\"");
  index.playbooks["ransomware"]["notify-apd"] = "gdpr-art33";
  EXPECT_TRUE(LintSteps(*r.scenario, index).empty());
  EXPECT_EQ(LintSteps(*r.scenario, StepIndex{}).size(), 2u);
}

TEST(ScenarioTime, ParsesAndFormats) {
  EXPECT_EQ(ParseScenarioTime("1:05"), 65);
  EXPECT_EQ(ParseScenarioTime("+26:00"), 26 * 60);
  EXPECT_EQ(ParseScenarioTime("90"), 90);
  EXPECT_FALSE(ParseScenarioTime("1:5"));
  EXPECT_FALSE(ParseScenarioTime("-1:00"));
  EXPECT_FALSE(ParseScenarioTime("99999999"));
  EXPECT_EQ(FormatScenarioTime(65), "T+1:05");
  EXPECT_EQ(FormatElapsed(3661LL * 1000000000LL), "T+1:01:01");
}

TEST(Artefacts, AreDeterministicAndLookTheirPart) {
  Inject in;
  in.id = "i2";
  in.artefacts = {{"ransom-note", "ryuk", "fs1", "", 0},
                  {"encrypted", "play", "fs1", "a/b.xlsx", 2048}};
  auto a = GenerateInject(in, 7), b = GenerateInject(in, 7), c = GenerateInject(in, 8);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].relative_path, "RyukReadMe.txt");
  EXPECT_NE(a[0].content.find("Ryuk"), std::string::npos);
  EXPECT_EQ(a[1].relative_path, "a/b.xlsx.PLAY");
  EXPECT_EQ(a[1].content.size(), 2048u);
  EXPECT_EQ(a[1].content, b[1].content);
  EXPECT_NE(a[1].content, c[1].content);
}

}  // namespace
}  // namespace beffroi::exercise
