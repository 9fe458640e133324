#include "analyzer/exercise/report.h"

#include <algorithm>
#include <map>

#include "common/text.h"

namespace beffroi::exercise {

namespace {

constexpr std::int64_t kNsPerHour = 60 * kNsPerMinute;

std::string At(std::int64_t ns) {
  return FormatElapsed(ns);
}

// Scenario time as the date and time of the story ("2021-06-21 07:45 UTC").
std::string StoryTime(const Scenario& s, std::int64_t ns) {
  std::string t = FormatTimestampNs(s.start_ns + ns);
  return t.substr(0, 10) + " " + t.substr(11, 5) + " UTC";
}

std::string Span(std::int64_t ns) {
  std::int64_t minutes = (ns < 0 ? -ns : ns) / kNsPerMinute;
  std::string out = ns < 0 ? "-" : "";
  if (minutes >= 60 * 24) out += std::to_string(minutes / (60 * 24)) + " d ";
  if (minutes >= 60) out += std::to_string(minutes / 60 % 24) + " h ";
  return out + std::to_string(minutes % 60) + " min";
}

const Participant* TeamOf(const Scenario& s, const std::string& id) {
  return s.FindParticipant(id);
}

std::string TeamName(const Scenario& s, const std::string& id) {
  const Participant* p = TeamOf(s, id);
  return p != nullptr ? p->name : id;
}

std::string ClockOfAction(const ReportInput& in, const ExpectedAction& a) {
  auto pb = in.steps.playbooks.find(in.scenario->PlaybookOf(a));
  if (pb == in.steps.playbooks.end()) return "";
  auto step = pb->second.find(a.step);
  return step == pb->second.end() ? "" : step->second;
}

bool Reached(const Tick* t) {
  return t != nullptr && t->rating != Rating::kMissed;
}

const Tick* TickOf(const SessionState& st, const std::string& id) {
  auto it = st.ticks.find(id);
  return it == st.ticks.end() ? nullptr : &it->second;
}

std::string DatePlusDays(const std::string& rfc3339, std::int64_t days) {
  auto t = ParseDateOrAge(rfc3339, 0);
  return FormatTimestampNs(t.value_or(0) + days * 24 * kNsPerHour).substr(0, 10);
}

struct TimelineRow {
  std::int64_t at = 0;
  std::string kind, who, what;
};

std::vector<TimelineRow> Timeline(const ReportInput& in) {
  const Scenario& s = *in.scenario;
  const SessionState& st = *in.state;
  std::vector<TimelineRow> rows;
  for (const Delivered& d : st.delivered) {
    const Inject* inj = s.FindInject(d.inject);
    if (inj == nullptr) continue;
    std::string to;
    for (const std::string& p : inj->to)
      to += (to.empty() ? "" : ", ") + TeamName(s, p);
    rows.push_back(
        {d.elapsed_ns, "inject", to + " (" + inj->channel + ")", inj->id + ": " + inj->title});
  }
  for (const Decision& d : st.decisions)
    rows.push_back({d.elapsed_ns, "decision", TeamName(s, d.team),
                    d.text + " (after " + Span(d.took_ns) + ")"});
  for (const auto& [id, t] : st.ticks) {
    const ExpectedAction* a = s.FindAction(id);
    rows.push_back({t.elapsed_ns, "rated", a ? TeamName(s, a->team) : "",
                    id + " " + std::string(RatingName(t.rating)) +
                        (t.comment.empty() ? "" : ": " + t.comment)});
  }
  for (const NoteEntry& n : st.notes)
    rows.push_back({n.elapsed_ns, "note", "facilitator", n.text});
  std::stable_sort(rows.begin(), rows.end(),
                   [](const TimelineRow& a, const TimelineRow& b) { return a.at < b.at; });
  return rows;
}

// Markdown table cells: no line breaks, no unescaped pipes.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string Html(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RatingLabel(const Tick* t) {
  if (t == nullptr) return "not rated (missed)";
  return t->rating == Rating::kPartly ? "partly met" : std::string(RatingName(t->rating));
}

std::string MilestoneStatus(const Milestone& m) {
  if (!m.done_ns) return "not reached";
  if (m.due_ns && *m.done_ns > *m.due_ns) return "late by " + Span(*m.done_ns - *m.due_ns);
  return "reached";
}

// The report as rows of cells, shared by both renderings.
struct Tables {
  std::vector<std::vector<std::string>> timeline, actions, milestones, plan;
  std::vector<std::string> strengths, improvements;
};

Tables Build(const ReportInput& in) {
  const Scenario& s = *in.scenario;
  const SessionState& st = *in.state;
  Tables t;
  for (const TimelineRow& r : Timeline(in))
    t.timeline.push_back({At(r.at), StoryTime(s, r.at), r.kind, r.who, r.what});
  for (const ExpectedAction& a : s.actions) {
    const Tick* tick = TickOf(st, a.id);
    t.actions.push_back({a.id, a.text, TeamName(s, a.team), s.PlaybookOf(a) + " / " + a.step,
                         a.by_minutes ? FormatScenarioTime(*a.by_minutes) : "", RatingLabel(tick),
                         tick ? At(tick->elapsed_ns) : "", tick ? tick->comment : ""});
    if (tick != nullptr && tick->rating == Rating::kMet)
      t.strengths.push_back(a.text + (tick->comment.empty() ? "" : ": " + tick->comment));
    else
      t.improvements.push_back(a.text + " (" + RatingLabel(tick) + ")" +
                               (tick && !tick->comment.empty() ? ": " + tick->comment : ""));
  }
  for (const NoteEntry& n : st.notes)
    t.improvements.push_back("Facilitator's note at " + At(n.elapsed_ns) + ": " + n.text);
  for (const Milestone& m : Milestones(in))
    t.milestones.push_back({m.name, m.due_ns ? At(*m.due_ns) : "", m.done_ns ? At(*m.done_ns) : "",
                            m.done_ns ? Span(*m.done_ns - AwareAt(s, st)) : "", MilestoneStatus(m),
                            m.how});
  for (const PlanItem& p : ImprovementPlan(in))
    t.plan.push_back({p.action_id, p.action,
                      p.rated ? std::string(RatingName(p.rating)) : "not rated", p.owner, p.due});
  return t;
}

}  // namespace

std::int64_t AwareAt(const Scenario& s, const SessionState& st) {
  for (const Delivered& d : st.delivered) {
    const Inject* in = s.FindInject(d.inject);
    if (in != nullptr && !in->artefacts.empty()) return d.elapsed_ns;
  }
  return 0;
}

std::vector<Milestone> Milestones(const ReportInput& in) {
  const Scenario& s = *in.scenario;
  const SessionState& st = *in.state;
  std::vector<Milestone> out;
  // Named milestones of the scenario, in the order of their actions.
  std::map<std::string, Milestone> named;
  std::vector<std::string> order;
  for (const ExpectedAction& a : s.actions) {
    if (a.milestone.empty()) continue;
    auto [it, fresh] = named.try_emplace(a.milestone, Milestone{a.milestone, {}, {}, ""});
    if (fresh) order.push_back(a.milestone);
    Milestone& m = it->second;
    if (a.by_minutes && !m.due_ns) m.due_ns = *a.by_minutes * kNsPerMinute;
    const Tick* t = TickOf(st, a.id);
    if (Reached(t) && (!m.done_ns || t->elapsed_ns < *m.done_ns)) {
      m.done_ns = t->elapsed_ns;
      m.how = a.id;
    }
  }
  // First notification: the first action reached that satisfies a legal clock.
  Milestone first{"first-notification", {}, {}, ""};
  for (const ExpectedAction& a : s.actions) {
    const Tick* t = TickOf(st, a.id);
    if (!ClockOfAction(in, a).empty() && Reached(t) &&
        (!first.done_ns || t->elapsed_ns < *first.done_ns)) {
      first.done_ns = t->elapsed_ns;
      first.how = a.id;
    }
  }
  if (named.count("first-notification") == 0) {
    named.emplace(first.name, first);
    order.push_back(first.name);
  }
  for (const std::string& name : order)
    out.push_back(named[name]);
  // Each legal clock: due from T0, reached by the first action that satisfies it.
  const std::int64_t t0 = AwareAt(s, st);
  for (const LegalClock& c : in.clocks) {
    Milestone m{c.title + " (" + c.law + ")", {}, {}, ""};
    if (c.hours > 0) m.due_ns = t0 + c.hours * kNsPerHour;
    for (const ExpectedAction& a : s.actions) {
      const Tick* t = TickOf(st, a.id);
      if (ClockOfAction(in, a) == c.id && Reached(t) &&
          (!m.done_ns || t->elapsed_ns < *m.done_ns)) {
        m.done_ns = t->elapsed_ns;
        m.how = a.id;
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<PlanItem> ImprovementPlan(const ReportInput& in) {
  const Scenario& s = *in.scenario;
  const SessionState& st = *in.state;
  std::string base = !in.finished_at.empty() ? in.finished_at : in.created_at;
  std::vector<PlanItem> out;
  for (const ExpectedAction& a : s.actions) {
    const Tick* t = TickOf(st, a.id);
    if (t != nullptr && t->rating == Rating::kMet) continue;
    PlanItem p;
    p.action_id = a.id;
    p.action = a.text;
    p.rated = t != nullptr;
    p.rating = t ? t->rating : Rating::kMissed;
    const Criterion* criterion = nullptr;
    for (const Criterion& c : s.criteria) {
      if (c.objective == a.objective) {
        criterion = &c;
        break;
      }
    }
    if (auto it = st.plan.find(a.id); it != st.plan.end()) {
      p.owner = it->second.owner;
      p.due = it->second.due;
    } else {
      p.owner = criterion ? criterion->owner : TeamName(s, a.team);
      p.due = DatePlusDays(base, criterion ? criterion->due_days : 30);
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string RenderMarkdown(const ReportInput& in) {
  const Scenario& s = *in.scenario;
  const SessionState& st = *in.state;
  Tables t = Build(in);
  std::string md;
  auto table = [&](const std::vector<std::string>& head,
                   const std::vector<std::vector<std::string>>& rows) {
    std::string sep;
    for (const std::string& h : head) {
      md += "| " + h + " ";
      sep += "|---";
    }
    md += "|\n" + sep + "|\n";
    for (const auto& row : rows) {
      for (const std::string& c : row)
        md += "| " + Cell(c) + " ";
      md += "|\n";
    }
    md += "\n";
  };
  md += "# After-action report: " + Cell(s.title) + "\n\n";
  md += "Scenario `" + s.id + "` (" + s.source + ", sha256 " + s.sha256.substr(0, 16) +
        "), session " + std::to_string(in.session_id) + ", run by " + in.created_by + " from " +
        in.created_at + (in.finished_at.empty() ? " (not ended)" : " to " + in.finished_at) +
        ". Scenario T+0 is " + s.start + "; play reached " + At(st.last_elapsed_ns) + ".\n\n";
  if (!s.summary.empty()) md += s.summary + "\n\n";
  md += "## Objectives\n\n";
  for (const Objective& o : s.objectives)
    md += "- **" + o.id + "**: " + o.text + "\n";
  md += "\n## Timeline\n\n";
  table({"Scenario time", "Story time", "Event", "Who", "What"}, t.timeline);
  md += "## Expected actions\n\n";
  table({"Action", "What", "Team", "Playbook step", "Expected by", "Rating", "Rated at", "Comment"},
        t.actions);
  md += "## Time to key milestones\n\nLegal clocks run from " + At(AwareAt(s, st)) +
        ", when the first evidence reached the city.\n\n";
  table({"Milestone", "Due", "Reached", "Time from awareness", "Status", "By action"},
        t.milestones);
  if (!in.incidents.empty()) {
    md += "## Incidents in the exercise database\n\n";
    for (const std::string& i : in.incidents)
      md += "- " + Cell(i) + "\n";
    md += "\n";
  }
  md += "## Strengths\n\n";
  if (t.strengths.empty()) md += "- (none recorded)\n";
  for (const std::string& x : t.strengths)
    md += "- " + Cell(x) + "\n";
  md += "\n## Areas for improvement\n\n";
  if (t.improvements.empty()) md += "- (none recorded)\n";
  for (const std::string& x : t.improvements)
    md += "- " + Cell(x) + "\n";
  md += "\n## Improvement plan\n\n";
  table({"Action", "What", "Rating", "Owner", "Due date"}, t.plan);
  md += "## Discussion questions\n\n";
  for (const Module& m : s.modules) {
    md += "### " + Cell(m.title) + "\n\n";
    for (const std::string& q : m.questions)
      md += "- " + Cell(q) + "\n";
    md += "\n";
  }
  return md;
}

std::string RenderHtml(const ReportInput& in) {
  const Scenario& s = *in.scenario;
  const SessionState& st = *in.state;
  Tables t = Build(in);
  std::string h;
  auto table = [&](const std::vector<std::string>& head,
                   const std::vector<std::vector<std::string>>& rows) {
    h += "<table><thead><tr>";
    for (const std::string& c : head)
      h += "<th>" + Html(c) + "</th>";
    h += "</tr></thead><tbody>\n";
    for (const auto& row : rows) {
      h += "<tr>";
      for (const std::string& c : row) {
        std::string cls;
        if (c == "met" || c == "reached") cls = " class=\"ok\"";
        if (c == "missed" || c == "not reached" || c.rfind("not rated", 0) == 0 ||
            c.rfind("late", 0) == 0)
          cls = " class=\"bad\"";
        if (c == "partly met" || c == "partly") cls = " class=\"part\"";
        h += "<td" + cls + ">" + Html(c) + "</td>";
      }
      h += "</tr>\n";
    }
    h += "</tbody></table>\n";
  };
  auto list = [&](const std::vector<std::string>& items) {
    h += "<ul>";
    if (items.empty()) h += "<li>(none recorded)</li>";
    for (const std::string& x : items)
      h += "<li>" + Html(x) + "</li>";
    h += "</ul>\n";
  };
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
       "<title>After-action report: " +
       Html(s.title) +
       "</title><style>"
       "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;"
       "color:#1b1b1b;line-height:1.45}"
       "h1{font-size:1.6rem}h2{border-bottom:2px solid #274b6d;padding-bottom:.2rem;"
       "margin-top:2rem;color:#274b6d}"
       "table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.92rem}"
       "th,td{border:1px solid #c8ced6;padding:.3rem .5rem;text-align:left;vertical-align:top}"
       "th{background:#eef2f6}td.ok{background:#e3f4e5}td.bad{background:#fbe4e4}"
       "td.part{background:#fdf3d8}.meta{color:#555}"
       "@media print{body{margin:0}h2{break-after:avoid}}"
       "</style></head><body>\n";
  h += "<h1>After-action report: " + Html(s.title) + "</h1>\n";
  h += "<p class=\"meta\">Scenario <code>" + Html(s.id) + "</code> (" + Html(s.source) +
       "), session " + std::to_string(in.session_id) + ", run by " + Html(in.created_by) +
       " from " + Html(in.created_at) +
       (in.finished_at.empty() ? " (not ended)" : " to " + Html(in.finished_at)) +
       ". Scenario T+0 is " + Html(s.start) + "; play reached " + Html(At(st.last_elapsed_ns)) +
       ".</p>\n";
  if (!s.summary.empty()) h += "<p>" + Html(s.summary) + "</p>\n";
  h += "<h2>Objectives</h2><ul>";
  for (const Objective& o : s.objectives)
    h += "<li><b>" + Html(o.id) + "</b>: " + Html(o.text) + "</li>";
  h += "</ul>\n<h2>Timeline</h2>\n";
  table({"Scenario time", "Story time", "Event", "Who", "What"}, t.timeline);
  h += "<h2>Expected actions</h2>\n";
  table({"Action", "What", "Team", "Playbook step", "Expected by", "Rating", "Rated at", "Comment"},
        t.actions);
  h += "<h2>Time to key milestones</h2>\n<p>Legal clocks run from " + Html(At(AwareAt(s, st))) +
       ", when the first evidence reached the city.</p>\n";
  table({"Milestone", "Due", "Reached", "Time from awareness", "Status", "By action"},
        t.milestones);
  if (!in.incidents.empty()) {
    h += "<h2>Incidents in the exercise database</h2>\n";
    list(in.incidents);
  }
  h += "<h2>Strengths</h2>\n";
  list(t.strengths);
  h += "<h2>Areas for improvement</h2>\n";
  list(t.improvements);
  h += "<h2>Improvement plan</h2>\n";
  table({"Action", "What", "Rating", "Owner", "Due date"}, t.plan);
  h += "<h2>Discussion questions</h2>\n";
  for (const Module& m : s.modules) {
    h += "<h3>" + Html(m.title) + "</h3>";
    list(m.questions);
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace beffroi::exercise
