#include "analyzer/cli/context.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "agents/host/file_event.h"
#include "analyzer/cli/feeds.h"
#include "analyzer/cli/exercise_cli.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/text.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace beffroi::cli {

void AddDbFlag(po::options_description& desc, EngineFlags& f) {
  desc.add_options()("db", po::value(&f.db)->default_value(f.db), "SQLite database file")(
      "as", po::value(&f.actor), "who is acting, for the audit log (default: OS user)");
}

void AddEngineFlags(po::options_description& desc, EngineFlags& f) {
  desc.add_options()("rules", po::value(&f.rules)->composing(),
                     "YARA rule file or directory (default: the bundled rules/); repeatable")(
      "ioc", po::value(&f.iocs)->composing(),
      "IOC list file or directory (default: the bundled rules/ioc/); repeatable")(
      "no-iocs", po::bool_switch(&f.no_iocs),
      "load no IOC list, not even the bundled ones or the imported feeds")(
      "no-feeds", po::bool_switch(&f.no_feeds),
      "leave out the IOC feeds imported into --db (beffroi ioc import)")(
      "allowlist", po::value(&f.allowlist)->composing(),
      "known-good hashes and paths (default: the bundled rules/allowlist/); repeatable")(
      "rules-cache", po::value(&f.rules_cache),
      "where compiled rules are cached (default ~/.cache/beffroi)")(
      "timeout", po::value(&f.timeout)->default_value(f.timeout),
      "YARA time limit per file, seconds")("max-matches",
                                           po::value(&f.max_matches)->default_value(f.max_matches),
                                           "stop matching a file after this many rules");
}

namespace {

// The first directory that exists of: $ENV, EXE/../share/beffroi/NAME, the source tree's.
std::string FindBundledDir(const char* env_name, const char* name, const char* source_dir) {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv(env_name)) candidates.emplace_back(env);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    candidates.push_back((exe.parent_path().parent_path() / "share/beffroi" / name).string());
  candidates.emplace_back(source_dir);
  for (const std::string& c : candidates) {
    if (fs::is_directory(c, ec)) return c;
  }
  return {};
}

}  // namespace

std::string BundledRulesDir() {
  return FindBundledDir("BEFFROI_RULES_DIR", "rules", BEFFROI_SOURCE_RULES_DIR);
}

std::string BundledPlaybooksDir() {
  return FindBundledDir("BEFFROI_PLAYBOOKS_DIR", "playbooks", BEFFROI_SOURCE_PLAYBOOKS_DIR);
}

std::string DefaultRulesCache() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/beffroi";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/beffroi";
  return "";  // no private place to cache: compile every time rather than trust a shared one
}

store::Who WhoIs(const EngineFlags& flags) {
  std::string name = host::OwnerName(::getuid());
  // One line in every listing of the audit log, whatever was typed.
  std::string as = ToValidUtf8(flags.actor);
  for (char& c : as) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return store::Who{name.empty() ? "uid:" + std::to_string(::getuid()) : name, as};
}

std::string Actor(const EngineFlags& flags) {
  return WhoIs(flags).Display();
}

Status ValidateEngineFlags(const EngineFlags& flags, double window_hours) {
  if (flags.timeout < 0)
    return MakeError(ErrorCode::kInvalidArgument, "--timeout: 0 (no limit) or more seconds");
  if (flags.max_matches < 1)
    return MakeError(ErrorCode::kInvalidArgument, "--max-matches: at least 1");
  if (!(window_hours > 0 && window_hours <= 24 * 3660)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--window: hours, more than 0 and at most ten years");
  }
  return OkStatus();
}

int EngineErrorExit(const Error& error) {
  return error.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitError;
}

std::string Dump(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

int Fail(const std::string& command, const std::string& message, int code) {
  std::fprintf(stderr, "beffroi: %s: %s\n", command.c_str(), message.c_str());
  return code;
}

namespace {
// An exercise database runs on the facilitator's scenario clock: every command on it (triage,
// playbook runs, legal clocks, the audit log) sees scenario time, not the wall clock. A clock
// already set in this process (`beffroi exercise run` dating an inject's evidence) stays.
Result<std::unique_ptr<store::Store>> FollowingExercise(Result<std::unique_ptr<store::Store>> s) {
  if (!s.ok() || HasNowOverride()) return s;
  auto active = (*s)->ActiveExerciseSession();
  if (active.ok() && active->has_value()) {
    FollowExerciseClock(**active);
    if (::isatty(STDERR_FILENO) != 0)
      std::fprintf(stderr, "beffroi: exercise database (scenario %s): scenario time %s\n",
                   (*active)->scenario_id.c_str(), NowTimestamp().substr(0, 16).c_str());
  }
  return s;
}
}  // namespace

Result<std::unique_ptr<store::Store>> OpenStore(const EngineFlags& flags, bool read_only) {
  if (read_only) {
    std::error_code ec;
    if (!fs::exists(flags.db, ec)) {
      return MakeError(ErrorCode::kNotFound,
                       flags.db + ": no such database (give --db, or run beffroi scan first)");
    }
    store::OpenOptions options;
    options.read_only = true;
    return FollowingExercise(store::Store::Open(flags.db, options));
  }
  return FollowingExercise(store::Store::Open(flags.db));
}

namespace {

Status PrivateDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) {
    return MakeError(ErrorCode::kIo, dir + ": not a directory owned by us; not used as rule cache");
  }
  ::chmod(dir.c_str(), 0700);  // compiled rules are code for libyara: nobody else may write
  return OkStatus();
}

}  // namespace

std::set<std::string> ExternalsUsed(const std::vector<std::string>& rule_files) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::set<std::string> used;
  for (const std::string& file : rule_files) {
    auto text = ReadFileBounded(file, 64 * 1024 * 1024);
    for (std::string_view name : yara::kExternalNames) {
      if (!text.ok()) {
        used.emplace(name);
        continue;
      }
      const std::string& t = *text;
      for (std::size_t at = t.find(name); at != std::string::npos; at = t.find(name, at + 1)) {
        std::size_t end = at + name.size();
        bool starts = at == 0 || (!word(t[at - 1]) && t[at - 1] != '.');
        std::size_t after = end;
        while (after < t.size() && (t[after] == ' ' || t[after] == '\t'))
          ++after;
        bool ends = end >= t.size() || (!word(t[end]) && (after >= t.size() || t[after] != '('));
        if (starts && ends) {
          used.emplace(name);
          break;
        }
      }
    }
  }
  return used;
}

Status LoadAllowlists(const EngineFlags& flags, ioc::IocSet& set) {
  std::string bundled = BundledRulesDir();
  std::vector<std::string> allow = flags.allowlist;
  if (allow.empty() && !bundled.empty()) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(bundled + "/allowlist", ec)) {
      if (entry.is_regular_file()) allow.push_back(entry.path().string());
    }
    std::sort(allow.begin(), allow.end());
  }
  for (const std::string& p : allow) {
    if (Status s = set.LoadAllowlist(p); !s.ok()) return s;
  }
  return OkStatus();
}

Result<std::unique_ptr<Engine>> LoadEngine(const EngineFlags& flags) {
  auto engine = std::make_unique<Engine>();
  auto library = yara::YaraLibrary::Init();
  if (!library.ok()) return library.error();
  engine->library = std::move(library).value();
  engine->limits.timeout_seconds = flags.timeout;
  engine->limits.max_matches = flags.max_matches;

  std::string bundled = BundledRulesDir();
  std::vector<std::string> rules = flags.rules;
  if (rules.empty()) {
    if (bundled.empty()) {
      return MakeError(ErrorCode::kNotFound,
                       "no bundled rules found: give --rules or set BEFFROI_RULES_DIR");
    }
    // The YARA rules are in the category folders; ioc/ and allowlist/ hold other formats.
    for (const auto& entry : fs::directory_iterator(bundled)) {
      std::string name = entry.path().filename().string();
      if (entry.is_directory() && name != "ioc" && name != "allowlist" && name != "warninglists")
        rules.push_back(entry.path().string());
    }
    std::sort(rules.begin(), rules.end());
  }
  std::string cache = flags.rules_cache.empty() ? DefaultRulesCache() : flags.rules_cache;
  if (!cache.empty() && !PrivateDir(cache).ok()) cache.clear();
  auto set = yara::RuleSet::Load(rules, cache);
  if (!set.ok()) return set.error();
  engine->rules = std::move(set).value();

  if (!flags.no_iocs) {
    std::vector<std::string> iocs = flags.iocs;
    if (iocs.empty() && !bundled.empty()) iocs.push_back(bundled + "/ioc");
    for (const std::string& p : iocs) {
      std::error_code ec;
      Status s = fs::is_directory(p, ec) ? engine->iocs.LoadDirectory(p) : engine->iocs.Load(p);
      if (!s.ok()) return s.error();
    }
  }
  if (!flags.no_iocs && !flags.no_feeds) {
    std::error_code ec;
    if (fs::exists(flags.db, ec)) {
      auto store = store::Store::Open(flags.db);
      if (!store.ok()) return store.error();
      auto loaded = LoadStoredFeeds(**store, engine->iocs);
      if (!loaded.ok()) return loaded.error();
      engine->feed_indicators = *loaded;
    }
  }
  if (Status s = LoadAllowlists(flags, engine->iocs); !s.ok()) return s.error();
  engine->warnings = engine->iocs.warnings();
  engine->externals_used = ExternalsUsed(engine->rules->files());
  engine->hashes = kSha256 | (engine->iocs.needs_md5() ? kMd5 : 0u) |
                   (engine->iocs.needs_sha1() ? kSha1 : 0u) |
                   (engine->externals_used.count("md5") ? kMd5 : 0u);
  return engine;
}

}  // namespace beffroi::cli
