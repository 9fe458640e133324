// The printable incident report, in Markdown and as one self-contained HTML page. Both render
// the same document model, so they say the same things.
#include <nlohmann/json.hpp>

#include "analyzer/report/report.h"
#include "common/text.h"

namespace beffroi::report {

namespace {

using nlohmann::json;

struct Table {
  std::vector<std::string> head;
  std::vector<bool> mono;  // per column: hashes and paths in a fixed-width font
  std::vector<std::vector<std::string>> rows;
};

struct Block {
  enum Kind { kTitle, kHeading, kParagraph, kFacts, kTable } kind = kParagraph;
  std::string text;
  std::vector<std::pair<std::string, std::string>> facts;
  Table table;
};

std::string Or(const std::string& s, const char* fallback) {
  return s.empty() ? fallback : s;
}

std::string Techniques(const std::string& techniques_json) {
  json t = json::parse(techniques_json, nullptr, false);
  std::string out;
  if (!t.is_array()) return out;
  for (const auto& v : t)
    if (v.is_string()) out += (out.empty() ? "" : ", ") + v.get<std::string>();
  return out;
}

// "indicator: evil.example; list: c2.txt" from a detection's reasons.
std::string Reasons(const store::DetectionRow& d) {
  json r = json::parse(d.reasons_json, nullptr, false);
  std::string out = d.description;
  auto add = [&](const std::string& text) { out += (out.empty() ? "" : "; ") + text; };
  if (r.is_object()) {
    for (const auto& [k, v] : r.items()) {
      if (v.is_null() || (v.is_string() && v.get<std::string>().empty())) continue;
      add(k + ": " +
          (v.is_string() ? v.get<std::string>()
                         : v.dump(-1, ' ', false, json::error_handler_t::replace)));
    }
  } else if (r.is_array()) {
    for (const auto& v : r)
      add(v.is_string() ? v.get<std::string>()
                        : v.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  return out;
}

std::string Summary(const ReportData& data) {
  const store::IncidentRow& i = data.detail.incident;
  std::string s = "Beffroi recorded " + std::to_string(data.detail.detections.size()) +
                  (data.detail.detections.size() == 1 ? " detection" : " detections") + " on " +
                  i.host_name + " between " + i.first_seen + " and " + i.last_seen +
                  " (UTC). The incident is " + i.status + ", severity " + i.severity + " (score " +
                  std::to_string(i.score) + ").";
  if (data.campaign) {
    s += " It is part of campaign " + std::to_string(data.campaign->id) + " (" +
         data.campaign->title + "), which affects " + std::to_string(data.campaign->hosts.size()) +
         " hosts; campaign severity " + data.campaign->severity + ".";
  }
  std::string t = Techniques(i.techniques_json);
  if (!t.empty()) s += " MITRE ATT&CK techniques observed: " + t + ".";
  if (i.playbook) s += " Suggested response playbook: " + *i.playbook + ".";
  return s;
}

std::vector<Block> Document(const ReportData& data) {
  const store::IncidentRow& i = data.detail.incident;
  std::vector<Block> doc;
  doc.push_back({Block::kTitle, "Incident report: " + i.title, {}, {}});
  std::string tags;
  for (const std::string& t : i.tags)
    tags += (tags.empty() ? "" : ", ") + t;
  Block facts{Block::kFacts, "", {}, {}};
  if (!data.organisation.empty()) facts.facts.push_back({"Organisation", data.organisation});
  facts.facts.push_back(
      {"Incident", "#" + std::to_string(i.id) + " (version " + std::to_string(i.version) + ")"});
  facts.facts.push_back({"Host", i.host_name});
  facts.facts.push_back({"Status", i.status + (i.resolution.empty() ? "" : ": " + i.resolution)});
  facts.facts.push_back({"Severity", i.severity + " (score " + std::to_string(i.score) + ")"});
  facts.facts.push_back({"Assignee", Or(i.assignee, "-")});
  facts.facts.push_back({"Tags", Or(tags, "-")});
  facts.facts.push_back({"First observed", i.first_seen});
  facts.facts.push_back({"Last observed", i.last_seen});
  facts.facts.push_back({"ATT&CK techniques", Or(Techniques(i.techniques_json), "-")});
  facts.facts.push_back({"Suggested playbook", i.playbook.value_or("-")});
  if (data.campaign) {
    facts.facts.push_back(
        {"Campaign", "#" + std::to_string(data.campaign->id) + " " + data.campaign->title});
  }
  facts.facts.push_back({"Report generated", data.generated_at + " by " + data.generated_by});
  doc.push_back(std::move(facts));

  doc.push_back({Block::kHeading, "Summary", {}, {}});
  doc.push_back({Block::kParagraph, Summary(data), {}, {}});

  doc.push_back({Block::kHeading, "Affected hosts", {}, {}});
  Table hosts{{"Host", "Incident", "Status", "Severity", "First seen", "Last seen"}, {}, {}};
  hosts.rows.push_back(
      {i.host_name, "#" + std::to_string(i.id), i.status, i.severity, i.first_seen, i.last_seen});
  for (const store::IncidentRow& o : data.campaign_incidents) {
    hosts.rows.push_back(
        {o.host_name, "#" + std::to_string(o.id), o.status, o.severity, o.first_seen, o.last_seen});
  }
  doc.push_back({Block::kTable, "", {}, std::move(hosts)});

  doc.push_back({Block::kHeading, "Timeline", {}, {}});
  Table timeline{{"Time (UTC)", "Event", "By", "Details"}, {}, {}};
  for (const store::TimelineEntry& e : data.timeline) {
    std::string details = e.kind == "action" ? DescribeAction(e.action, e.summary) : e.summary;
    std::string event = e.kind == "action" ? e.action : e.kind + " " + e.action;
    if (e.detection_id) event += " #" + std::to_string(*e.detection_id);
    timeline.rows.push_back({e.at, event, Or(e.actor, "analyzer"), details});
  }
  doc.push_back({Block::kTable, "", {}, std::move(timeline)});

  doc.push_back({Block::kHeading, "Detections", {}, {}});
  Table det{{"#", "Kind", "Rule or indicator", "Score", "File or connection", "Observed", "Seen",
             "Why it matched"},
            {false, false, true, false, true, false, false, false},
            {}};
  for (const store::DetectionRow& d : data.detail.detections) {
    det.rows.push_back({std::to_string(d.id), d.kind, d.rule, std::to_string(d.score), d.file_path,
                        d.observed_at, std::to_string(d.sightings), Reasons(d)});
  }
  doc.push_back({Block::kTable, "", {}, std::move(det)});

  doc.push_back({Block::kHeading, "Evidence", {}, {}});
  Table ev{{"File or connection", "SHA-256", "Source"}, {true, true, false}, {}};
  for (const store::DetectionRow& d : data.detail.detections) {
    ev.rows.push_back({d.file_path, Or(d.sha256, "-"),
                       d.source + (d.source_id ? " " + std::to_string(*d.source_id) : "")});
  }
  doc.push_back({Block::kTable, "", {}, std::move(ev)});
  Table bundles{{"Bundle", "UUID", "Manifest SHA-256", "Agent", "Examiner / case",
                 "Collected (UTC)", "Ingested"},
                {false, true, true, false, false, false, false},
                {}};
  Table scans{{"Scan", "Paths", "Rule set SHA-256", "By", "Ran (UTC)"},
              {false, true, true, false, false},
              {}};
  for (const EvidenceSource& e : data.evidence) {
    if (e.bundle) {
      const store::BundleRow& b = *e.bundle;
      bundles.rows.push_back(
          {std::to_string(b.id), b.bundle_uuid, b.manifest_sha256, b.agent + " " + b.agent_version,
           b.examiner.value_or("-") + " / " + b.case_ref.value_or("-"),
           b.started + " .. " + b.ended, b.ingested_at + " by " + b.ingested_by});
    } else if (e.scan) {
      const store::ScanRow& s = *e.scan;
      scans.rows.push_back({std::to_string(s.id), s.roots_json, s.ruleset_hash.value_or("-"),
                            s.actor, s.started + " .. " + s.ended.value_or("(interrupted)")});
    }
  }
  if (!bundles.rows.empty()) {
    doc.push_back(
        {Block::kParagraph, "Evidence bundles (verified against their manifests):", {}, {}});
    doc.push_back({Block::kTable, "", {}, std::move(bundles)});
  }
  if (!scans.rows.empty()) {
    doc.push_back({Block::kParagraph, "Scans run by the analyzer:", {}, {}});
    doc.push_back({Block::kTable, "", {}, std::move(scans)});
  }

  doc.push_back({Block::kHeading, "Actions taken", {}, {}});
  Table actions{{"Time (UTC)", "By", "Action"}, {}, {}};
  for (const store::TimelineEntry& e : data.timeline) {
    if (e.kind != "action") continue;
    actions.rows.push_back({e.at, Or(e.actor, "analyzer"), DescribeAction(e.action, e.summary)});
  }
  doc.push_back({Block::kTable, "", {}, std::move(actions)});
  if (!data.allowlisted.empty()) {
    doc.push_back({Block::kHeading, "Added to the allowlist", {}, {}});
    Table allow{{"Kind", "Value", "Reason", "By", "At"}, {false, true, false, false, false}, {}};
    for (const store::AllowlistRow& a : data.allowlisted)
      allow.rows.push_back({a.kind, a.value, a.reason, a.added_by, a.added_at});
    doc.push_back({Block::kTable, "", {}, std::move(allow)});
  }
  for (const ReportSection& section : data.playbook) {
    doc.push_back({Block::kHeading, section.title, {}, {}});
    doc.push_back({Block::kFacts, "", section.rows, {}});
  }
  return doc;
}

std::string MdCell(const std::string& s, bool mono) {
  if (s.empty()) return " ";
  // Code spans would need a fence longer than any backtick run in the value; escaping is
  // simpler and equally literal.
  if (!mono) return MarkdownEscape(s);
  std::string code;
  for (char c : HtmlEscape(s)) {
    if (c == '|') {
      code += "&#124;";  // a pipe ends a table cell even inside inline HTML
    } else {
      code += c;
    }
  }
  return "<code>" + code + "</code>";
}

constexpr const char* kCss = R"css(
body { font: 11pt/1.45 "DejaVu Sans", Arial, sans-serif; color: #1a1a1a; margin: 2em auto;
       max-width: 62em; padding: 0 1em; }
h1 { font-size: 18pt; border-bottom: 3px solid #7a1f1f; padding-bottom: .2em; }
h2 { font-size: 13pt; color: #7a1f1f; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
dl.facts { display: grid; grid-template-columns: 12em 1fr; gap: .15em 1em; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; margin: .5em 0; }
th, td { border: 1px solid #bbb; padding: .25em .4em; text-align: left; vertical-align: top; }
th { background: #f0e6e6; } tr:nth-child(even) td { background: #fafafa; }
code { font: 8.5pt "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
footer { margin-top: 2em; font-size: 8pt; color: #666; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; }
               tr { page-break-inside: avoid; } }
)css";

}  // namespace

std::string RenderMarkdown(const ReportData& data) {
  std::string out;
  for (const Block& b : Document(data)) {
    switch (b.kind) {
      case Block::kTitle:
        out += "# " + MarkdownEscape(b.text) + "\n\n";
        break;
      case Block::kHeading:
        out += "## " + MarkdownEscape(b.text) + "\n\n";
        break;
      case Block::kParagraph:
        out += MarkdownEscape(b.text) + "\n\n";
        break;
      case Block::kFacts:
        for (const auto& [k, v] : b.facts)
          out += "- **" + MarkdownEscape(k) + ":** " + MarkdownEscape(v) + "\n";
        out += "\n";
        break;
      case Block::kTable: {
        if (b.table.rows.empty()) {
          out += "None.\n\n";
          break;
        }
        std::string head = "|", rule = "|";
        for (const std::string& h : b.table.head) {
          head += " " + MarkdownEscape(h) + " |";
          rule += " --- |";
        }
        out += head + "\n" + rule + "\n";
        for (const auto& row : b.table.rows) {
          out += "|";
          for (std::size_t c = 0; c < row.size(); ++c) {
            bool mono = c < b.table.mono.size() && b.table.mono[c];
            out += " " + MdCell(row[c], mono) + " |";
          }
          out += "\n";
        }
        out += "\n";
        break;
      }
    }
  }
  out += "Generated by Beffroi " BEFFROI_VERSION ".\n";
  return out;
}

std::string RenderHtml(const ReportData& data) {
  const std::string title = HtmlEscape("Incident report: " + data.detail.incident.title);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      // Nothing is fetched and nothing runs, whatever a file name smuggles in.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">\n<meta name=\"viewport\" content=\"width=device-width\">\n"
      "<title>" +
      title + "</title>\n<style>" + kCss + "</style>\n</head>\n<body>\n";
  for (const Block& b : Document(data)) {
    switch (b.kind) {
      case Block::kTitle:
        out += "<h1>" + HtmlEscape(b.text) + "</h1>\n";
        break;
      case Block::kHeading:
        out += "<h2>" + HtmlEscape(b.text) + "</h2>\n";
        break;
      case Block::kParagraph:
        out += "<p>" + HtmlEscape(b.text) + "</p>\n";
        break;
      case Block::kFacts:
        out += "<dl class=\"facts\">\n";
        for (const auto& [k, v] : b.facts)
          out += "<dt>" + HtmlEscape(k) + "</dt><dd>" + HtmlEscape(v) + "</dd>\n";
        out += "</dl>\n";
        break;
      case Block::kTable: {
        if (b.table.rows.empty()) {
          out += "<p>None.</p>\n";
          break;
        }
        out += "<table>\n<thead><tr>";
        for (const std::string& h : b.table.head)
          out += "<th>" + HtmlEscape(h) + "</th>";
        out += "</tr></thead>\n<tbody>\n";
        for (const auto& row : b.table.rows) {
          out += "<tr>";
          for (std::size_t c = 0; c < row.size(); ++c) {
            bool mono = c < b.table.mono.size() && b.table.mono[c];
            std::string cell = HtmlEscape(row[c]);
            out += mono ? "<td><code>" + cell + "</code></td>" : "<td>" + cell + "</td>";
          }
          out += "</tr>\n";
        }
        out += "</tbody>\n</table>\n";
        break;
      }
    }
  }
  out += "<footer>Generated by Beffroi " BEFFROI_VERSION ".</footer>\n</body>\n</html>\n";
  return out;
}

}  // namespace beffroi::report
