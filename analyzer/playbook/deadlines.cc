#include "analyzer/playbook/deadlines.h"

#include <ctime>

namespace beffroi::playbook {

namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr std::int64_t kNsPerHour = 3600 * kNsPerSecond;

}  // namespace

const std::vector<ClockDef>& AllClocks() {
  static const std::vector<ClockDef> clocks = {
      {"nis2-early-warning", "NIS2 early warning (suspected malicious cause, cross-border impact)",
       "NIS2 art. 23(4)(a); Belgian law of 26 April 2024", "CCB, through CERT.be",
       "https://cert.be/en/report-incident; incident@ccb.belgium.be; +32 2 501 05 60 (office "
       "hours; 24/7 through the NCCN for essential entities)",
       kVarNis2Scope, 24, ""},
      {"gdpr-art33", "Personal-data breach notification to the data protection authority",
       "GDPR art. 33",
       "APD/GBA (Autorité de protection des données / Gegevensbeschermingsautoriteit)",
       "the e-form on the APD/GBA portal, in French, Dutch or German (e-mail is not accepted); "
       "keep the confirmation code. A police zone notifies the COC instead.",
       kVarPersonalData, 72, ""},
      {"nis2-notification",
       "NIS2 incident notification (initial assessment, severity, impact, IOCs)",
       "NIS2 art. 23(4)(b)", "CCB, through CERT.be",
       "https://cert.be/en/report-incident; incident@ccb.belgium.be", kVarNis2Scope, 72, ""},
      {"gdpr-art34", "Tell the people whose data is at high risk", "GDPR art. 34",
       "the data subjects",
       "letter, e-mail or the city website: nature of the breach, data "
       "concerned, measures taken, likely consequences, a contact point (the DPO)",
       kVarHighRisk, 0, ""},
      {"police-complaint", "Criminal complaint", "Belgian criminal procedure (no legal deadline)",
       "local police; the federal police Computer Crime Unit investigates",
       "file in parallel with the notifications; bring the incident report and the evidence "
       "bundles' manifest hashes",
       "", 0, ""},
      {"nis2-final-report", "NIS2 final report (root cause, mitigations, cross-border impact)",
       "NIS2 art. 23(4)(d)", "CCB, through CERT.be",
       "https://cert.be/en/report-incident; incident@ccb.belgium.be", kVarNis2Scope, 0,
       "nis2-notification"},
  };
  return clocks;
}

const ClockDef* FindClock(std::string_view id) {
  for (const ClockDef& c : AllClocks()) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::string_view ClockStateName(ClockState state) {
  switch (state) {
    case ClockState::kDone:
      return "done";
    case ClockState::kDue:
      return "due";
    case ClockState::kOverdue:
      return "overdue";
    case ClockState::kOpen:
      return "open";
    case ClockState::kNotApplicable:
      return "not-applicable";
  }
  return "due";
}

std::int64_t AddOneMonth(std::int64_t unix_ns) {
  std::int64_t secs = unix_ns / kNsPerSecond;
  std::int64_t frac = unix_ns % kNsPerSecond;
  if (frac < 0) {
    frac += kNsPerSecond;
    --secs;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (::gmtime_r(&t, &tm) == nullptr) return unix_ns + 31 * 24 * kNsPerHour;
  int year = tm.tm_year + 1900, month = tm.tm_mon + 1;  // 1..12
  if (++month > 12) {
    month = 1;
    ++year;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  if (tm.tm_mday > days) tm.tm_mday = days;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  std::time_t out = ::timegm(&tm);
  return static_cast<std::int64_t>(out) * kNsPerSecond + frac;
}

std::string FormatSpan(std::int64_t ns) {
  if (ns < 0) ns = -ns;
  std::int64_t minutes = ns / (60 * kNsPerSecond);
  std::int64_t days = minutes / (24 * 60), hours = (minutes / 60) % 24, mins = minutes % 60;
  if (days > 0) return std::to_string(days) + " d " + std::to_string(hours) + " h";
  if (hours > 0) return std::to_string(hours) + " h " + std::to_string(mins) + " min";
  return std::to_string(mins) + " min";
}

std::vector<ClockStatus> ComputeClocks(const ClockInputs& in, std::int64_t now_ns) {
  std::vector<ClockStatus> out;
  std::map<std::string_view, std::int64_t> reference;  // clock -> done time, else due time
  for (const ClockDef& def : AllClocks()) {
    ClockStatus s;
    s.def = &def;
    if (def.variable.empty()) {
      s.applies = true;
    } else if (auto a = in.answers.find(std::string(def.variable)); a != in.answers.end()) {
      s.applies = a->second;
    }
    if (def.hours > 0) {
      s.due_ns = in.start_ns + def.hours * kNsPerHour;
    } else if (!def.after_clock.empty()) {
      if (auto r = reference.find(def.after_clock); r != reference.end())
        s.due_ns = AddOneMonth(r->second);
    }
    if (auto d = in.done.find(std::string(def.id)); d != in.done.end()) {
      s.done_ns = d->second.at_ns;
      s.done_by = d->second.by;
    }
    if (s.done_ns) {
      reference[def.id] = *s.done_ns;
    } else if (s.due_ns) {
      reference[def.id] = *s.due_ns;
    }
    if (s.done_ns) {
      s.state = ClockState::kDone;
    } else if (s.applies == false) {
      s.state = ClockState::kNotApplicable;
    } else if (!s.due_ns) {
      s.state = ClockState::kOpen;
    } else {
      s.remaining_ns = *s.due_ns - now_ns;
      s.state = s.remaining_ns < 0 ? ClockState::kOverdue : ClockState::kDue;
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace beffroi::playbook
