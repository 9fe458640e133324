// Threat-intelligence feeds: MISP feed directories and event JSON, STIX 2.1 bundles, and the
// Loki/THOR and CSV lists, read into one flat list of indicators for `beffroi ioc import`.
//
// Every reader turns a feed into FeedIndicators (a type, a canonical value, a score, the
// ATT&CK techniques and playbook the feed's metadata gives, and `ref`: where in the feed the
// indicator came from). What a reader cannot use is skipped and counted by reason ("MISP type
// regkey: not matched by beffroi", "STIX pattern not supported"), with a warning naming the
// file and the object ("events/5f1c....json: attribute 9b2e...: unknown MISP type 'foo'").
// A file that is not valid JSON keeps every object completed before the error (a truncated
// download still gives its first indicators) and is reported once. Only an input that cannot
// be read at all is an Error.
//
// Indicator type names are the CSV ones: md5, sha1, sha256, filename (a path regex), ip,
// cidr, domain, url, ja3, ja4, user-agent. Pure functions over values; thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace beffroi::ioc {

// Warnings kept as text per import (all are counted).
inline constexpr std::size_t kMaxFeedWarnings = 200;
// A feed larger than this is refused: a MISP feed or STIX bundle is read into memory whole.
inline constexpr std::size_t kMaxFeedFileBytes = 1024ull * 1024 * 1024;
// Per event / bundle: at most this many objects are read; beyond, the rest is skipped.
inline constexpr std::size_t kMaxFeedObjects = 50'000'000;

enum class FeedFormat { kAuto, kMisp, kStix, kLoki, kCsv };

// "auto", "misp", "stix", "loki", "csv".
std::string_view FeedFormatName(FeedFormat format);
Result<FeedFormat> FeedFormatFromName(std::string_view name);

struct FeedIndicator {
  std::string type;   // md5, sha1, sha256, filename, ip, cidr, domain, url, ja3, ja4, user-agent
  std::string value;  // canonical (see network.h; hashes lower-case hex; filename a regex)
  int score = 0;
  std::string comment;                  // what the feed says about it
  std::vector<std::string> techniques;  // ATT&CK ids, sorted
  std::string playbook;                 // "ransomware", ... or ""
  std::string ref;                      // where: "FILE: event UUID / attribute UUID", "FILE:LINE"
};

struct FeedContent {
  std::vector<FeedIndicator> indicators;
  std::vector<std::string> warnings;           // at most kMaxFeedWarnings
  std::size_t warning_count = 0;               // every warning, kept as text or not
  std::map<std::string, std::size_t> skipped;  // reason -> how many indicators or objects
  std::size_t objects = 0;                     // events, STIX objects, list lines read
  std::vector<std::string> files;              // the files read, in order
  std::vector<std::string> formats;            // the formats read ("misp", "stix", ...), sorted

  void Warn(std::string text);
  // Counts one skipped object under `reason`; warns with `warning` when it is not empty.
  void Skip(const std::string& reason, std::string warning = {});
  // Validates and canonicalizes `indicator.type`/`value` and appends it; otherwise skips it
  // under "invalid value" with a warning that names `indicator.ref`. Returns whether it was
  // added.
  bool Add(FeedIndicator indicator);
  std::size_t skipped_total() const;
};

// The canonical form of a value of indicator type `type`, or an error naming what is wrong.
Result<std::string> CanonicalIndicator(std::string_view type, std::string_view value);
// True for the indicator type names above.
bool IsIndicatorType(std::string_view type);
// A filename-IOC regex matching the file name `name` exactly, in any directory ("evil.exe"
// → "(^|/)evil\.exe$"); a `name` with separators must match at the end of the path.
std::string FileNameRegex(std::string_view name);
// The inverse: the lower-case file name a FileNameRegex pattern matches, or nothing for any
// other regex. Lets a feed's thousands of exact names be one hash lookup per path instead of
// thousands of regex searches.
std::optional<std::string> ExactFileName(std::string_view pattern);
// ATT&CK technique ids ("T1486", "T1059.001") found in `text`, in order.
std::vector<std::string> TechniqueIds(std::string_view text);
// Score of a MISP threat_level_id (1 high .. 4 undefined), or `fallback`.
int MispThreatLevelScore(std::string_view level, int fallback);
// The default score of an indicator type (kDefaultHashScore, ...).
int DefaultScoreFor(std::string_view type);

// MISP: one event file ({"Event": {...}}, a bare event, or {"response": [{"Event":...}]}).
// `name` stands for the file in warnings and refs. Only attributes with to_ids are used.
void ParseMispEvent(std::string_view name, std::string_view text, FeedContent& out);
// A MISP feed directory: manifest.json, then one UUID.json per event it lists.
Status LoadMispFeedDirectory(const std::string& dir, FeedContent& out);

// STIX 2.1: a bundle (or a single indicator object). Indicators with pattern_type "stix";
// techniques from kill_chain_phases, labels, external references and "indicates"
// relationships to attack patterns; playbooks from labels and related malware types.
void ParseStixBundle(std::string_view name, std::string_view text, FeedContent& out);

// Loki/THOR lists and CSV, through the IocSet loaders (one file or a Loki "iocs" folder).
Status LoadIocLists(const std::string& path, FeedFormat format, FeedContent& out);

// Reads `paths` (files or directories) as `format` (kAuto: MISP feed directory when it has a
// manifest.json, else a Loki folder; JSON files by content; .csv; other text as Loki/THOR).
// Error only for an input that cannot be read; every problem inside is in `out`.
Status LoadFeed(const std::vector<std::string>& paths, FeedFormat format, FeedContent& out);

// SHA-256 over the feed's indicators (type, value, score, techniques, playbook, comment), in
// sorted order: the same content gives the same hash whatever the order or layout of the
// files, so re-importing a feed is recognised.
std::string FeedContentHash(const std::vector<FeedIndicator>& indicators);

// Sorts by (type, value) and merges repeats: highest score, union of techniques, first
// comment, playbook and ref. Returns how many repeats were merged.
std::size_t MergeDuplicates(std::vector<FeedIndicator>& indicators);

}  // namespace beffroi::ioc
