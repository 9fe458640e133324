#include "analyzer/correlate/correlate.h"

#include <algorithm>
#include <cctype>

namespace beffroi::correlate {

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

}  // namespace beffroi::correlate
