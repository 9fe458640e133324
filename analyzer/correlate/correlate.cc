#include "analyzer/correlate/correlate.h"

#include <algorithm>
#include <cctype>

namespace beffroi::correlate {

std::string_view SeverityFor(int score) {
  if (score >= 90) return "critical";
  if (score >= 70) return "high";
  if (score >= 40) return "medium";
  return "low";
}

std::string ThreatKey(const Finding& f) {
  if (!f.playbook.empty()) return "playbook:" + f.playbook;
  return f.kind + ":" + f.rule;
}

std::string IncidentTitle(const std::string& threat_key, const std::string& host_name) {
  std::string what = threat_key;
  if (what.rfind("playbook:", 0) == 0) {
    what = what.substr(9);
    if (!what.empty())
      what[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(what[0])));
    std::replace(what.begin(), what.end(), '-', ' ');
    what += " activity";
  } else if (auto colon = what.find(':'); colon != std::string::npos) {
    what = what.substr(colon + 1);
  }
  return what + " on " + host_name;
}

int ClampScore(std::int64_t score) {
  return static_cast<int>(std::clamp<std::int64_t>(score, 0, 100));
}

std::vector<std::string> MergeTechniques(const std::vector<std::string>& a,
                                         const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const auto* list : {&a, &b}) {
    for (const std::string& t : *list) {
      if (!t.empty()) out.push_back(t);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

bool IsTechniqueId(std::string_view s) {
  auto digits = [](std::string_view d, std::size_t n) {
    return d.size() == n &&
           std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (s.size() < 5 || s[0] != 'T') return false;
  if (s.size() == 5) return digits(s.substr(1), 4);
  return s.size() == 9 && s[5] == '.' && digits(s.substr(1, 4), 4) && digits(s.substr(6), 3);
}

}  // namespace

std::vector<std::string> ParseTechniques(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() &&
           (text[i] == ',' || text[i] == ' ' || text[i] == ';' || text[i] == '\t'))
      ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ',' && text[i] != ' ' && text[i] != ';' && text[i] != '\t')
      ++i;
    std::string_view token = text.substr(start, i - start);
    if (IsTechniqueId(token)) out.emplace_back(token);
  }
  return MergeTechniques(out, {});
}

}  // namespace beffroi::correlate
