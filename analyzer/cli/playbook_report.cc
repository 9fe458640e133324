#include "analyzer/cli/playbook_report.h"

#include <algorithm>
#include <cstdio>

#include "analyzer/cli/context.h"
#include "analyzer/cli/playbook_session.h"
#include "common/text.h"

namespace beffroi::cli {

namespace {

using playbook::ClockState;
using playbook::ClockStatus;

std::int64_t ToNs(const std::string& ts, std::int64_t fallback) {
  return ParseDateOrAge(ts, fallback).value_or(fallback);
}

std::string Applicability(const ClockStatus& c) {
  if (c.def->variable.empty()) return "always";
  std::string var(c.def->variable);
  if (!c.applies) return "if " + var + " (not answered yet)";
  return *c.applies ? var + ": yes" : var + ": no";
}

std::string DueText(const ClockStatus& c, std::int64_t now_ns) {
  if (!c.due_ns) return c.state == ClockState::kOpen ? "no fixed deadline" : "-";
  std::string when = FormatTimestampNs(*c.due_ns).substr(0, 16) + "Z";
  std::int64_t left = *c.due_ns - now_ns;
  if (c.state == ClockState::kDone || c.state == ClockState::kNotApplicable) return when;
  return when + (left < 0 ? " (overdue by " : " (in ") + playbook::FormatSpan(left) + ")";
}

std::string MdCell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string ClockDue(const ClockStatus& c, std::int64_t now_ns) {
  return c.state == ClockState::kDone
             ? "done " + FormatTimestampNs(*c.done_ns).substr(0, 16) + "Z by " + c.done_by
             : DueText(c, now_ns);
}

std::string RunSummary(const RunProgress& p) {
  std::string text = "Run " + std::to_string(p.run.id) + " of " + p.run.playbook_name +
                     ", started " + p.run.started_at.substr(0, 19) + "Z by " + p.run.started_by +
                     ": ";
  if (p.playbook == nullptr) {
    text += std::to_string(p.events.size()) + " events (the playbook is not in the catalog)";
  } else if (p.finished) {
    text += "finished " + p.run.finished_at.value_or("").substr(0, 19) + "Z, " +
            std::to_string(p.done) + " steps";
  } else {
    text += std::to_string(p.done) + " of " + std::to_string(p.on_path) +
            " steps on the path so far; next: " + p.current + " \"" + p.current_name + "\"";
  }
  if (p.playbook_changed) text += " (the playbook file changed since the run started)";
  return text;
}

// "step: what was done [clock or variable]".
std::string EventWhat(const store::PlaybookEventRow& e) {
  std::string what = e.kind == "choice"    ? "answered \"" + e.value + "\""
                     : e.kind == "skipped" ? "skipped (" + e.value + ")"
                     : e.kind == "note"    ? "note: " + e.value
                                           : "done";
  std::string extra;
  if (e.clock) extra = " [legal clock " + *e.clock + "]";
  if (e.variable) extra = " [" + *e.variable + "]";
  return e.step_name + ": " + what + extra;
}

std::string EventLine(const store::PlaybookEventRow& e) {
  return e.at.substr(0, 19) + "Z  " + e.actor + "  " + EventWhat(e);
}

}  // namespace

Result<IncidentResponse> BuildIncidentResponse(store::Store& store,
                                               const store::IncidentDetail& detail,
                                               const playbook::Catalog& catalog,
                                               std::int64_t now_ns) {
  IncidentResponse r;
  const store::IncidentRow& incident = detail.incident;
  r.incident_id = incident.id;
  r.now_ns = now_ns;
  playbook::SuggestInput in;
  in.playbook = incident.playbook.value_or("");
  auto add_techniques = [&](const std::string& json_text) {
    nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
    if (!j.is_array()) return;
    for (const auto& t : j) {
      if (t.is_string()) in.techniques.push_back(t.get<std::string>());
    }
  };
  add_techniques(incident.techniques_json);
  for (const auto& d : detail.detections) {
    add_techniques(d.techniques_json);
    in.texts.push_back(d.description);
  }
  r.suggestions = playbook::Suggest(catalog, in);

  auto runs = store.ListPlaybookRuns(incident.id);
  if (!runs.ok()) return runs.error();
  struct Answer {
    std::string at;
    bool value;
  };
  std::map<std::string, Answer> answers;
  playbook::ClockInputs clocks;
  r.aware_at = incident.created_at;
  r.aware_from = "the incident was opened";
  for (const auto& run : *runs) {
    RunProgress p;
    p.run = run;
    auto events = store.ListPlaybookEvents(run.id);
    if (!events.ok()) return events.error();
    p.events = std::move(*events);
    for (const playbook::Playbook& pb : catalog.playbooks) {
      if (pb.id == run.playbook_id) p.playbook = &pb;
    }
    if (p.playbook != nullptr) {
      p.playbook_changed = p.playbook->sha256 != run.playbook_sha256;
      std::vector<playbook::RunEvent> folded;
      for (const auto& e : p.events)
        folded.push_back(ToRunEvent(e));
      playbook::Position pos = playbook::Walk(*p.playbook, playbook::RunState::Fold(folded));
      p.done = pos.done;
      p.on_path = pos.path.size();
      p.finished = pos.finished;
      if (pos.current != nullptr) {
        p.current = pos.current->Handle();
        p.current_name = pos.current->Label();
      }
    }
    if (run.aware_at < r.aware_at) {
      r.aware_at = run.aware_at;
      r.aware_from =
          "set when run " + std::to_string(run.id) + " (" + run.playbook_name + ") started";
    }
    for (const auto& e : p.events) {
      if (e.kind == "choice" && e.variable && (e.value == "true" || e.value == "false")) {
        auto it = answers.find(*e.variable);
        if (it == answers.end() || it->second.at <= e.at)
          answers[*e.variable] = {e.at, e.value == "true"};
      }
      if (e.kind == "done" && e.clock) {
        std::int64_t at = ToNs(e.at, now_ns);
        auto it = clocks.done.find(*e.clock);
        if (it == clocks.done.end() || at < it->second.at_ns) clocks.done[*e.clock] = {at, e.actor};
      }
    }
    r.runs.push_back(std::move(p));
  }
  for (const auto& [var, a] : answers) {
    r.answers[var] = a.value;
    clocks.answers[var] = a.value;
  }
  clocks.start_ns = ToNs(r.aware_at, now_ns);
  r.clocks = playbook::ComputeClocks(clocks, now_ns);
  return r;
}

nlohmann::json IncidentResponseJson(const IncidentResponse& r) {
  nlohmann::json out;
  out["suggested_playbooks"] = nlohmann::json::array();
  for (const auto& s : r.suggestions) {
    out["suggested_playbooks"].push_back({{"name", s.playbook->Handle()},
                                          {"id", s.playbook->id},
                                          {"title", s.playbook->name},
                                          {"score", s.score},
                                          {"reason", s.reason}});
  }
  out["playbook_runs"] = nlohmann::json::array();
  for (const auto& p : r.runs) {
    nlohmann::json events = nlohmann::json::array();
    for (const auto& e : p.events) {
      nlohmann::json j = {{"at", e.at},         {"actor", e.actor}, {"step", e.step_id},
                          {"ref", e.step_name}, {"kind", e.kind},   {"value", e.value}};
      if (e.variable) j["variable"] = *e.variable;
      if (e.clock) j["legal_clock"] = *e.clock;
      events.push_back(std::move(j));
    }
    out["playbook_runs"].push_back({{"run", p.run.id},
                                    {"playbook", p.run.playbook_name},
                                    {"playbook_id", p.run.playbook_id},
                                    {"title", p.run.playbook_title},
                                    {"started_at", p.run.started_at},
                                    {"started_by", p.run.started_by},
                                    {"version", p.run.version},
                                    {"finished_at", p.run.finished_at.value_or("")},
                                    {"playbook_available", p.playbook != nullptr},
                                    {"playbook_changed", p.playbook_changed},
                                    {"steps_done", p.done},
                                    {"steps_on_path", p.on_path},
                                    {"current_step", p.current},
                                    {"events", std::move(events)}});
  }
  out["legal_clocks"] = {{"aware_at", r.aware_at}, {"aware_from", r.aware_from}};
  out["legal_clocks"]["answers"] = r.answers;
  out["legal_clocks"]["clocks"] = nlohmann::json::array();
  for (const auto& c : r.clocks) {
    nlohmann::json j = {{"id", c.def->id},
                        {"title", c.def->title},
                        {"law", c.def->law},
                        {"authority", c.def->authority},
                        {"how", c.def->how},
                        {"state", playbook::ClockStateName(c.state)},
                        {"applies", c.applies ? nlohmann::json(*c.applies) : nlohmann::json()}};
    j["due"] = c.due_ns ? nlohmann::json(FormatTimestampNs(*c.due_ns)) : nlohmann::json();
    j["done_at"] = c.done_ns ? nlohmann::json(FormatTimestampNs(*c.done_ns)) : nlohmann::json();
    if (!c.done_by.empty()) j["done_by"] = c.done_by;
    if (c.due_ns && c.state != ClockState::kDone)
      j["seconds_left"] = (*c.due_ns - r.now_ns) / 1'000'000'000;
    out["legal_clocks"]["clocks"].push_back(std::move(j));
  }
  return out;
}

std::string RenderResponse(const IncidentResponse& r, SectionFormat format) {
  std::string out;
  auto line = [&](const std::string& s) { out += s + "\n"; };
  bool md = format == SectionFormat::kMarkdown, html = format == SectionFormat::kHtml;
  auto esc = [&](std::string_view s) {
    return html ? report::HtmlEscape(s) : md ? MdCell(s) : std::string(s);
  };
  if (md) line("## Response\n");
  if (html) line("<section class=\"response\">\n<h2>Response</h2>");
  if (!md && !html) line("Response:");

  // Suggestions and runs.
  if (html) line("<ul>");
  if (r.suggestions.empty()) {
    std::string s =
        "No bundled playbook fits the detections; choose one with `beffroi playbook list`.";
    line(html ? "<li>" + esc(s) + "</li>" : md ? "- " + s : "  " + s);
  }
  for (const auto& s : r.suggestions) {
    std::string text = "Suggested playbook: " + s.playbook->Handle() + " \"" + s.playbook->name +
                       "\" (" + s.reason + ")";
    line(html ? "<li>" + esc(text) + "</li>" : md ? "- " + text : "  " + text);
  }
  for (const auto& p : r.runs) {
    std::string text = RunSummary(p);
    line(html ? "<li>" + esc(text) + "</li>" : md ? "- " + text : "  " + text);
  }
  if (html) line("</ul>");

  // Legal clocks.
  std::string title =
      "Legal clocks, from T0 = " + r.aware_at.substr(0, 19) + "Z (" + r.aware_from + ")";
  if (md)
    line("\n### " + title +
         "\n\n| State | Due | What | To whom | Applies |\n|---|---|---|---|---|");
  if (html)
    line("<h3>" + esc(title) +
         "</h3>\n<table>\n<tr><th>State</th><th>Due</th><th>What</th><th>To "
         "whom</th><th>Applies</th></tr>");
  if (!md && !html) line("\n" + title + ":");
  for (const auto& c : r.clocks) {
    std::string state(playbook::ClockStateName(c.state));
    std::string due = ClockDue(c, r.now_ns);
    std::string what = std::string(c.def->title) + " (" + std::string(c.def->law) + ")";
    if (md) {
      line("| " + state + " | " + esc(due) + " | " + esc(what) + " | " + esc(c.def->authority) +
           ": " + esc(c.def->how) + " | " + esc(Applicability(c)) + " |");
    } else if (html) {
      line("<tr class=\"" + state + "\"><td>" + state + "</td><td>" + esc(due) + "</td><td>" +
           esc(what) + "</td><td>" + esc(c.def->authority) + ": " + esc(c.def->how) + "</td><td>" +
           esc(Applicability(c)) + "</td></tr>");
    } else {
      char buf[64];
      std::snprintf(buf, sizeof buf, "  %-15s ", state.c_str());
      line(buf + std::string(c.def->title));
      line("                  " + due + "; applies: " + Applicability(c));
      line("                  " + std::string(c.def->law) + "; to " +
           std::string(c.def->authority) + ": " + std::string(c.def->how));
    }
  }
  if (html) line("</table>");

  // What was done, for the record.
  for (const auto& p : r.runs) {
    if (p.events.empty()) continue;
    std::string head =
        "What was done in run " + std::to_string(p.run.id) + " (" + p.run.playbook_name + ")";
    if (md) line("\n### " + head + "\n");
    if (html) line("<h3>" + esc(head) + "</h3>\n<ol>");
    if (!md && !html) line("\n" + head + ":");
    for (const auto& e : p.events) {
      std::string l = EventLine(e);
      line(html ? "<li>" + esc(l) + "</li>" : md ? "- " + esc(l) : "  " + l);
    }
    if (html) line("</ol>");
  }
  if (html) line("</section>");
  return out;
}

std::vector<report::ReportSection> ResponseSections(const IncidentResponse& r) {
  std::vector<report::ReportSection> out;
  report::ReportSection response{"Response playbooks", {}};
  for (const auto& s : r.suggestions) {
    response.rows.push_back(
        {"Suggested", s.playbook->Handle() + " \"" + s.playbook->name + "\" (" + s.reason + ")"});
  }
  for (const auto& p : r.runs)
    response.rows.push_back({"Run " + std::to_string(p.run.id), RunSummary(p)});
  if (response.rows.empty()) {
    response.rows.push_back({"Suggested", "none of the bundled playbooks fits the detections"});
  }
  out.push_back(std::move(response));
  report::ReportSection clocks{
      "Legal clocks, from T0 = " + r.aware_at.substr(0, 19) + "Z (" + r.aware_from + ")", {}};
  for (const auto& c : r.clocks) {
    clocks.rows.push_back({std::string(c.def->title) + " (" + std::string(c.def->law) + ")",
                           std::string(playbook::ClockStateName(c.state)) + ": " +
                               ClockDue(c, r.now_ns) + "; to " + std::string(c.def->authority) +
                               ": " + std::string(c.def->how) + "; applies: " + Applicability(c)});
  }
  out.push_back(std::move(clocks));
  for (const auto& p : r.runs) {
    if (p.events.empty()) continue;
    report::ReportSection record{
        "What was done in run " + std::to_string(p.run.id) + " (" + p.run.playbook_name + ")", {}};
    for (const auto& e : p.events)
      record.rows.push_back({e.at.substr(0, 19) + "Z " + e.actor, EventWhat(e)});
    out.push_back(std::move(record));
  }
  return out;
}

playbook::Catalog LoadResponseCatalog(const std::string& playbooks_dir) {
  std::string dir = playbooks_dir.empty() ? BundledPlaybooksDir() : playbooks_dir;
  return dir.empty() ? playbook::Catalog{} : playbook::Catalog::LoadDirectory(dir);
}

Result<IncidentResponse> LoadIncidentResponse(store::Store& store, std::int64_t incident_id,
                                              std::int64_t now_ns,
                                              const playbook::Catalog& catalog) {
  auto detail = store.GetIncident(incident_id);
  if (!detail.ok()) return detail.error();
  if (!detail->has_value())
    return MakeError(ErrorCode::kNotFound, "no incident " + std::to_string(incident_id));
  return BuildIncidentResponse(store, **detail, catalog, now_ns);
}

Result<std::string> RenderPlaybookSection(store::Store& store, std::int64_t incident_id,
                                          SectionFormat format, std::int64_t now_ns,
                                          const std::string& playbooks_dir) {
  playbook::Catalog catalog = LoadResponseCatalog(playbooks_dir);
  auto response = LoadIncidentResponse(store, incident_id, now_ns, catalog);
  if (!response.ok()) return response.error();
  return RenderResponse(*response, format);
}

}  // namespace beffroi::cli
