// Scanner: runs a RuleSet over a buffer or an open file, with per-file externals and limits.
//
// One Scanner per worker thread (it wraps a yr_scanner, which is not thread-safe); any
// number of Scanners may share one RuleSet. A Scanner keeps its RuleSet alive. Hitting a
// limit is not a failure: a per-file timeout returns timed_out with whatever had matched (in
// practice libyara reports matches only once every condition is evaluated, so a timed-out
// scan usually has none), and the match caps return match_cap_reached with the matches kept.
// Errors are for what prevents a scan: no library, a bad descriptor, a file libyara cannot
// map. Needs a live YaraLibrary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "analyzer/yara/externals.h"
#include "analyzer/yara/handles.h"
#include "analyzer/yara/rule_info.h"
#include "analyzer/yara/rule_set.h"
#include "common/result.h"

namespace beffroi::yara {

// At most this many string identifiers are reported per matching rule.
inline constexpr std::size_t kMaxStringsPerMatch = 16;

struct ScanLimits {
  int timeout_seconds = 60;  // per file; 0 = no limit
  int max_matches = 100;     // rules reported per file; the scan stops after that many
};

struct Match {
  const RuleInfo* rule = nullptr;    // into the RuleSet's rules(); never null
  std::vector<std::string> strings;  // identifiers of the strings that matched, at most 16
};

struct ScanResult {
  std::vector<Match> matches;  // in rule order
  bool timed_out = false;      // libyara's ERROR_SCAN_TIMEOUT
  // More rules matched than max_matches (the scan stopped there), or a string exceeded
  // libyara's own cap on matches per string (YR_MAX_STRING_MATCHES; its later occurrences
  // are ignored): some matches are missing from the result.
  bool match_cap_reached = false;
};

class Scanner {
 public:
  // kInvalidArgument for a null rule set, a negative timeout or max_matches < 1.
  static Result<std::unique_ptr<Scanner>> Create(std::shared_ptr<const RuleSet> rules,
                                                 ScanLimits limits = {});

  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  Result<ScanResult> ScanBuffer(std::span<const std::uint8_t> data, const Externals& externals);
  // Scans the whole file behind `fd` (libyara maps it from offset 0; the descriptor's offset
  // is ignored). Like every mmap-based reader, this can take SIGBUS if another process
  // truncates the file during the scan: for files that may be changing, read them and use
  // ScanBuffer.
  Result<ScanResult> ScanFd(int fd, const Externals& externals);

  const RuleSet& rule_set() const { return *rules_; }
  const ScanLimits& limits() const { return limits_; }

 private:
  Scanner(std::shared_ptr<const RuleSet> rules, YrScannerPtr scanner, ScanLimits limits);
  Status SetExternals(const Externals& externals);
  // Runs `scan` (a libyara scan call on scanner_) with the callback installed.
  template <typename ScanCall>
  Result<ScanResult> Run(ScanCall&& scan);
  // libyara's scan callback: a noexcept trampoline that records matches, stores any error
  // and stops libyara cleanly (CALLBACK_ABORT at the cap, CALLBACK_ERROR on failure).
  static int OnScanMessage(YR_SCAN_CONTEXT* context, int message, void* message_data,
                           void* user_data) noexcept;

  std::shared_ptr<const RuleSet> rules_;
  YrScannerPtr scanner_;
  ScanLimits limits_;
};

}  // namespace beffroi::yara
