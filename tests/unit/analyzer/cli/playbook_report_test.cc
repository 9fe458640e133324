// The response section of the incident report: runs, answers, clocks, in text, Markdown and
// HTML, built from a real store and the bundled playbooks.
#include "analyzer/cli/playbook_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "analyzer/cli/playbook_session.h"
#include "analyzer/report/report.h"
#include "common/text.h"

namespace beffroi::cli {
namespace {

namespace fs = std::filesystem;

const std::string kPlaybooks = std::string(BEFFROI_SOURCE_DIR) + "/playbooks";
const store::Who kAlice{"alice", ""};

class PlaybookReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() / ("beffroi_report_" + std::to_string(::getpid()) + ".db"))
                .string();
    fs::remove(path_);
    auto store = store::Store::Open(path_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    auto host = store_->UpsertHost("fs01", "", "2021-06-21T06:00:00.000000Z");
    ASSERT_TRUE(host.ok());
    store::IncidentRow i;
    i.host_id = *host;
    i.threat_key = "playbook:ransomware";
    i.title = "Ransomware activity on fs01";
    i.severity = "critical";
    i.first_seen = i.last_seen = "2021-06-21T03:00:00.000000Z";
    i.created_at = "2021-06-21T07:00:00.000000Z";
    i.playbook = "ransomware";
    auto id = store_->CreateIncident(i);
    ASSERT_TRUE(id.ok()) << id.error().message;
    incident_ = *id;
    catalog_ = playbook::Catalog::LoadDirectory(kPlaybooks);
    ASSERT_TRUE(catalog_.errors.empty());
  }
  void TearDown() override {
    store_.reset();
    for (const char* s : {"", "-wal", "-shm"})
      fs::remove(path_ + s);
  }
  void Do(const std::string& step, playbook::EventKind kind, const std::string& value = "") {
    const playbook::Playbook* p = catalog_.Find("ransomware");
    auto run = OpenRun(*store_, *p, incident_, kAlice, "");
    ASSERT_TRUE(run.ok()) << run.error().message;
    auto out = Apply(*store_, *p, run->run, {step, kind, value}, kAlice, std::nullopt);
    ASSERT_TRUE(out.ok()) << out.error().message;
  }

  std::string path_;
  std::unique_ptr<store::Store> store_;
  std::int64_t incident_ = 0;
  playbook::Catalog catalog_;
};

TEST_F(PlaybookReportTest, ClocksFollowTheAnswersAndTheSteps) {
  Do("exfiltration", playbook::EventKind::kChoice, "false");
  Do("personal-data", playbook::EventKind::kChoice, "true");
  Do("notify-apd", playbook::EventKind::kDone);
  // The next decision on the path must be answered before the one after it.
  EXPECT_FALSE(Apply(*store_, *catalog_.Find("ransomware"),
                     store_->FindPlaybookRun(incident_, catalog_.Find("ransomware")->id)->value(),
                     {"nis2-scope", playbook::EventKind::kChoice, "false"}, kAlice, std::nullopt)
                   .ok());
  Do("high-risk", playbook::EventKind::kChoice, "false");
  Do("nis2-scope", playbook::EventKind::kChoice, "false");
  Do("no-ransom", playbook::EventKind::kNote, "college <decision> & minutes");
  auto detail = store_->GetIncident(incident_);
  ASSERT_TRUE(detail.ok() && detail->has_value());
  std::int64_t now = *ParseDateOrAge("2021-06-22T09:00:00Z", 0);
  auto r = BuildIncidentResponse(*store_, **detail, catalog_, now);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->aware_at, "2021-06-21T07:00:00.000000Z");
  ASSERT_EQ(r->runs.size(), 1u);
  EXPECT_EQ(r->runs[0].current, "response-kit");
  ASSERT_FALSE(r->suggestions.empty());
  EXPECT_EQ(r->suggestions[0].playbook->Handle(), "ransomware");
  std::map<std::string, std::string> state;
  for (const auto& c : r->clocks)
    state[std::string(c.def->id)] = playbook::ClockStateName(c.state);
  EXPECT_EQ(state["gdpr-art33"], "done");
  EXPECT_EQ(state["nis2-early-warning"], "not-applicable");
  EXPECT_EQ(state["gdpr-art34"], "not-applicable");
  EXPECT_EQ(state["police-complaint"], "open");

  nlohmann::json j = IncidentResponseJson(*r);
  EXPECT_EQ(j["legal_clocks"]["answers"]["personal_data"], true);
  EXPECT_EQ(j["playbook_runs"][0]["events"].size(), 6u);

  std::string md = RenderResponse(*r, SectionFormat::kMarkdown);
  EXPECT_NE(md.find("## Response"), std::string::npos);
  EXPECT_NE(md.find("| done | done 2"), std::string::npos) << md;
  EXPECT_NE(md.find("| not-applicable |"), std::string::npos);
  std::string html = RenderResponse(*r, SectionFormat::kHtml);
  EXPECT_NE(html.find("college &lt;decision&gt; &amp; minutes"), std::string::npos) << html;
  EXPECT_EQ(html.find("<decision>"), std::string::npos);
}

// The incident report (analyzer/report) shows the same progress and clocks, escaped by its
// own renderers.
TEST_F(PlaybookReportTest, IncidentReportCarriesRunsClocksAndRecord) {
  Do("exfiltration", playbook::EventKind::kChoice, "false");
  Do("personal-data", playbook::EventKind::kChoice, "true");
  Do("no-ransom", playbook::EventKind::kNote, "college <decision> & minutes");
  std::int64_t now = *ParseDateOrAge("2021-06-25T08:00:00Z", 0);
  auto r = LoadIncidentResponse(*store_, incident_, now, catalog_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto data = report::GatherReport(*store_, incident_, "Ville", kAlice);
  ASSERT_TRUE(data.ok()) << data.error().message;
  data->playbook = ResponseSections(*r);
  ASSERT_GE(data->playbook.size(), 3u);
  EXPECT_EQ(data->playbook[0].title, "Response playbooks");
  EXPECT_EQ(data->playbook[1].title.rfind("Legal clocks, from T0 = 2021-06-21T07:00:00Z", 0), 0u);
  bool overdue_gdpr = false;
  for (const auto& [what, state] : data->playbook[1].rows) {
    if (what.find("GDPR art. 33") != std::string::npos)
      overdue_gdpr = state.rfind("overdue: 2021-06-24T07:00Z", 0) == 0;
  }
  EXPECT_TRUE(overdue_gdpr);
  std::string md = report::RenderMarkdown(*data);
  EXPECT_NE(md.find("Legal clocks"), std::string::npos) << md;
  EXPECT_NE(md.find("What was done in run 1 (ransomware)"), std::string::npos) << md;
  std::string html = report::RenderHtml(*data);
  EXPECT_NE(html.find("college &lt;decision&gt; &amp; minutes"), std::string::npos);
  EXPECT_EQ(html.find("<decision>"), std::string::npos);
}

TEST_F(PlaybookReportTest, SectionForAnIncidentWithoutRuns) {
  std::int64_t now = *ParseDateOrAge("2021-06-25T08:00:00Z", 0);
  auto md = RenderPlaybookSection(*store_, incident_, SectionFormat::kMarkdown, now, kPlaybooks);
  ASSERT_TRUE(md.ok()) << md.error().message;
  EXPECT_NE(md->find("Suggested playbook: ransomware"), std::string::npos) << *md;
  EXPECT_NE(md->find("| overdue | 2021-06-24T07:00Z (overdue by 1 d 1 h)"), std::string::npos)
      << *md;
  auto missing = RenderPlaybookSection(*store_, 99, SectionFormat::kText, now, kPlaybooks);
  EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace beffroi::cli
