// RuleInfo: what Beffroi reads from a compiled YARA rule (name, namespace, tags and meta).
//
// The meta fields follow the conventions of signature-base, Loki and THOR: `description`,
// `author`, `reference`, `date` (YYYY-MM-DD) and `score` (0..100, 70 when absent, as Loki
// does), plus Beffroi's own `mitre_attack` (ATT&CK ids, "T1486,T1490") and `playbook`
// ("ransomware", "webshell", ...). The helpers below are pure functions; RuleInfo is a value
// type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace beffroi::yara {

// Loki's score for a rule without a `score` meta.
inline constexpr int kDefaultScore = 70;

struct RuleInfo {
  std::string name;
  std::string ns;  // YARA namespace: "<folder>/<file stem>", e.g. "ransomware/ryuk"
  std::vector<std::string> tags;
  std::string description;
  std::string author;
  std::string reference;
  std::string date;
  int score = kDefaultScore;              // 0..100, clamped
  std::vector<std::string> mitre_attack;  // upper-cased ids, in meta order, no duplicates
  std::string playbook;
};

// Clamps a score meta to 0..100.
int ClampScore(std::int64_t score);

// Reads a score given as a string meta ("85", " 85 "); nullopt when it is not an integer.
std::optional<std::int64_t> ParseScoreText(std::string_view text);

// Splits "T1486, T1490 t1567.002;T1486" into {"T1486", "T1490", "T1567.002"}: separators are
// commas, semicolons and white space; ids are upper-cased; duplicates and empty items dropped.
// No validation of the id shape: correlate/ decides what a well-formed technique is.
std::vector<std::string> SplitAttackIds(std::string_view text);

// True for "YYYY-MM-DD" with a plausible month and day.
bool IsIsoDate(std::string_view text);

}  // namespace beffroi::yara
