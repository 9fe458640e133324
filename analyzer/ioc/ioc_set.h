// IocSet: indicator-of-compromise lists (Loki/THOR hash, filename and c2 lists, CSV) and an
// allowlist of known-good files, matched against scanned files.
//
// Loading: Load() reads one list, LoadDirectory() every list in a Loki-style "iocs" folder,
// LoadAllowlist() a known-good list. A bad line never stops loading: it becomes a warning
// "FILE:LINE: message" in warnings() and the rest of the file is read; only a file that cannot
// be opened or read is an Error. Formats and their defaults are documented in
// rules/ioc/README.md and next to IocFormat below.
//
// Matching: MatchFile() reports hash hits (file.hash.*) and filename-regex hits (file.path)
// for one scanned file, after the allowlist. Network indicators (IP, CIDR, domain, URL, JA3,
// JA4, user agent) are validated and kept in network() for the network matcher; they are not
// matched here.
//
// Ownership: the set owns everything it loaded. Thread-safety: loading is not thread-safe;
// once loading is done, every const member function may be called from any number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/ioc/network.h"
#include "common/hash.h"
#include "common/result.h"

namespace beffroi::ioc {

// Scores run from 0 (informational) to 100 (certain). Out-of-range scores are clamped with a
// warning. Defaults apply when a line carries no score: Loki v1 and THOR use 100 for hashes,
// Loki-RS 75; we take 75 for hashes and network indicators, which leaves room above for
// confirmed indicators, and 60 for filename regexes, which match names, not content.
inline constexpr int kMinScore = 0;
inline constexpr int kMaxScore = 100;
inline constexpr int kDefaultHashScore = 75;
inline constexpr int kDefaultFilenameScore = 60;
inline constexpr int kDefaultNetworkScore = 75;

// Beyond this many entries a file is cut short with a warning: a list that large is more
// likely a mistake (a wrong file, a runaway export) than a feed, and 50 million SHA-256 take
// about 2.4 GB in memory.
inline constexpr std::size_t kMaxEntriesPerFile = 50'000'000;
// Warnings kept as text (all are counted): per file and in total, so one broken file can
// neither flood memory nor hide the warnings of the others.
inline constexpr std::size_t kMaxStoredWarningsPerFile = 1'000;
inline constexpr std::size_t kMaxStoredWarnings = 10'000;
// Paths longer than this are matched by hash only: no real path is that long, and the regex
// engine's cost grows with the subject.
inline constexpr std::size_t kMaxMatchedPathLength = 64 * 1024;

enum class IocFormat {
  kAuto,             // by file name, else by sniffing the first data line (SniffFormat)
  kHashList,         // Loki/THOR: HASH;SCORE;COMMENT | HASH;COMMENT | HASH
  kFilenameList,     // Loki/THOR: REGEX;SCORE;FP_REGEX | REGEX;SCORE | REGEX
  kNetworkList,      // Loki/THOR c2: DOMAIN|IP|CIDR[;SCORE[;COMMENT]]
  kCsv,              // type,value,score,comment with a header line (RFC 4180)
  kTrustedHashList,  // THOR falsepositive/trusted hashes: hash-list syntax, into the allowlist
  kAllowlist,        // known-good: HEX | md5:HEX | sha1:HEX | sha256:HEX | path:REGEX
};

// "hash", "filename", "c2", "csv", "trusted-hash", "allowlist", "auto".
std::string_view IocFormatName(IocFormat format);

// The format a file's name implies (case-insensitive): ".csv" → kCsv; a name containing
// "hash" → kHashList, or kTrustedHashList when it also contains "falsepositive",
// "false-positive" or "trusted"; "filename" → kFilenameList; "c2" as a word or "domain" →
// kNetworkList; otherwise kAuto.
IocFormat FormatFromFileName(std::string_view file_name);

// What kAuto settles on for an unnamed list, from its first line that is neither blank nor a
// comment: a CSV header ("type,...") → kCsv; a 32/40/64-digit hex hash → kHashList; an IP
// address, CIDR block or domain name → kNetworkList; anything else → kFilenameList.
IocFormat SniffFormat(std::string_view first_data_line);

struct IocHit {
  std::string kind;           // "ioc.hash" or "ioc.filename"
  std::string indicator;      // the hash (lower-case hex) or the regex as written
  std::string matched_field;  // ECS: "file.hash.md5", "file.hash.sha1", "file.hash.sha256",
                              // "file.path"
  int score = 0;
  std::string description;  // the comment column, else the "# comment" line above the entry
  std::string source;       // "FILE:LINE", or "feed NAME v3" for an imported feed
  std::vector<std::string> techniques;  // ATT&CK ids from the feed's metadata
  std::string playbook;                 // from the feed's metadata, or ""
};

struct NetworkIndicator {
  NetworkType type = NetworkType::kDomain;
  std::string value;  // canonical form (see network.h)
  int score = kDefaultNetworkScore;
  std::string description;
  std::string source;  // "FILE:LINE", or "feed NAME v3"
  std::vector<std::string> techniques;
  std::string playbook;
};

// One indicator as loaded, for `beffroi ioc import` of Loki/THOR and CSV lists: the type name
// (md5, sha1, sha256, filename, ip, cidr, domain, url, ja3, ja4, user-agent), the value (hex
// hash, regex as written, canonical network value), score, description and "FILE:LINE".
struct ExportedIndicator {
  std::string type;
  std::string value;
  int score = 0;
  std::string description;
  std::string source;
};

struct FeedIndicator;  // feed.h

struct IocCounts {
  std::size_t md5 = 0;
  std::size_t sha1 = 0;
  std::size_t sha256 = 0;
  std::size_t filename = 0;
  std::size_t ip = 0;
  std::size_t cidr = 0;
  std::size_t domain = 0;
  std::size_t url = 0;
  std::size_t ja3 = 0;
  std::size_t ja4 = 0;
  std::size_t user_agent = 0;
  std::size_t allowlist_hash = 0;
  std::size_t allowlist_path = 0;

  std::size_t hashes() const { return md5 + sha1 + sha256; }
  std::size_t network() const { return ip + cidr + domain + url + ja3 + ja4 + user_agent; }
  std::size_t total() const { return hashes() + filename + network() + allowlist(); }
  std::size_t allowlist() const { return allowlist_hash + allowlist_path; }
};

struct FileSummary {
  std::string path;
  IocFormat format = IocFormat::kAuto;  // as resolved
  IocCounts counts;                     // entries accepted from this file
  std::size_t warnings = 0;
  bool truncated = false;  // stopped at the entry limit
};

struct IocSummary {
  IocCounts counts;                        // distinct entries in the set (a hash listed twice in
                                           // one file counts once)
  std::size_t warnings = 0;                // all warnings, including those not kept as text
  std::size_t duplicates = 0;              // repeated hashes dropped within a file
  std::vector<FileSummary> files;          // in load order
  std::vector<std::string> skipped_files;  // LoadDirectory: names that say no format
};

// Limits a caller may tighten (tests do); the defaults are the named constants above.
struct IocLimits {
  std::size_t max_entries_per_file = kMaxEntriesPerFile;
};

class IocStore;  // internal

class IocSet {
 public:
  explicit IocSet(IocLimits limits = {});
  ~IocSet();
  IocSet(IocSet&&) noexcept;
  IocSet& operator=(IocSet&&) noexcept;
  IocSet(const IocSet&) = delete;
  IocSet& operator=(const IocSet&) = delete;

  // Loads one list. Error only when the file cannot be opened or read (entries read before a
  // read error are kept); every problem inside the file is a warning.
  Status Load(const std::string& path, IocFormat format = IocFormat::kAuto);
  // Same, from memory; `name` stands for the file name (format detection, "FILE:LINE").
  Status LoadText(std::string_view name, std::string_view text,
                  IocFormat format = IocFormat::kAuto);
  // Loads, in name order, every regular file of `dir` (not recursive) whose name implies a
  // format (FormatFromFileName); other files (README.md...) and dot files are listed in
  // summary().skipped_files. Error when `dir` cannot be listed or a file cannot be read; the
  // other files are loaded all the same.
  Status LoadDirectory(const std::string& dir);
  // Loads a known-good list: Load(path, IocFormat::kAllowlist).
  Status LoadAllowlist(const std::string& path);
  // Adds one indicator of an imported feed (already canonical, as stored); `source` names the
  // feed ("feed NAME v3"). False, with a warning, when it does not load (a trivial hash, a
  // regex this build refuses). Call CommitFeed() after the feed's last indicator.
  bool AddFeedIndicator(std::string_view source, const FeedIndicator& indicator);
  void CommitFeed();
  // Every loaded indicator except the allowlist, hashes in digest order.
  std::vector<ExportedIndicator> Indicators() const;

  // True only when a loaded list (IOC or allowlist) holds MD5 / SHA-1 hashes, so the scanner
  // computes those digests only when they can matter.
  bool needs_md5() const;
  bool needs_sha1() const;

  // Hits for one file: every listed hash equal to one of `digests` (empty digests are
  // skipped) and every filename regex that matches `path` (searched anywhere in the full
  // path, case-insensitively, "\\" and "/" interchangeable) unless its false-positive regex
  // matches too. Empty when the file is allowlisted.
  std::vector<IocHit> MatchFile(std::string_view path, const Digests& digests) const;
  // True when one of `digests` or `path` is on the allowlist.
  bool IsAllowlisted(std::string_view path, const Digests& digests) const;

  const std::vector<NetworkIndicator>& network() const;
  // "FILE:LINE: message" (or "FILE: message"), in load order; see kMaxStoredWarnings.
  const std::vector<std::string>& warnings() const;
  IocSummary summary() const;

 private:
  std::unique_ptr<IocStore> store_;
};

}  // namespace beffroi::ioc
