// Collector: `beffroi-host collect` end to end. Walks the roots on one thread, reads and hashes
// files on N workers (each file read once for every digest and the sample copy), collects host
// facts, and writes an evidence bundle whose manifest is the chain of custody.
//
// Memory stays bounded whatever the tree: a bounded work queue, one read buffer per worker,
// and per-directory listings. Never writes inside the scanned paths (Collect refuses an output
// directory that lies inside a root on the same file system).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agents/host/facts/facts.h"
#include "agents/host/sample_policy.h"
#include "agents/host/walker.h"
#include "common/hash.h"
#include "common/result.h"

namespace beffroi::host {

inline constexpr std::uint64_t kDefaultMaxFileSize = 2ULL << 30;  // 2 GiB; 0 = no limit
// Entropy is measured on the first block, the part of a file ransomware always rewrites.
inline constexpr std::size_t kEntropyBlockBytes = 64 * 1024;

struct CollectOptions {
  std::vector<std::string> roots;
  std::string out;
  ScopeOptions scope;
  std::uint64_t max_file_size = kDefaultMaxFileSize;
  unsigned hashes = kSha256;
  unsigned threads = 0;  // 0 = one per core, at most 8
  double max_cpu_percent = 0;
  double max_read_mbps = 0;
  SamplePolicyOptions samples;
  bool host_facts = true;
  bool symlink_targets = false;  // readlink touches the link's atime: off unless asked
  facts::FactsOptions facts;
  bool progress = true;
  std::string examiner;
  std::string case_id;
  std::vector<std::string> command_line;
};

struct CollectSummary {
  std::string bundle;
  std::string manifest_sha256;
  std::uint64_t files_seen = 0;  // regular files in scope
  std::uint64_t files_hashed = 0;
  std::uint64_t bytes_hashed = 0;
  std::uint64_t directories = 0;
  std::uint64_t symlinks = 0;
  std::map<std::string, std::uint64_t> skipped;    // reason -> count
  std::map<std::string, std::uint64_t> anomalies;  // name -> count
  std::uint64_t samples_stored = 0;
  std::uint64_t sample_bytes = 0;
  std::uint64_t samples_duplicate = 0;
  std::uint64_t sample_budget_skips = 0;
  std::uint64_t host_fact_events = 0;
  std::uint64_t events = 0;
  unsigned threads = 0;
  double seconds = 0;
  std::uint64_t throttle_sleeps = 0;

  nlohmann::json ToJson() const;
};

// Checks the options that depend on the file system (roots exist, output not inside a root).
Status ValidateCollectOptions(const CollectOptions& options);
Result<CollectSummary> Collect(const CollectOptions& options);

}  // namespace beffroi::host
