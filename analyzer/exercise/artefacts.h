// Live evidence for injects: harmless files generated deterministically from the scenario's
// seed, in the style the bundled YARA rules detect, so that participants triage real
// incidents. Nothing generated here can run or harm anything: ransom notes name no real
// contact, "encrypted" files are seeded pseudo-random bytes, scripts are text that is never
// executed.
//
// Kinds: ransom-note (families ryuk, play, royal, lockbit), encrypted (ryuk, play, royal,
// lockbit: the family's extension is appended), shadow-delete (a .bat that deletes shadow
// copies, T1490), rclone-mega (an rclone configuration with a MEGA remote, T1567.002),
// webshell (a one-line PHP web shell, T1505.003), and plain (an innocent office document, so that
// not everything found is bad). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/exercise/scenario.h"

namespace beffroi::exercise {

// "" when the artefact can be generated; otherwise why not (unknown kind or family, a path
// that is absolute, has "..", or is empty).
std::string CheckArtefact(const Artefact& artefact);

struct GeneratedFile {
  std::string host;           // "fs-etatcivil"; "fileserver" when the scenario names none
  std::string relative_path;  // inside the host's share, with the family's extension
  std::string content;
};

// The same scenario, inject and artefact always give the same bytes.
GeneratedFile GenerateArtefact(const Artefact& artefact, std::uint64_t seed,
                               const std::string& inject_id, std::size_t index);

// Every file of an inject, in order.
std::vector<GeneratedFile> GenerateInject(const Inject& inject, std::uint64_t seed);

}  // namespace beffroi::exercise
