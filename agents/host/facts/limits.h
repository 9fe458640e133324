// Named limits for the host-facts collectors.
//
// Everything the collectors read is untrusted (an attacker with root may have planted any of
// it), so every file read has a byte limit and every directory walk a count limit; the parsers'
// line loops are bounded by the byte limit of the text they are given. The limits are generous
// for real systems and small enough that one hostile file cannot exhaust the agent's memory.
// Constants only; thread-safe.
#pragma once

#include <cstddef>

namespace beffroi::host::facts {

inline constexpr std::size_t kMiB = 1024 * 1024;

// Account databases: a directory-synchronised /etc/passwd of 100,000 users is ~10 MiB.
inline constexpr std::size_t kMaxPasswdBytes = 16 * kMiB;
inline constexpr std::size_t kMaxGroupBytes = 16 * kMiB;
// os-release(5) and machine-id(5) are a few hundred bytes.
inline constexpr std::size_t kMaxOsReleaseBytes = 64 * 1024;
inline constexpr std::size_t kMaxMachineIdBytes = 4 * 1024;

// procfs. stat/status/comm/uptime are a few KiB; /proc/stat grows with CPUs and interrupts.
inline constexpr std::size_t kMaxProcSmallFileBytes = 64 * 1024;
inline constexpr std::size_t kMaxProcStatBytes = 16 * kMiB;
// The argument area is bounded by the stack rlimit (ARG_MAX is a quarter of it); 8 MiB covers
// a 32 MiB stack. Larger command lines are reported as unreadable rather than buffered.
inline constexpr std::size_t kMaxCmdlineBytes = 8 * kMiB;
// /proc/net/tcp has one ~150-byte line per socket; 64 MiB is ~400,000 sockets.
inline constexpr std::size_t kMaxProcNetBytes = 64 * kMiB;
// readlink(2) of /proc/PID/exe and /proc/PID/fd/N never exceeds PATH_MAX (4096) on Linux.
inline constexpr std::size_t kMaxLinkBytes = 4096;

// Persistence sources.
inline constexpr std::size_t kMaxCrontabBytes = 1 * kMiB;
inline constexpr std::size_t kMaxUnitFileBytes = 1 * kMiB;
inline constexpr std::size_t kMaxRcLocalBytes = 1 * kMiB;

// Walk limits. pid_max can be set to at most 2^22 on 64-bit, but no host runs a million.
inline constexpr std::size_t kMaxProcesses = std::size_t{1} << 20;
inline constexpr std::size_t kMaxFdsPerProcess = std::size_t{1} << 16;
inline constexpr std::size_t kMaxUnitFiles = 100000;
inline constexpr std::size_t kMaxCronFiles = 100000;
inline constexpr std::size_t kMaxHomeDirectories = 100000;
inline constexpr std::size_t kMaxDirectoryEntries = 1000000;
// systemd joins backslash-continued lines; no legitimate unit needs more than a few dozen.
inline constexpr std::size_t kMaxContinuationLines = 1024;

// Interface addresses reported in host.ip (a router may have hundreds; a few dozen identify it).
inline constexpr std::size_t kMaxHostAddresses = 64;

}  // namespace beffroi::host::facts
