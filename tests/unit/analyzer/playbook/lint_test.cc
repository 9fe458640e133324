#include "analyzer/playbook/lint.h"

#include <gtest/gtest.h>

#include "analyzer/playbook/loader.h"
#include "test_playbooks.h"

namespace beffroi::playbook {
namespace {

using testing::BranchingPlaybook;
using testing::Id;

std::vector<std::string> Faults(const nlohmann::json& doc) {
  std::vector<std::string> out;
  for (const Diagnostic& d : Lint(doc))
    out.push_back(FormatDiagnostic("p.json", d));
  return out;
}

bool Has(const std::vector<std::string>& faults, const std::string& needle) {
  for (const std::string& f : faults) {
    if (f.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::string Joined(const std::vector<std::string>& faults) {
  std::string s;
  for (const auto& f : faults)
    s += f + "\n";
  return s;
}

TEST(PlaybookLint, GoodPlaybookHasNoFault) {
  EXPECT_EQ(Joined(Faults(BranchingPlaybook())), "");
}

TEST(PlaybookLint, RefusesWhatIsNotCacao) {
  EXPECT_TRUE(Has(Faults(nlohmann::json::array()), "p.json: not a CACAO playbook"));
  nlohmann::json doc = BranchingPlaybook();
  doc["spec_version"] = "cacao-1.0";
  auto f = Faults(doc);
  ASSERT_EQ(f.size(), 1u) << Joined(f);
  EXPECT_EQ(f[0],
            "p.json: playbook: not a CACAO 2.0 playbook: \"spec_version\" must be "
            "\"cacao-2.0\" (found \"cacao-1.0\")");
  doc = BranchingPlaybook();
  doc.erase("type");
  EXPECT_TRUE(Has(Faults(doc), "\"type\" must be \"playbook\""));
}

TEST(PlaybookLint, RequiredPropertiesAndShapes) {
  nlohmann::json doc = BranchingPlaybook();
  doc.erase("created_by");
  doc["modified"] = "yesterday";
  doc["id"] = "playbook--not-a-uuid";
  auto f = Faults(doc);
  EXPECT_TRUE(Has(f, "p.json: playbook: missing required property \"created_by\"")) << Joined(f);
  EXPECT_TRUE(Has(f, "\"modified\" must be an RFC 3339 UTC timestamp")) << Joined(f);
  EXPECT_TRUE(Has(f, "\"id\" must be \"playbook--\" followed by a UUID")) << Joined(f);
}

TEST(PlaybookLint, DanglingReferenceNamesTheStep) {
  nlohmann::json doc = BranchingPlaybook();
  std::string a = Id("action", 2);
  doc["workflow"][a]["on_completion"] = Id("action", 99);
  auto f = Faults(doc);
  EXPECT_TRUE(Has(f, "p.json: " + a + ": on_completion refers to " + Id("action", 99) +
                         ", which is not a workflow step"))
      << Joined(f);
  // The steps after it are now unreachable, and reported as such.
  EXPECT_TRUE(Has(f, Id("action", 8) + ": not reachable from workflow_start")) << Joined(f);
}

TEST(PlaybookLint, DanglingAgentRoleAndExtension) {
  nlohmann::json doc = BranchingPlaybook();
  std::string a = Id("action", 2);
  doc["workflow"][a]["agent"] = Id("group", 77);
  doc["workflow"][a]["step_extensions"][std::string(kExtensionId)]["roles"] = {Id("group", 78)};
  doc["workflow"][Id("action", 8)]["step_extensions"]
     ["extension-definition--00000000-0000-4000-8000-000000000009"] = nlohmann::json::object();
  auto f = Faults(doc);
  EXPECT_TRUE(Has(f, a + ": agent " + Id("group", 77) + " is not in agent_definitions"));
  EXPECT_TRUE(Has(f, a + ": role " + Id("group", 78) + " is not in agent_definitions"));
  EXPECT_TRUE(Has(f, "is not in extension_definitions")) << Joined(f);
}

TEST(PlaybookLint, UnreachableStep) {
  nlohmann::json doc = BranchingPlaybook();
  std::string orphan = Id("action", 50);
  doc["workflow"][orphan] = testing::Action("orphan", Id("end", 9));
  auto f = Faults(doc);
  EXPECT_TRUE(Has(f, "p.json: " + orphan + ": not reachable from workflow_start")) << Joined(f);
}

TEST(PlaybookLint, BranchWithoutEnd) {
  nlohmann::json doc = BranchingPlaybook();
  std::string notify = Id("action", 4);
  doc["workflow"][notify].erase("on_completion");
  auto f = Faults(doc);
  EXPECT_TRUE(Has(f, notify + ": is not an end step and has no next step: the branch " + notify))
      << Joined(f);
}

TEST(PlaybookLint, BranchSharingTheMainEnd) {
  nlohmann::json doc = BranchingPlaybook();
  doc["workflow"][Id("action", 4)]["on_completion"] = Id("end", 9);
  auto f = Faults(doc);
  EXPECT_TRUE(Has(f, Id("end", 9) + ": end step shared by")) << Joined(f);
}

TEST(PlaybookLint, CycleIsRefused) {
  nlohmann::json doc = BranchingPlaybook();
  doc["workflow"][Id("action", 8)]["on_completion"] = Id("action", 2);
  auto f = Faults(doc);
  EXPECT_TRUE(Has(f, Id("action", 8) + ": leads back to " + Id("action", 2))) << Joined(f);
}

TEST(PlaybookLint, StepTypesAndTheirProperties) {
  nlohmann::json doc = BranchingPlaybook();
  std::string a = Id("action", 2), decide = Id("if-condition", 3);
  doc["workflow"][a]["commands"] = nlohmann::json::array();
  doc["workflow"][a]["on_success"] = Id("action", 8);
  doc["workflow"][decide].erase("on_true");
  doc["workflow"][Id("end", 9)]["on_completion"] = Id("action", 8);
  doc["workflow"][Id("parallel", 60)] = {{"type", "parallel"}, {"next_steps", {Id("action", 8)}}};
  doc["workflow"][Id("action", 61)] = {{"type", "if-condition"}};
  auto f = Faults(doc);
  EXPECT_TRUE(Has(f, a + ": an action needs \"commands\"")) << Joined(f);
  EXPECT_TRUE(Has(f, a + ": on_completion cannot be combined with on_success/on_failure"));
  EXPECT_TRUE(Has(f, decide + ": missing required property \"on_true\""));
  EXPECT_TRUE(Has(f, Id("end", 9) + ": an end step has no next step"));
  EXPECT_TRUE(Has(f, Id("parallel", 60) + ": \"next_steps\" must list at least two step ids"));
  EXPECT_TRUE(Has(f, Id("action", 61) + ": step id must be \"if-condition--\" followed by a UUID"));
}

TEST(PlaybookLint, OurExtensionIsChecked) {
  nlohmann::json doc = BranchingPlaybook();
  auto& ext = doc["workflow"][Id("action", 2)]["step_extensions"][std::string(kExtensionId)];
  ext["phase"] = "panic";
  ext["legal_clock"] = "gdpr-art99";
  ext["colour"] = "red";
  doc["workflow"][Id("action", 8)]["step_extensions"][std::string(kExtensionId)]["ref"] = "a";
  auto f = Faults(doc);
  EXPECT_TRUE(Has(f, "unknown phase \"panic\"")) << Joined(f);
  EXPECT_TRUE(Has(f, "unknown legal clock \"gdpr-art99\""));
  EXPECT_TRUE(Has(f, "unknown property \"colour\" in the Beffroi extension"));
  EXPECT_TRUE(Has(f, Id("action", 8) + ": ref \"a\" is already used by " + Id("action", 2)));
}

TEST(PlaybookLint, IdentifiersAndTimestamps) {
  EXPECT_TRUE(IsIdentifier("action--8b309ddc-1ba0-4600-8a04-d071934488c8", "action"));
  EXPECT_FALSE(IsIdentifier("action--8b309ddc-1ba0-4600-8a04-d071934488c8", "end"));
  EXPECT_FALSE(IsIdentifier("action--8b309ddc-1ba0-6600-8a04-d071934488c8"));  // version 6
  EXPECT_FALSE(IsIdentifier("action--8b309ddc-1ba0-4600-ca04-d071934488c8"));  // variant c
  EXPECT_FALSE(IsIdentifier("action--8b309ddc1ba046008a04d071934488c8"));
  EXPECT_TRUE(IsTimestamp("2026-12-04T08:00:00Z"));
  EXPECT_TRUE(IsTimestamp("2026-12-04T08:00:00.123Z"));
  EXPECT_FALSE(IsTimestamp("2026-12-04T08:00:00+01:00"));
  EXPECT_FALSE(IsTimestamp("2026-13-04T08:00:00Z"));
  EXPECT_FALSE(IsTimestamp("2026-12-04T08:00:00.Z"));
}

TEST(PlaybookLoader, InvalidJsonNamesTheLine) {
  std::string text =
      "{\n  \"type\": \"playbook\",\n  \"spec_version\": \"cacao-2.0\"\n  \"id\": 1\n}\n";
  LoadResult r = LoadPlaybook(text, "bad.json");
  ASSERT_FALSE(r.playbook);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].line, 4u);
  std::string line = FormatDiagnostic("bad.json", r.diagnostics[0]);
  EXPECT_EQ(line.rfind("bad.json:4: ", 0), 0u) << line;
}

TEST(PlaybookLoader, EveryPrefixIsRefusedCleanly) {
  std::string text = BranchingPlaybook().dump(1);
  for (std::size_t n = 0; n < text.size(); n += 7) {
    LoadResult r = LoadPlaybook(text.substr(0, n), "cut.json");
    EXPECT_FALSE(r.playbook) << n;
    EXPECT_FALSE(r.diagnostics.empty()) << n;
  }
  EXPECT_TRUE(LoadPlaybook(text, "whole.json").playbook);
}

TEST(PlaybookLoader, BuildsTheModel) {
  LoadResult r = LoadPlaybook(BranchingPlaybook().dump(), "p.json");
  ASSERT_TRUE(r.playbook) << (r.diagnostics.empty() ? "" : r.diagnostics[0].message);
  const Playbook& p = *r.playbook;
  EXPECT_EQ(p.short_name, "test-branching");
  EXPECT_EQ(p.aliases, std::vector<std::string>{"branching"});
  EXPECT_EQ(p.steps.size(), 9u);
  const Step* d = p.Find("personal-data");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->variable, "personal_data");
  EXPECT_EQ(d->question, "personal-data?");
  EXPECT_EQ(p.Find("notify")->legal_clock, "gdpr-art33");
  EXPECT_EQ(p.Find(testing::Id("action", 2))->ref, "a");
  EXPECT_EQ(p.sha256.size(), 64u);
}

TEST(PlaybookLoader, ConditionVariable) {
  EXPECT_EQ(ConditionVariable("__personal_data__:value = 'true'"), "personal_data");
  EXPECT_EQ(ConditionVariable("  __x__:value='true' "), "x");
  EXPECT_EQ(ConditionVariable("__x__:value = 'false'"), "");
  EXPECT_EQ(ConditionVariable("[file:name = 'x']"), "");
  EXPECT_EQ(ConditionVariable("__:value = 'true'"), "");
}

TEST(PlaybookLoader, TooLargeIsRefused) {
  std::string big(kMaxPlaybookBytes + 1, ' ');
  LoadResult r = LoadPlaybook(big, "big.json");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].message.find("larger than"), std::string::npos);
}

}  // namespace
}  // namespace beffroi::playbook
