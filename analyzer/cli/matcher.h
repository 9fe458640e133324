// Matching one file: YARA (with the Loki/THOR externals set for that file) and IOC lists,
// turned into correlate::Findings, minus whatever the allowlist covers.
//
// A FileMatcher owns one yara::Scanner, so each worker thread makes its own; the Engine it
// reads is shared and read-only. YARA verdicts are cached by content (SHA-256), rule-set
// version and those path-dependent externals the rules actually read (a rule may test
// `filename` or `extension`, so the same bytes under another name can match differently);
// VerdictKey gives that key.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "analyzer/cli/context.h"
#include "analyzer/correlate/correlate.h"
#include "common/hash.h"

namespace beffroi::cli {

struct FileFacts {
  std::string path;
  std::string owner;
  std::string magic;  // common/file_type.h name
  Digests digests;
  std::string observed_at;  // the evidence time: the later of mtime and ctime
};

yara::Externals MakeExternals(const FileFacts& facts);
// IOC hits on a file's path and hashes as findings (empty when allowlisted): what
// FileMatcher::MatchIocs does, without a YARA scanner, for retro-hunts.
std::vector<correlate::Finding> FileIocFindings(const ioc::IocSet& iocs, const FileFacts& facts);
// Rule-set hash plus the path-dependent externals the rules read: the verdict cache's second
// key (md5 and filetype follow from the content, which the first key, its SHA-256, fixes).
std::string VerdictKey(const Engine& engine, const yara::Externals& externals);

class FileMatcher {
 public:
  static Result<std::unique_ptr<FileMatcher>> Create(const Engine& engine);

  // IOC hits on the path and hashes. Empty when the file is allowlisted.
  std::vector<correlate::Finding> MatchIocs(const FileFacts& facts) const;
  // YARA over bytes already in memory, or over a descriptor for files too large to buffer.
  Result<yara::ScanResult> ScanBuffer(std::span<const std::uint8_t> bytes,
                                      const yara::Externals& ex);
  Result<yara::ScanResult> ScanFd(int fd, const yara::Externals& ex);

  // The cacheable form of a scan result, and findings from it (from a fresh scan or the cache).
  static std::string VerdictJson(const yara::ScanResult& result);
  std::vector<correlate::Finding> FindingsFromVerdict(const std::string& verdict_json,
                                                      const FileFacts& facts) const;
  bool Allowlisted(const FileFacts& facts) const;

 private:
  FileMatcher(const Engine& engine, std::unique_ptr<yara::Scanner> scanner);
  const Engine& engine_;
  std::unique_ptr<yara::Scanner> scanner_;
  std::map<std::string, const yara::RuleInfo*> rules_by_name_;
};

}  // namespace beffroi::cli
