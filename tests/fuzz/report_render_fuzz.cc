// Fuzzes the incident report renderers with attacker-controlled strings: file names, rules,
// reasons and audit details split from the input. Every renderer must finish, the JSON
// exports must parse, and no "<" from the input may reach the HTML page unescaped.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analyzer/report/report.h"

namespace {

// The input split at NUL bytes into at most `n` fields ("" for missing ones).
std::vector<std::string> Fields(std::string_view s, std::size_t n) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (out.size() + 1 < n) {
    std::size_t nul = s.find('\0', start);
    if (nul == std::string_view::npos) break;
    out.emplace_back(s.substr(start, nul - start));
    start = nul + 1;
  }
  out.emplace_back(start <= s.size() ? s.substr(start) : std::string_view());
  out.resize(n);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace beffroi;
  std::vector<std::string> f = Fields({reinterpret_cast<const char*>(data), size}, 9);
  report::ReportData d;
  d.organisation = f[0];
  d.generated_at = "2026-03-28T10:00:00.000000Z";
  d.detail.incident.id = 1;
  d.detail.incident.title = f[1];
  d.detail.incident.host_name = f[2];
  d.detail.incident.status = "new";
  d.detail.incident.severity = "high";
  d.detail.incident.techniques_json = f[3];
  d.detail.incident.first_seen = f[4];
  store::DetectionRow det;
  det.id = 1;
  det.kind = f[5].size() % 2 ? "ioc.network" : "yara";
  det.rule = f[5];
  det.file_path = f[6];
  det.sha256 = f[7];
  det.reasons_json = f[8];
  det.techniques_json = f[3];
  det.observed_at = f[4];
  det.created_at = f[4];
  d.detail.detections.push_back(det);
  d.timeline.push_back({f[4], "action", f[0], f[1], f[8], std::nullopt, 1, 1});
  d.timeline.push_back({f[4], "detection", "", "yara", f[6], 1, std::nullopt, 1});

  std::string html = report::RenderHtml(d);
  // The page's tags are ours, and none is a script; a "<script" in the input became "&lt;".
  if (html.find("<script") != std::string::npos) __builtin_trap();
  (void)report::RenderMarkdown(d);
  (void)report::ExportCsv(d);
  for (const std::string& j :
       {report::ExportJson(d), report::ExportStix(d), report::ExportMisp(d)}) {
    if (nlohmann::json::parse(j, nullptr, false).is_discarded()) __builtin_trap();
  }
  (void)report::DescribeAction(f[1], f[8]);
  (void)report::StixPattern(det);
  return 0;
}
