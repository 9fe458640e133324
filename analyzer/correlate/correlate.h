// Correlation rules: how matches become detections and detections become incidents.
//
// A Finding is one match (a YARA rule on a file or sample, an IOC on a hash or path) with the
// metadata the responder needs: score, ATT&CK techniques, suggested playbook, reasons. Findings
// on one host that share a threat key and fall within the correlation window belong to one
// incident: a Ryuk ransom note, a .RYK file and a shadow-copy deletion script on the same file
// server are one ransomware incident, not three. Pure functions over values; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace beffroi::correlate {

// Default correlation window: findings further apart than this open a new incident.
inline constexpr std::int64_t kDefaultWindowNs = 72LL * 3600 * 1'000'000'000;

struct Finding {
  std::string kind;                     // "yara", "ioc.hash", "ioc.filename"
  std::string rule;                     // rule name, or the indicator for IOC hits
  int score = 0;                        // 0..100
  std::vector<std::string> techniques;  // ATT&CK ids, "T1486"
  std::string playbook;                 // "ransomware", "webshell", ... or ""
  std::string description;
  nlohmann::json reasons = nlohmann::json::object();  // why it matched, for the responder
  std::string file_path;
  std::string sha256;
  std::string observed_at;  // RFC 3339: when the evidence was observed, not when we matched
};

// The threat a finding belongs to. Findings with the same playbook are one threat (the
// playbook names the kind of attack); without one, each rule or indicator is its own threat.
std::string ThreatKey(const Finding& finding);

// "Ransomware activity on fs01" / "EICAR_Test_File on pc-042".
std::string IncidentTitle(const std::string& threat_key, const std::string& host_name);

// Union of technique lists, sorted, without duplicates or empty entries.
std::vector<std::string> MergeTechniques(const std::vector<std::string>& a,
                                         const std::vector<std::string>& b);

}  // namespace beffroi::correlate
