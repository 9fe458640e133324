#include "agents/host/sample_policy.h"

#include <gtest/gtest.h>

#include <string>

namespace beffroi::host {
namespace {

SamplePolicyOptions Defaults() {
  SamplePolicyOptions o;
  o.recent_since_ns = 1000;
  return o;
}

TEST(SamplePolicy, PicksExecutablesScriptsNotesAndMacroDocuments) {
  SamplePolicy p(Defaults());
  EXPECT_EQ(p.Decide("setup.bin", "", "pe", 100, 0, 0).reason, "executable");
  EXPECT_EQ(p.Decide("svc.dll", ".dll", "data", 100, 0, 0).reason, "executable");
  EXPECT_EQ(p.Decide("run.ps1", ".ps1", "text", 100, 0, 0).reason, "script");
  EXPECT_EQ(p.Decide("shell.aspx", ".aspx", "text", 100, 0, 0).reason, "script");
  EXPECT_EQ(p.Decide("RyukReadMe.html", ".html", "text", 100, 0, 0).reason, "ransom_note");
  EXPECT_EQ(p.Decide("HOW_TO_DECRYPT.txt", ".txt", "text", 100, 0, 0).reason, "ransom_note");
  EXPECT_EQ(p.Decide("@Please_Read_Me@.txt", ".txt", "text", 100, 0, 0).reason, "ransom_note");
  EXPECT_EQ(p.Decide("invoice.docm", ".docm", "zip", 100, 0, 0).reason, "macro_document");
  EXPECT_EQ(p.Decide("budget.xls", ".xls", "ole2", 100, 0, 0).decision,
            SampleDecision::kIfMacroMarker);
  EXPECT_EQ(p.Decide("minutes.docx", ".docx", "zip", 100, 0, 0).decision,
            SampleDecision::kIfMacroMarker);
  EXPECT_EQ(p.Decide("holiday.jpg", ".jpg", "jpeg", 100, 0, 0).decision, SampleDecision::kNo);
  EXPECT_EQ(p.Decide("archive.zip", ".zip", "zip", 100, 0, 0).decision, SampleDecision::kNo);
}

TEST(SamplePolicy, RecentFilesCountByMtimeOrCtime) {
  SamplePolicy p(Defaults());
  EXPECT_EQ(p.Decide("report.pdf", ".pdf", "pdf", 100, 2000, 0).reason, "recent");
  EXPECT_EQ(p.Decide("report.pdf", ".pdf", "pdf", 100, 0, 2000).reason, "recent");
  EXPECT_EQ(p.Decide("report.pdf", ".pdf", "pdf", 100, 10, 10).decision, SampleDecision::kNo);
}

TEST(SamplePolicy, SizeCapTypesAndExtrasAreConfigurable) {
  SamplePolicyOptions o = Defaults();
  o.max_size = 50;
  o.executables = false;
  o.extra_extensions = {".kdbx"};
  o.extra_name_patterns = {"^passwords"};
  SamplePolicy p(o);
  EXPECT_EQ(p.Decide("big.ps1", ".ps1", "text", 51, 0, 0).decision, SampleDecision::kNo);
  EXPECT_EQ(p.Decide("a.exe", ".exe", "pe", 10, 0, 0).decision, SampleDecision::kNo);
  EXPECT_EQ(p.Decide("vault.KDBX", ".kdbx", "data", 10, 0, 0).reason, "extension");
  EXPECT_EQ(p.Decide("Passwords-2021.xlsx", ".xlsx", "data", 10, 0, 0).reason, "ransom_note");
  o.enabled = false;
  EXPECT_EQ(SamplePolicy(o).Decide("a.ps1", ".ps1", "text", 1, 0, 0).decision, SampleDecision::kNo);
}

TEST(SamplePolicy, ValidateNamesABadPattern) {
  SamplePolicyOptions o;
  o.extra_name_patterns = {"(unclosed"};
  auto err = SamplePolicy::Validate(o);
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->find("(unclosed"), std::string::npos);
}

TEST(SamplePolicy, BudgetIsNeverExceeded) {
  SamplePolicyOptions o;
  o.budget = 100;
  SamplePolicy p(o);
  EXPECT_TRUE(p.ReserveBudget(60));
  EXPECT_FALSE(p.ReserveBudget(41));
  EXPECT_TRUE(p.ReserveBudget(40));
  p.ReleaseBudget(60);
  EXPECT_TRUE(p.ReserveBudget(60));
  EXPECT_EQ(p.budget_skips(), 1u);
}

std::span<const std::uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(MacroMarkerScanner, FindsMarkersEvenWhenSplitAcrossChunks) {
  const std::string ooxml = "PK\x03\x04....word/vbaProject.bin....";
  for (std::size_t cut = 0; cut <= ooxml.size(); ++cut) {
    MacroMarkerScanner s;
    s.Feed(Bytes(ooxml.substr(0, cut)));
    s.Feed(Bytes(ooxml.substr(cut)));
    EXPECT_TRUE(s.found()) << "cut at " << cut;
  }
  const std::string ole2 = std::string("xx_\0V\0B\0A\0_\0P\0R\0O\0J\0E\0C\0T\0yy", 28);
  for (std::size_t cut = 0; cut <= ole2.size(); ++cut) {
    MacroMarkerScanner s;
    s.Feed(Bytes(ole2.substr(0, cut)));
    s.Feed(Bytes(ole2.substr(cut)));
    EXPECT_TRUE(s.found()) << "cut at " << cut;
  }
  MacroMarkerScanner none;
  none.Feed(Bytes("PK\x03\x04 word/document.xml"));
  EXPECT_FALSE(none.found());
}

TEST(MacroMarkerScanner, FindsAMarkerSpreadOverManyTinyChunks) {
  const std::string text = "....vbaProject.bin";
  MacroMarkerScanner s;
  for (char c : text)
    s.Feed(Bytes(std::string(1, c)));
  EXPECT_TRUE(s.found());
}

}  // namespace
}  // namespace beffroi::host
