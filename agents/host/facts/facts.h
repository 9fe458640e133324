// Host facts: what a responder wants to know about a Linux host before anything else — the
// host and OS, its accounts, running processes, listening sockets and persistence (cron,
// systemd units, rc.local) — collected from /etc, /var/spool, the systemd unit directories and
// procfs and emitted as evidence events.
//
// CollectHostFacts runs every collector in turn on the calling thread and hands each event to
// `emit`, which owns it from then on. Collectors fail soft: a source that cannot be read becomes
// a "host.collector_failed" anomaly event and the other collectors go on; lines that do not
// parse are skipped and counted. All inputs are treated as hostile: reads are size-limited and
// walks count-limited (limits.h). The function keeps no global state, so concurrent calls are
// safe as long as each has its own `emit`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "common/event.h"

namespace beffroi::host::facts {

struct FactsOptions {
  // Prefix for /etc, /var/spool, /lib, /usr/lib, /home and /root (tests use a fake tree; an
  // analyst may point it at a mounted image).
  std::string root = "/";
  std::string proc = "/proc";    // procfs mount
  bool hash_executables = true;  // SHA-256 of each process's executable via /proc/PID/exe
};

struct FactsSummary {
  // Events emitted per dataset ("beffroi.process", ...), plus collector counters:
  // "<collector>.unparsed" (lines or records skipped: host, users, processes, sockets,
  // persistence), "processes.vanished" (exited while we walked), "processes.unreadable" (listed
  // but /proc/PID/stat unreadable) and "processes.hashed" (distinct executables hashed).
  std::map<std::string, std::uint64_t> counts;
  // Number of host.collector_failed anomalies: one per source that could not be read.
  std::uint64_t collector_failures = 0;
};

// Emits events through `emit` (called from the calling thread only). Each collector fails soft:
// on an error it emits an anomaly event and the others go on.
FactsSummary CollectHostFacts(const FactsOptions& options, const std::function<void(Event)>& emit);

}  // namespace beffroi::host::facts
