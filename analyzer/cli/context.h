// What every `beffroi` command shares: where the database, rules, IOC lists and rule cache
// live by default, who is acting (for the audit log), and loading the matching engine.
//
// Defaults are embedded so the tool runs with no configuration: ./beffroi.db, the rules/
// folder shipped with Beffroi (found next to the binary, under share/beffroi, or in the source
// tree it was built from), and a private compiled-rules cache in ~/.cache/beffroi.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "analyzer/ioc/ioc_set.h"
#include "analyzer/store/store.h"
#include "analyzer/yara/yara.h"
#include "common/result.h"

namespace boost::program_options {
class options_description;
}

namespace beffroi::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitDetections = 3;
inline constexpr int kExitVerifyFailed = 4;
// The incident changed since the version given with --expect-version.
inline constexpr int kExitConflict = 5;

struct EngineFlags {
  std::string db = "beffroi.db";
  std::vector<std::string> rules;      // files or directories; empty = bundled rules
  std::vector<std::string> iocs;       // files or directories; empty = bundled IOC lists
  std::vector<std::string> allowlist;  // empty = bundled allowlist
  std::string rules_cache;             // "" = ~/.cache/beffroi
  std::string actor;                   // --as; "" = OS user
  int timeout = 60;
  int max_matches = 100;
  bool no_iocs = false;
  bool no_feeds = false;  // --no-feeds: leave out the feeds imported into --db
};

void AddDbFlag(boost::program_options::options_description& desc, EngineFlags& flags);
void AddEngineFlags(boost::program_options::options_description& desc, EngineFlags& flags);

// The bundled rules/ directory, or "" when none can be found.
std::string BundledRulesDir();
// The bundled playbooks/ directory (BEFFROI_PLAYBOOKS_DIR, next to the binary under
// share/beffroi, or the source tree), or "" when none can be found.
std::string BundledPlaybooksDir();
std::string DefaultRulesCache();
// The OS user, and --as NAME beside it, for the audit log.
store::Who WhoIs(const EngineFlags& flags);
// WhoIs(flags).Display(): for the actor columns of scans and bundles.
std::string Actor(const EngineFlags& flags);

// The matching engine: compiled YARA rules, IOC lists and the allowlist. Read-only once
// loaded; share it across threads (each thread makes its own yara::Scanner).
struct Engine {
  std::unique_ptr<yara::YaraLibrary> library;
  std::shared_ptr<yara::RuleSet> rules;
  ioc::IocSet iocs;
  std::size_t feed_indicators = 0;    // of the feeds imported into the database
  std::vector<std::string> warnings;  // IOC lines that did not parse ("FILE:LINE: message")
  yara::ScanLimits limits;
  // Which digests each file needs: MD5 when an IOC list has MD5s or a rule reads the `md5`
  // external; SHA-1 when an IOC list has SHA-1s. SHA-256 always.
  unsigned hashes = 0;
  // The externals the rules read. A verdict depends on the content and on these only, so
  // the verdict cache is keyed by them: content under many paths is scanned once when no
  // rule looks at the path.
  std::set<std::string> externals_used;
};

// Which of the Loki/THOR externals the rule sources mention as identifiers (not hash.md5()
// or text inside a string; mentioning one in a comment only makes the cache key stricter).
// A file that cannot be read counts as using them all.
std::set<std::string> ExternalsUsed(const std::vector<std::string>& rule_files);

// Compile errors come back as an Error whose message lists "FILE:LINE: message" lines. The
// IOC set holds the IOC files and the current feeds imported into flags.db (when it exists),
// unless --no-iocs or --no-feeds.
Result<std::unique_ptr<Engine>> LoadEngine(const EngineFlags& flags);
// The known-good lists (--allowlist, else the bundled ones) into `set`.
Status LoadAllowlists(const EngineFlags& flags, ioc::IocSet& set);

// `read_only`: for commands that only report; the file must then exist (a mistyped --db must
// not quietly create an empty database and report "no incidents").
Result<std::unique_ptr<store::Store>> OpenStore(const EngineFlags& flags, bool read_only = false);

// --timeout, --max-matches and the correlation window (hours) checked before any work.
Status ValidateEngineFlags(const EngineFlags& flags, double window_hours);
// Exit code for a LoadEngine failure: 2 for rules that do not compile, 1 for anything else.
int EngineErrorExit(const Error& error);

// JSON text that never throws: paths and rule text from the field need not be valid UTF-8,
// and a bad byte must not abort a scan or a report. Bad bytes become U+FFFD.
std::string Dump(const nlohmann::json& j, int indent = -1);

// Prints "beffroi: COMMAND: message" to stderr and returns `code`.
int Fail(const std::string& command, const std::string& message, int code = kExitError);

}  // namespace beffroi::cli
