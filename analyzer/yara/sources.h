// Rule sources: which files make up a rule set, their namespaces, and the rule-set key.
//
// Internal to analyzer/yara (RuleSet::Load and CheckRules share it). A rule set is read into
// memory once: the bytes that are hashed into the key are the bytes that are compiled, so a
// file edited during a load can never give a cached set under the wrong key. Pure functions
// over the file system; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace beffroi::yara {

// A rule file larger than this is refused (signature-base's largest file is a few MiB).
inline constexpr std::size_t kMaxRuleFileBytes = 64u * 1024 * 1024;

struct RuleSource {
  std::string path;  // as given, or as found under a directory that was given
  std::string ns;    // NamespaceFor(path)
  std::string text;
};

// Files named by `paths`: a file is taken whatever its name; a directory contributes every
// regular *.yar / *.yara file below it (recursively, case-insensitive suffix, directory
// symlinks not followed). The result is sorted and without duplicates. Errors: a path that
// does not exist (kNotFound), or no rule file at all (kNotFound).
Result<std::vector<std::string>> CollectRuleFiles(const std::vector<std::string>& paths);

// CollectRuleFiles, then reads each file (at most kMaxRuleFileBytes).
Result<std::vector<RuleSource>> ReadRuleSources(const std::vector<std::string>& paths);

// "<parent folder>/<file stem>" ("ransomware/ryuk" for rules/ransomware/ryuk.yar), or the
// stem alone for a file without a folder: stable however the rule directory was named on the
// command line, and distinct for same-named files in different folders.
std::string NamespaceFor(std::string_view path);

// SHA-256 (lower-case hex) over the cache format version, libyara's version, the declared
// externals and, in order, each source's path, namespace and content: the rule-set version.
std::string RuleSetKey(const std::vector<RuleSource>& sources);

}  // namespace beffroi::yara
