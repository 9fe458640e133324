// IocStore: the data behind an IocSet (indexes, regexes, network indicators, warnings).
//
// Internal to beffroi_ioc: ListLoader fills it, IocSet reads it. Descriptions and file names
// are interned once and referenced by 32-bit ids, so millions of hash entries sharing a
// comment cost one string. Not thread-safe while loading; read-only use is thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyzer/ioc/hash_index.h"
#include "analyzer/ioc/ioc_set.h"
#include "analyzer/ioc/path_regex.h"

namespace beffroi::ioc {

// ATT&CK techniques and playbook an imported feed gives its indicators; id 0 is "none".
struct IocContext {
  std::vector<std::string> techniques;
  std::string playbook;
};

struct FilenameIoc {
  PathRegex regex;
  std::optional<PathRegex> false_positive;
  int score = kDefaultFilenameScore;
  std::uint32_t description = 0;
  std::uint32_t file = 0;
  std::uint32_t line = 0;
  std::uint32_t context = 0;
};

// A filename IOC that is one exact file name (ExactFileName), matched by a hash lookup.
struct NameIoc {
  std::string pattern;  // the regex as stored, reported as the indicator
  int score = kDefaultFilenameScore;
  std::uint32_t description = 0;
  std::uint32_t file = 0;
  std::uint32_t context = 0;
};

struct AllowlistPath {
  PathRegex regex;
  std::uint32_t file = 0;
  std::uint32_t line = 0;
};

struct HashIndexes {
  HashIndex<16> md5;
  HashIndex<20> sha1;
  HashIndex<32> sha256;

  bool empty() const { return md5.empty() && sha1.empty() && sha256.empty(); }
};

class IocStore {
 public:
  explicit IocStore(IocLimits limits);

  // Id of `text` in the string table (descriptions and file names); id 0 is "".
  std::uint32_t Intern(std::string_view text);
  const std::string& String(std::uint32_t id) const { return strings_[id]; }
  // "FILE:LINE", or "FILE" for line 0 (an imported feed).
  std::string Source(std::uint32_t file, std::uint32_t line) const;
  // Id of this combination in the context table; 0 when both are empty.
  std::uint32_t Context(const std::vector<std::string>& techniques, std::string_view playbook);
  const IocContext& GetContext(std::uint32_t id) const { return contexts_[id]; }

  // Records a warning; `file_stored` counts the file's stored warnings for the per-file cap.
  void AddWarning(std::string text, std::size_t& file_stored);

  IocLimits limits;
  HashIndexes iocs;
  HashIndexes allowed;
  std::vector<FilenameIoc> filenames;
  std::unordered_multimap<std::string, NameIoc> exact_names;  // lower-case file name -> IOC
  std::vector<AllowlistPath> allowed_paths;
  std::vector<NetworkIndicator> network;
  std::vector<std::string> warnings;
  std::size_t warning_count = 0;
  std::size_t duplicates = 0;
  std::vector<FileSummary> files;
  std::vector<std::string> skipped_files;

 private:
  std::vector<IocContext> contexts_{IocContext{}};
  std::unordered_map<std::string, std::uint32_t> context_ids_;
  std::deque<std::string> strings_;  // a deque: elements never move, so views stay valid
  std::unordered_map<std::string_view, std::uint32_t> string_ids_;
};

}  // namespace beffroi::ioc
