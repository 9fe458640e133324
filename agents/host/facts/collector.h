// Internal plumbing of the host-facts collectors: the per-run context (options, the emit
// callback, the summary being built), the anomaly convention, small file-system helpers and the
// collector entry points called by CollectHostFacts.
//
// A CollectorContext lives for one CollectHostFacts call and is used from that thread only; it
// borrows the options, callback and summary, which must outlive it. Internal to
// beffroi_host_facts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "agents/host/facts/facts.h"
#include "common/event.h"
#include "common/result.h"

namespace beffroi::host::facts {

inline constexpr std::string_view kCollectorFailed = "host.collector_failed";

class CollectorContext {
 public:
  CollectorContext(const FactsOptions& options, const std::function<void(Event)>& emit,
                   FactsSummary& summary)
      : options_(options), emit_(emit), summary_(summary) {}

  const FactsOptions& options() const { return options_; }
  // `relative` (no leading '/') under options().root or options().proc.
  std::string RootPath(std::string_view relative) const;
  std::string ProcPath(std::string_view relative) const;

  // Counts the event under its dataset and hands it to the caller's callback.
  void Emit(Event event);
  // Emits a host.collector_failed anomaly naming the collector (and the path, when known).
  void Fail(std::string_view collector, std::string_view message, std::string_view path = {});
  void Count(const std::string& key, std::uint64_t n = 1);

 private:
  const FactsOptions& options_;
  const std::function<void(Event)>& emit_;
  FactsSummary& summary_;
};

// "dir/name" without doubling a '/'.
std::string JoinPath(std::string_view dir, std::string_view name);

// The names in a directory (without "." and ".."), sorted so events come out in a stable
// order; at most `max_entries` are read. A missing directory is a kNotFound error.
Result<std::vector<std::string>> ListDirectory(const std::string& path, std::size_t max_entries);

// True when `path` is a regular file; symlinks are not followed (they may point outside root).
bool IsRegularFile(const std::string& path);
bool IsDirectory(const std::string& path);

// readlink(2) of `path`; on failure `*errno_out` (when given) receives errno.
Result<std::string> ReadLink(const std::string& path, int* errno_out = nullptr);

// ReadFileBounded for a file under options().root that may legitimately be a symlink (Debian's
// /etc/os-release -> ../usr/lib/os-release). One level of link is resolved inside the root, so a
// link in a mounted image never reaches the live system; a target outside the root, or a
// second link, is an error.
Result<std::string> ReadRootFile(const CollectorContext& ctx, const std::string& path,
                                 std::size_t max_bytes);

// The numeric entries of the procfs directory, ascending, at most kMaxProcesses.
Result<std::vector<std::uint64_t>> ListPids(const CollectorContext& ctx);

// A JSON array of strings, each forced to valid UTF-8 (SetJson does not repair strings).
nlohmann::json StringArray(const std::vector<std::string>& values);

void CollectHost(CollectorContext& ctx);
void CollectUsers(CollectorContext& ctx);
void CollectProcesses(CollectorContext& ctx);
void CollectSockets(CollectorContext& ctx);
// Persistence: cron, systemd units and rc.local.
void CollectCron(CollectorContext& ctx);
void CollectSystemd(CollectorContext& ctx);
void CollectRcLocal(CollectorContext& ctx);

}  // namespace beffroi::host::facts
