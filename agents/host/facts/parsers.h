// Pure parsers for the text sources of the host-facts collectors: /etc/passwd and /etc/group,
// os-release, /proc/PID/{stat,status,cmdline}, /proc/stat, /proc/uptime, /proc/net/{tcp,udp}[6],
// crontabs, systemd unit files and rc.local.
//
// They take the whole text (already read with a byte limit) and return plain structs that own
// their strings; they never touch the file system, never throw and never crash on any input,
// which is what makes them unit-testable with literal fixtures and fuzzable. Lines that do not
// parse are skipped and counted in `unparsed`; blank lines and comments are not counted. Pure
// functions; thread-safe.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace beffroi::host::facts {

// ---- /etc/passwd, /etc/group (passwd(5), group(5)) ------------------------------------------

struct PasswdEntry {
  std::string name;
  std::string uid;        // decimal digits, kept as text: ECS ids are strings
  std::string gid;        // decimal digits
  std::string full_name;  // the first comma-separated GECOS field
  std::string home;
  std::string shell;
  std::size_t line = 0;  // 1-based
};

struct PasswdFile {
  std::vector<PasswdEntry> entries;
  std::uint64_t unparsed = 0;
};

// Seven ':'-separated fields; a non-numeric uid/gid, an empty name or NIS "+"/"-" lines are
// unparsed.
PasswdFile ParsePasswd(std::string_view text);

struct GroupEntry {
  std::string name;
  std::string gid;
  std::vector<std::string> members;
};

struct GroupFile {
  std::vector<GroupEntry> entries;
  std::uint64_t unparsed = 0;
};

GroupFile ParseGroup(std::string_view text);

// ---- os-release(5) ----------------------------------------------------------------------------

struct OsRelease {
  std::map<std::string, std::string, std::less<>> values;  // quotes and escapes removed
  std::uint64_t unparsed = 0;

  // The value of `key`, or "" when absent.
  std::string Get(std::string_view key) const;
};

OsRelease ParseOsRelease(std::string_view text);

// ---- procfs (proc(5)) -------------------------------------------------------------------------

struct ProcStat {
  std::uint64_t pid = 0;
  std::string comm;  // between the first '(' and the LAST ')': comm may hold spaces and ')'
  char state = '?';
  std::uint64_t ppid = 0;
  std::uint64_t start_ticks = 0;  // field 22: clock ticks after boot
};

std::optional<ProcStat> ParseProcStat(std::string_view text);

struct ProcStatus {
  std::optional<std::uint64_t> real_uid;       // first number of "Uid:"
  std::optional<std::uint64_t> effective_uid;  // second number of "Uid:"
};

ProcStatus ParseProcStatus(std::string_view text);

// The "btime" line of /proc/stat: boot time in seconds since the Unix epoch.
std::optional<std::uint64_t> ParseProcStatBootTime(std::string_view text);

// The first number of /proc/uptime, in whole seconds.
std::optional<std::uint64_t> ParseProcUptime(std::string_view text);

// /proc/PID/cmdline: NUL-separated arguments; a final NUL does not start an empty argument.
std::vector<std::string> SplitCmdline(std::string_view text);

// Start time of a process in Unix nanoseconds, or nullopt when the numbers cannot be a real
// time (zero tick rate, or an overflow from a hostile stat line).
std::optional<std::int64_t> ProcessStartUnixNs(std::uint64_t boot_time_s, std::uint64_t start_ticks,
                                               std::uint64_t ticks_per_second);

// The inode of a /proc/PID/fd/N link target "socket:[INODE]".
std::optional<std::uint64_t> ParseSocketLink(std::string_view link);

// ---- /proc/net/{tcp,tcp6,udp,udp6} ------------------------------------------------------------

// TCP states from include/net/tcp_states.h; an unconnected UDP socket reports TCP_CLOSE.
inline constexpr std::uint8_t kTcpStateListen = 0x0A;
inline constexpr std::uint8_t kTcpStateClose = 0x07;

struct ProcNetSocket {
  bool ipv6 = false;
  std::string local_ip;  // text form (inet_ntop)
  std::uint16_t local_port = 0;
  std::string remote_ip;
  std::uint16_t remote_port = 0;
  std::uint8_t state = 0;
  std::uint32_t uid = 0;
  std::uint64_t inode = 0;
};

// One data line. The kernel prints each 32-bit word of an address with %08X of the value as it
// sits in memory, so the word's byte order is the host's; `word_order` lets tests pin it.
std::optional<ProcNetSocket> ParseProcNetLine(std::string_view line,
                                              std::endian word_order = std::endian::native);

struct ProcNetTable {
  std::vector<ProcNetSocket> sockets;
  std::uint64_t unparsed = 0;
};

// A whole file: the "sl local_address ..." header line is skipped.
ProcNetTable ParseProcNet(std::string_view text, std::endian word_order = std::endian::native);

// ---- crontab(5) -------------------------------------------------------------------------------

struct CronEntry {
  std::string schedule;  // the five time fields joined by one space, or "@daily" etc.
  std::string user;      // system format only
  std::string command;
  std::size_t line = 0;  // 1-based
};

struct Crontab {
  std::vector<CronEntry> entries;
  std::uint64_t unparsed = 0;
};

// `system_format`: /etc/crontab and /etc/cron.d have a user field after the schedule; user
// crontabs (/var/spool/cron/crontabs/USER) do not. VAR=value lines are skipped, not counted.
Crontab ParseCrontab(std::string_view text, bool system_format);

// ---- systemd.unit(5), systemd.service(5), systemd.timer(5) ------------------------------------

struct SystemdExec {
  std::string key;      // "ExecStart", "ExecStartPre", ...
  std::string command;  // as written, with prefixes such as "-" or "+" kept
};

struct SystemdUnit {
  std::vector<SystemdExec> exec;      // Exec* of [Service], in order; "ExecX=" (empty) resets ExecX
  std::string user;                   // User= of [Service]
  std::vector<std::string> schedule;  // [Timer] OnCalendar=/On*Sec= as "Key=value"
  std::uint64_t unparsed = 0;

  // The first ExecStart command, or nullptr.
  const std::string* FirstExecStart() const;
};

SystemdUnit ParseSystemdUnit(std::string_view text);

// Removes systemd's command prefixes ("-", "@", ":", "+", "!", "!!") from an Exec* value.
std::string_view StripExecPrefixes(std::string_view command);

// ---- rc.local ---------------------------------------------------------------------------------

// The commands of a shell script: trimmed non-blank lines that are not comments (the "#!" line
// included).
std::vector<std::string> ParseShellCommands(std::string_view text);

}  // namespace beffroi::host::facts
