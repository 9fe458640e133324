// Shared pieces of the persistence collectors (cron, systemd, rc.local): the collector name,
// the event shape and a bounded listing of the regular files of a directory.
//
// Internal to beffroi_host_facts; used from the collecting thread only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "agents/host/facts/collector.h"
#include "common/event.h"

namespace beffroi::host::facts {

inline constexpr std::string_view kPersistenceCollector = "persistence";

// A beffroi.persistence state event for `mechanism` ("cron", "systemd", "rc.local") found in
// the file at `path`.
Event MakePersistenceEvent(std::string_view mechanism, const std::string& path);

struct DirectoryFile {
  std::string name;
  std::string path;
};

// The regular, non-hidden files of `dir` (hidden files are skipped by cron and run-parts, and
// Debian ships ".placeholder" files there). Symlinks are skipped: under a mounted image they
// point into the live system. A missing directory yields nothing; an unreadable one is
// reported. Each file taken decrements `budget`; none are taken once it reaches zero.
std::vector<DirectoryFile> ListRegularFiles(CollectorContext& ctx, const std::string& dir,
                                            std::size_t& budget);

}  // namespace beffroi::host::facts
