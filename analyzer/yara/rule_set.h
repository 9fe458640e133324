// RuleSet: a compiled, read-only set of YARA rules and the metadata of each rule.
//
// Load compiles every *.yar/*.yara file under the given paths (each file in its own
// namespace, see sources.h) with the Loki/THOR externals declared, or takes the compiled form
// from CACHE_DIR/<hash>.yarc when a previous load left it there. hash() is the SHA-256 of the
// sources, libyara's version and the declared externals: the rule-set version under which
// verdicts are stored, and the cache key. Include directives are refused (see compile.h).
//
// Ownership: the RuleSet owns the YR_RULES handle; share it as shared_ptr<const RuleSet>.
// A Scanner keeps its RuleSet alive; the RuleInfo pointers in a ScanResult stay valid as long
// as the RuleSet does. Thread-safety: immutable after construction, so any number of threads
// may scan with it (each through its own Scanner). Needs a live YaraLibrary.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/yara/handles.h"
#include "analyzer/yara/rule_info.h"
#include "common/result.h"

namespace beffroi::yara {

class RuleSet {
 public:
  // `paths`: rule files or directories (searched recursively for *.yar / *.yara; the files
  // are sorted). `cache_dir`: "" for no cache. Compile errors give kInvalidArgument whose
  // message is one "FILE:LINE: message" line per error. A cache file that cannot be used
  // (corrupt, truncated, another libyara) is ignored and rewritten; failing to write the
  // cache is not an error (see cache_status()).
  static Result<std::shared_ptr<RuleSet>> Load(const std::vector<std::string>& paths,
                                               const std::string& cache_dir);

  // Compiles rules from memory, in namespace "default"; `origin` names the text in error
  // lines ("ORIGIN:LINE: message"). No cache. For tests, fuzzing and ad-hoc rules.
  static Result<std::shared_ptr<RuleSet>> Compile(std::string_view source,
                                                  std::string_view origin = "<string>");

  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  // Lower-case hex SHA-256: the rule-set version.
  const std::string& hash() const { return hash_; }
  // Every rule, private ones included, in libyara's order.
  const std::vector<RuleInfo>& rules() const { return rules_; }
  // The first rule called `name` (in any namespace), or nullptr.
  const RuleInfo* FindRule(std::string_view name) const;
  // The rule files, sorted, as found.
  const std::vector<std::string>& files() const { return files_; }
  // CACHE_DIR/<hash>.yarc, or "" without a cache.
  const std::string& cache_path() const { return cache_path_; }
  // True when the compiled rules came from the cache file rather than the compiler.
  bool loaded_from_cache() const { return loaded_from_cache_; }
  // Why the cache was not read or not written ("" when all went well or there is no cache).
  const std::string& cache_status() const { return cache_status_; }

 private:
  friend class Scanner;

  RuleSet() = default;
  static std::shared_ptr<RuleSet> Make(YrRulesPtr rules, std::string hash);
  YR_RULES* yr_rules() const { return yr_rules_.get(); }
  // Index of a libyara rule in rules(): its position in the rules table.
  const RuleInfo* InfoFor(const void* yr_rule) const;

  YrRulesPtr yr_rules_;
  std::vector<RuleInfo> rules_;
  std::string hash_;
  std::vector<std::string> files_;
  std::string cache_path_;
  bool loaded_from_cache_ = false;
  std::string cache_status_;
};

}  // namespace beffroi::yara
