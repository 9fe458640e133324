#include "analyzer/playbook/deadlines.h"

#include <gtest/gtest.h>

#include "common/text.h"

namespace beffroi::playbook {
namespace {

constexpr std::int64_t kHour = 3600LL * 1'000'000'000;

std::int64_t At(const char* text) {
  return *ParseDateOrAge(text, 0);
}

const ClockStatus& Clock(const std::vector<ClockStatus>& all, std::string_view id) {
  for (const ClockStatus& c : all) {
    if (c.def->id == id) return c;
  }
  ADD_FAILURE() << "no clock " << id;
  return all.front();
}

TEST(LegalClocks, UnansweredQuestionsStillShowTheirDeadline) {
  ClockInputs in;
  in.start_ns = At("2021-06-21T07:00:00Z");
  auto clocks = ComputeClocks(in, At("2021-06-21T09:00:00Z"));
  const ClockStatus& gdpr = Clock(clocks, "gdpr-art33");
  EXPECT_FALSE(gdpr.applies.has_value());
  EXPECT_EQ(gdpr.state, ClockState::kDue);
  EXPECT_EQ(*gdpr.due_ns, At("2021-06-24T07:00:00Z"));
  EXPECT_EQ(gdpr.remaining_ns, 70 * kHour);
  EXPECT_EQ(*Clock(clocks, "nis2-early-warning").due_ns, At("2021-06-22T07:00:00Z"));
  EXPECT_EQ(Clock(clocks, "police-complaint").state, ClockState::kOpen);
  EXPECT_EQ(Clock(clocks, "police-complaint").applies, std::optional<bool>(true));
  // The final report falls one month after the notification's deadline while it is not sent.
  EXPECT_EQ(*Clock(clocks, "nis2-final-report").due_ns, At("2021-07-24T07:00:00Z"));
}

TEST(LegalClocks, AnswersDecideWhatApplies) {
  ClockInputs in;
  in.start_ns = At("2021-06-21T07:00:00Z");
  in.answers["personal_data"] = true;
  in.answers["nis2_in_scope"] = false;
  auto clocks = ComputeClocks(in, At("2021-06-25T07:00:00Z"));
  EXPECT_EQ(Clock(clocks, "gdpr-art33").state, ClockState::kOverdue);
  EXPECT_EQ(Clock(clocks, "gdpr-art33").remaining_ns, -24 * kHour);
  EXPECT_EQ(Clock(clocks, "nis2-early-warning").state, ClockState::kNotApplicable);
  EXPECT_EQ(Clock(clocks, "nis2-final-report").state, ClockState::kNotApplicable);
}

TEST(LegalClocks, DoneIsDoneEvenLate) {
  ClockInputs in;
  in.start_ns = At("2021-06-21T07:00:00Z");
  in.answers["nis2_in_scope"] = true;
  in.done["nis2-early-warning"] = {At("2021-06-22T09:00:00Z"), "alice"};
  in.done["nis2-notification"] = {At("2021-06-23T10:30:00Z"), "bob"};
  auto clocks = ComputeClocks(in, At("2021-07-01T00:00:00Z"));
  const ClockStatus& warning = Clock(clocks, "nis2-early-warning");
  EXPECT_EQ(warning.state, ClockState::kDone);
  EXPECT_EQ(warning.done_by, "alice");
  // The final report is due one calendar month after the notification was sent.
  const ClockStatus& final_report = Clock(clocks, "nis2-final-report");
  EXPECT_EQ(*final_report.due_ns, At("2021-07-23T10:30:00Z"));
  EXPECT_EQ(final_report.state, ClockState::kDue);
}

TEST(LegalClocks, OneCalendarMonth) {
  EXPECT_EQ(AddOneMonth(At("2021-01-31T12:00:00Z")), At("2021-02-28T12:00:00Z"));
  EXPECT_EQ(AddOneMonth(At("2024-01-31T12:00:00Z")), At("2024-02-29T12:00:00Z"));
  EXPECT_EQ(AddOneMonth(At("2021-12-15T00:00:00Z")), At("2022-01-15T00:00:00Z"));
  EXPECT_EQ(AddOneMonth(At("2021-06-21T07:00:00.5Z")), At("2021-07-21T07:00:00.5Z"));
}

TEST(LegalClocks, Spans) {
  EXPECT_EQ(FormatSpan(90LL * 60 * 1'000'000'000), "1 h 30 min");
  EXPECT_EQ(FormatSpan(-(50 * kHour)), "2 d 2 h");
  EXPECT_EQ(FormatSpan(59LL * 1'000'000'000), "0 min");
}

TEST(LegalClocks, EveryClockIsFound) {
  for (const ClockDef& c : AllClocks())
    EXPECT_EQ(FindClock(c.id), &c);
  EXPECT_EQ(FindClock("gdpr-art99"), nullptr);
}

}  // namespace
}  // namespace beffroi::playbook
