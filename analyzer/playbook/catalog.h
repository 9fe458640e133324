// The playbooks available to a command (the bundled playbooks/ folder, or --playbooks DIR),
// and which of them fits an incident.
//
// A playbook is found by its short name ("ransomware"), an alias the rules may use
// ("data-leak"), its CACAO id, or its file name without ".json". Suggestions rank playbooks
// by what the detections say: the `playbook` meta of the rules that matched (the incident's
// playbook column), then the ATT&CK techniques of its detections and those named in IOC
// descriptions ("Ryuk ransom note ...; T1486"). Loading reads files; the rest are pure
// functions. A loaded Catalog is immutable; share it across threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analyzer/playbook/playbook.h"

namespace beffroi::playbook {

inline constexpr std::size_t kMaxCatalogFiles = 1000;

struct Catalog {
  std::vector<Playbook> playbooks;  // sorted by short name
  std::vector<std::string> errors;  // "FILE:LINE: message" for files that did not load

  // Every *.json file in `dir` (not recursive). A file that fails lint is left out and its
  // faults are listed in `errors`; a missing or unreadable directory is one error.
  static Catalog LoadDirectory(const std::string& dir);

  const Playbook* Find(std::string_view name) const;
};

struct SuggestInput {
  std::string playbook;                 // the incident's playbook column (from rule meta)
  std::vector<std::string> techniques;  // ATT&CK ids of the incident and its detections
  std::vector<std::string> texts;       // detection descriptions: IOC comments name techniques
};

struct Suggestion {
  const Playbook* playbook = nullptr;
  int score = 0;       // 100: the rules name it; otherwise 10 per matching technique
  std::string reason;  // "rules name \"ransomware\"", "ATT&CK T1486, T1490"
};

// Best first; only playbooks with a positive score.
std::vector<Suggestion> Suggest(const Catalog& catalog, const SuggestInput& input);

// ATT&CK ids ("T1486", "T1567.002") mentioned anywhere in `text`, upper-cased, in order.
std::vector<std::string> TechniquesIn(std::string_view text);

}  // namespace beffroi::playbook
